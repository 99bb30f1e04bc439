"""Names of wards and provinces, for people (the codes are what is stored)."""

from __future__ import annotations

from functools import cache


@cache
def ward_names(ward_code: str) -> tuple[str, str]:
    """(ward name, province name) of a valid 5-digit ward code."""
    from vietnam_provinces import Province, Ward, WardCode

    ward = Ward.from_code(WardCode(int(ward_code)))
    return ward.name, Province.from_code(ward.province_code).name


def ward_label(ward_code: str) -> str:
    """'Phường Hoàn Kiếm, Thành phố Hà Nội': how a person names a ward."""
    ward, province = ward_names(ward_code)
    return f"{ward}, {province}"
