"""Value types shared by every service: national IDs, ward codes, subject ids.

Each is an annotated `str`, so it serialises as plain JSON and validates on the
way in, wherever pydantic parses it (HTTP bodies, Kafka payloads, settings).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

_NON_DIGITS = re.compile(r"[\s.\-]")
# CCCD province-of-birth codes run from 001 (Hà Nội) to 096 (Cà Mau) in the
# 63-province numbering they were issued under.
_MAX_BIRTH_PROVINCE = 96


class Gender(StrEnum):
    male = "male"
    female = "female"


def normalise_national_id(value: object) -> object:
    """Drop the spaces, dots and dashes people type between digit groups."""
    return _NON_DIGITS.sub("", value) if isinstance(value, str) else value


def check_national_id(value: str) -> str:
    if not value.isascii() or not value.isdigit() or len(value) not in (9, 12):
        raise ValueError("a national ID is 12 digits (CCCD) or 9 digits (old CMND)")
    if len(value) == 12 and not 1 <= int(value[:3]) <= _MAX_BIRTH_PROVINCE:
        raise ValueError("the first 3 digits of a CCCD are a province code from 001 to 096")
    return value


NationalId = Annotated[
    str,
    BeforeValidator(normalise_national_id),
    AfterValidator(check_national_id),
    Field(description="CCCD (12 digits) or old CMND (9 digits)", examples=["001085012345"]),
]


def cccd_birth_facts(national_id: str) -> tuple[int, Gender] | None:
    """Birth year and gender encoded in a 12-digit CCCD; None for a 9-digit CMND.

    Digit 4 encodes century and gender (0/1: 1900s male/female, 2/3: 2000s, …),
    digits 5–6 the last two digits of the birth year.
    """
    if len(national_id) != 12:
        return None
    code = int(national_id[3])
    year = 1900 + (code // 2) * 100 + int(national_id[4:6])
    return year, Gender.female if code % 2 else Gender.male


def cccd_contradictions(national_id: str, born: date, gender: Gender) -> list[str]:
    """Which of 'date_of_birth' / 'gender' the CCCD digits contradict (empty when consistent)."""
    facts = cccd_birth_facts(national_id)
    if facts is None:
        return []
    year, encoded_gender = facts
    wrong = []
    if year != born.year:
        wrong.append("date_of_birth")
    if encoded_gender != gender:
        wrong.append("gender")
    return wrong


@cache
def _ward_codes() -> frozenset[int]:
    from vietnam_provinces import Ward

    return frozenset(int(ward.code) for ward in Ward.iter_all())


def normalise_ward_code(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:05d}"
    if isinstance(value, str) and value.isdigit() and len(value) <= 5:
        return value.zfill(5)
    return value


def check_ward_code(value: str) -> str:
    if not value.isdigit() or int(value) not in _ward_codes():
        raise ValueError("not the code of a current ward or commune (2025 units)")
    return value


WardCode = Annotated[
    str,
    BeforeValidator(normalise_ward_code),
    AfterValidator(check_ward_code),
    Field(description="official 5-digit code of a ward/commune (2025 units)", examples=["00070"]),
]


def ward_count() -> int:
    return len(_ward_codes())


def province_of_ward(ward_code: str) -> int:
    from vietnam_provinces import Ward
    from vietnam_provinces import WardCode as VpWardCode

    return int(Ward.from_code(VpWardCode(int(ward_code))).province_code)


SubjectId = Annotated[
    str,
    Field(pattern=r"^[0-9a-f]{64}$", description="HMAC-SHA256 of the national ID, hex",
          examples=["5f0c" + "0" * 60]),
]


def subject_id_for(secret: bytes, national_id: str) -> str:
    """The pseudonymous id every service but declaration and identity uses for a person."""
    normalised = check_national_id(str(normalise_national_id(national_id)))
    return hmac.new(secret, normalised.encode("ascii"), hashlib.sha256).hexdigest()


_SPACES = re.compile(r"\s+")


def normalise_name(value: str) -> str:
    """NFC with single spaces, so 'Nguyễn' typed as NFD and as NFC compare equal."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def plain_text(value: str) -> str:
    """NFC; no control, format (e.g. bidi overrides) or surrogate characters."""
    value = unicodedata.normalize("NFC", value)
    bad = sorted({f"U+{ord(ch):04X}" for ch in value
                  if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") and ch not in "\t\n"})
    if bad:
        raise ValueError(f"control or invisible characters are not allowed: {', '.join(bad[:5])}")
    return value


PlainText = Annotated[str, AfterValidator(plain_text)]
"""Free text people type (names of places, notes): stored in NFC, without hidden characters."""
