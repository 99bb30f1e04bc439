"""Ward and province names from `vietnam-provinces` (the 2025 units)."""

from __future__ import annotations

from functools import cache

from vietnam_provinces import Province, Ward


@cache
def _names() -> dict[str, tuple[str, str, int]]:
    provinces = {int(p.code): p.name for p in Province.iter_all()}
    return {f"{int(w.code):05d}": (w.name, provinces[int(w.province_code)], int(w.province_code))
            for w in Ward.iter_all()}


def ward_name(code: str) -> tuple[str, str]:
    """(ward name, province name); the code itself when it is not a current ward."""
    name, province, _ = _names().get(code, (code, "", 0))
    return name, province


def province_code(code: str) -> int:
    return _names()[code][2]
