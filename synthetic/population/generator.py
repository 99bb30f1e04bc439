"""Deterministic synthetic residents: the same seed always gives the same population.

Every resident is generated from one `random.Random(seed)` stream in order, and
the reference date is fixed (`as_of`), never today, so a seed names a population.
National IDs are unique by construction: within each (province, century/gender,
birth year) group the six serial digits run through an affine permutation of
0..999999, which looks random but never repeats.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from itertools import accumulate

from services.identity_verification.domain.provinces import BIRTH_PROVINCE_CODES, PROVINCES
from synthetic.population import data

AS_OF = date(2025, 7, 1)
CMND_ERA_END = date(2021, 7, 1)  # chip CCCD replaced CMND for new cards from here on
SERIALS = 1_000_000
CMND_SERIALS = 10_000_000


@cache
def _wards_by_province() -> dict[int, tuple[str, ...]]:
    from vietnam_provinces import Ward

    wards: dict[int, list[str]] = {}
    for ward in Ward.iter_all():
        wards.setdefault(int(ward.province_code), []).append(f"{int(ward.code):05d}")
    return {code: tuple(sorted(codes)) for code, codes in wards.items()}


def _cumulative(weights: list[float]) -> list[float]:
    return list(accumulate(weights))


_FAMILY = [name for name, _ in data.FAMILY_NAMES]
_FAMILY_CUM = _cumulative([share for _, share in data.FAMILY_NAMES])
_PROVINCE_CODES = sorted(PROVINCES)
_PROVINCE_CUM = _cumulative([PROVINCES[c][0] for c in _PROVINCE_CODES])
_BAND_CUM = _cumulative(list(data.AGE_BANDS))
_ALL_BIRTH_CODES = sorted(BIRTH_PROVINCE_CODES)


@dataclass
class _Permutation:
    """i -> (offset + i * stride) mod size: a bijection when stride is coprime to size."""

    offset: int
    stride: int
    used: int = 0

    def next(self, size: int) -> int:
        value = (self.offset + self.used * self.stride) % size
        self.used += 1
        return value


@dataclass
class PopulationGenerator:
    seed: int
    as_of: date = AS_OF
    rng: random.Random = field(init=False)
    _serials: dict[object, _Permutation] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def residents(self, count: int) -> Iterator[dict[str, str]]:
        for _ in range(count):
            yield self.resident()

    def resident(self) -> dict[str, str]:
        rng = self.rng
        born = self._birth_date()
        age = (self.as_of - born).days // 365
        female = rng.random() >= _male_share(age)
        province = rng.choices(_PROVINCE_CODES, cum_weights=_PROVINCE_CUM)[0]
        person = {
            "national_id": self._cccd(province, born, female),
            "full_name": self._name(female, born.year),
            "date_of_birth": born.isoformat(),
            "gender": "female" if female else "male",
            "permanent_ward": rng.choice(_wards_by_province()[province]),
            "status": self._status(age),
        }
        if rng.random() < 0.08:
            other = rng.choices(_PROVINCE_CODES, cum_weights=_PROVINCE_CUM)[0]
            person["temporary_ward"] = rng.choice(_wards_by_province()[other])
        if born <= CMND_ERA_END - timedelta(days=14 * 365) and rng.random() < 0.7:
            person["cmnd"] = self._cmnd(int(person["national_id"][:3]))
        return person

    def _birth_date(self) -> date:
        band = self.rng.choices(range(len(_BAND_CUM)), cum_weights=_BAND_CUM)[0]
        youngest = 5 * band
        oldest = data.OLDEST_AGE if band == len(_BAND_CUM) - 1 else youngest + 5
        days = self.rng.randrange(youngest * 365, oldest * 365)
        return self.as_of - timedelta(days=days + 1)

    def _name(self, female: bool, birth_year: int) -> str:
        rng = self.rng
        family = rng.choices(_FAMILY, cum_weights=_FAMILY_CUM)[0]
        middles, givens = ((data.FEMALE_MIDDLE, data.FEMALE_GIVEN) if female
                           else (data.MALE_MIDDLE, data.MALE_GIVEN))
        # "Thị" and "Văn" were the usual middle names of older generations.
        classic_share = (0.7 if birth_year < 1990 else 0.3) if female else \
                        (0.5 if birth_year < 1990 else 0.2)
        middle = middles[0] if rng.random() < classic_share else rng.choice(middles[1:])
        if rng.random() < 0.12:
            middle += " " + rng.choice(middles[1:])
        return f"{family} {middle} {rng.choice(givens)}"

    def _cccd(self, province: int, born: date, female: bool) -> str:
        rng = self.rng
        former = PROVINCES[province][1]
        birth_code = rng.choice(former) if rng.random() < 0.8 else rng.choice(_ALL_BIRTH_CODES)
        century_gender = (born.year // 100 - 19) * 2 + int(female)
        group = (birth_code, century_gender, born.year % 100)
        serial = self._serial(group, SERIALS)
        return f"{birth_code:03d}{century_gender}{born.year % 100:02d}{serial:06d}"

    def _cmnd(self, birth_code: int) -> str:
        # Old CMND numbers began with a two-digit code of the issuing province.
        prefix = birth_code % 90 + 1
        return f"{prefix:02d}{self._serial(('cmnd', prefix), CMND_SERIALS):07d}"

    def _serial(self, group: object, size: int) -> int:
        perm = self._serials.get(group)
        if perm is None:
            stride = self.rng.randrange(1, size)
            while stride % 2 == 0 or stride % 5 == 0:  # coprime to a power of ten
                stride += 1
            perm = self._serials[group] = _Permutation(self.rng.randrange(size), stride)
        if perm.used >= size:
            raise OverflowError(f"more than {size} residents in one ID group {group!r}")
        return perm.next(size)

    def _status(self, age: int) -> str:
        roll = self.rng.random()
        if roll < (0.03 if age >= 70 else 0.002):
            return "deceased"
        return "revoked" if roll > 0.999 else "living"


def _male_share(age: int) -> float:
    # More boys among the young (sex ratio at birth), more women among the old.
    if age < 20:
        return 0.52
    if age < 60:
        return 0.50
    return 0.45 if age < 80 else 0.38
