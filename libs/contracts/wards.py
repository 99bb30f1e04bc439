"""Names of wards and provinces for people; the 5-digit codes are what is stored.

From `vietnam-provinces` (the 2025 units: 34 provinces, 3,321 wards), the same
data the form validation uses.
"""

from __future__ import annotations

from functools import cache

from pydantic import BaseModel, Field
from vietnam_provinces import Province, Ward

from libs.contracts.events.notification import ZoneLevel


@cache
def _units() -> dict[str, tuple[str, str, int]]:
    provinces = {int(p.code): p.name for p in Province.iter_all()}
    return {f"{int(w.code):05d}": (w.name, provinces[int(w.province_code)], int(w.province_code))
            for w in Ward.iter_all()}


def ward_names(ward_code: str) -> tuple[str, str]:
    """(ward name, province name); the code itself and "" when it is not a current ward
    (an old event may name a ward merged away since)."""
    name, province, _ = _units().get(ward_code, (ward_code, "", 0))
    return name, province


def ward_label(ward_code: str) -> str:
    """'Phường Hoàn Kiếm, Thành phố Hà Nội': how a person names a ward."""
    ward, province = ward_names(ward_code)
    return f"{ward}, {province}" if province else ward


def province_code(ward_code: str) -> int:
    """The province of a current ward (KeyError for any other code)."""
    return _units()[ward_code][2]


def is_current_ward(ward_code: str) -> bool:
    return ward_code in _units()


class Zone(BaseModel):
    """A ward as shown to people: its names and its announced epidemic level."""

    ward_code: str = Field(examples=["00070"])
    ward_name: str = Field(examples=["Phường Hoàn Kiếm"])
    province_name: str = Field(examples=["Thành phố Hà Nội"])
    level: int | None = Field(None, ge=1, le=4, description="1 green … 4 red; null: no level "
                                                            "announced yet", examples=[1])
    level_name: str | None = Field(None, examples=["green"])


def zone(ward_code: str, level: int | None) -> Zone:
    ward_name, province_name = ward_names(ward_code)
    return Zone(ward_code=ward_code, ward_name=ward_name, province_name=province_name,
                level=level, level_name=ZoneLevel(level).name if level else None)
