"""Field rules of the form: normalise what people type, refuse what cannot be right.

Each rule raises `PydanticCustomError` with a machine code from field_errors.py,
so pydantic collects every failing field of a form in one pass. Rules that
need "today" take it from the validation context (`{"today": date}`) when
given — tests and imports pin it — and use the date in Viet Nam otherwise.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from typing import Any, NoReturn

from pydantic import ValidationInfo
from pydantic_core import PydanticCustomError

from libs.contracts import patterns
from libs.contracts.values import (
    check_marks,
    check_ward_code,
    hidden_characters,
    normalise_name,
    normalise_ward_code,
    plain_text,
)
from libs.contracts.vietnam_time import vn_today
from services.declaration.domain.field_errors import RULES

MAX_DAYS_AHEAD = 14
FIRST_VACCINATION = date(2021, 3, 8)
_SEPARATORS = re.compile(r"[\s.\-()]")
_PHONE = re.compile(r"^(?:\+?84|0)([35789][0-9]{8})$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_PLATE = re.compile(r"^[0-9]{2}[A-Z]{1,2}[0-9]{4,6}$")
_FLIGHT = re.compile(r"^(?:[A-Z]{2}|[A-Z][0-9]|[0-9][A-Z])[0-9]{1,4}[A-Z]?$")
_TRAIN = re.compile(r"^[A-Z]{1,4}[0-9]{1,4}$")
_SEAT = re.compile(r"^[A-Z0-9]{1,8}$")
_PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")
_PERMIT = re.compile(r"^[A-Z0-9][A-Z0-9\-/]{3,39}$")


def fail(code: str, **context: Any) -> NoReturn:
    raise PydanticCustomError(code, RULES[code][1], context or None)


def today_of(info: ValidationInfo) -> date:
    pinned = info.context.get("today") if isinstance(info.context, dict) else None
    return pinned if isinstance(pinned, date) else vn_today()


def _compact(value: str) -> str:
    compact = _SEPARATORS.sub("", value)
    # Only ASCII is upper-cased: "ß".upper() is "SS", which nobody typed.
    return compact.upper() if compact.isascii() else compact


def name(value: str) -> str:
    """NFC, single spaces; letters (and the marks NFC could not compose, at most
    MAX_MARKS on a letter), ' and - inside."""
    cleaned = normalise_name(value)
    if not 2 <= len(cleaned) <= 100 or len(value) > 100:  # as typed, too (what the schema says)
        fail("name_length")
    if not unicodedata.category(cleaned[0]).startswith("L") or not all(
            unicodedata.category(ch)[0] in "LM" or ch in " '-" for ch in cleaned):
        fail("name_letters")
    return check_marks(cleaned)


def text(value: str) -> str:
    """Free text (addresses, cargo, a boat's or a vehicle's number): the shared plain-text
    rule (libs/contracts/values.py) — NFC, no hidden characters, no stacked marks."""
    return plain_text(value)


def national_id(value: str) -> str:
    cleaned = _SEPARATORS.sub("", value)
    if not cleaned.isascii() or not cleaned.isdigit() or len(cleaned) not in (9, 12):
        fail("national_id_format")
    if len(cleaned) == 12 and not 1 <= int(cleaned[:3]) <= 96:
        fail("national_id_province")
    return cleaned


def passport(value: str) -> str:
    cleaned = _compact(value)
    if not _PASSPORT.match(cleaned):
        fail("passport_format")
    return cleaned


def nationality(value: str) -> str:
    cleaned = value.strip()
    if len(cleaned) != 2 or not cleaned.isascii() or not cleaned.isalpha():
        fail("nationality_format")
    return cleaned.upper()


def phone(value: str) -> str:
    """Any of 0912 345 678, +84 912.345.678, 84912345678 → 0912345678."""
    match = _PHONE.match(_SEPARATORS.sub("", value))
    if match is None:
        fail("phone_format")
    return "0" + match.group(1)


def email(value: str) -> str:
    cleaned = value.strip()
    if len(value) > 254 or not _EMAIL.match(cleaned) or hidden_characters(cleaned):
        fail("email_format")
    local, _, domain = cleaned.rpartition("@")
    return f"{local}@{domain.lower()}"


def ward(value: object) -> str:
    code = normalise_ward_code(value)
    if not isinstance(code, str) or len(code) != 5 or not code.isdigit():
        fail("ward_format")
    try:
        return check_ward_code(code)
    except ValueError:
        fail("ward_unknown")


def address(value: str) -> str:
    cleaned = normalise_name(text(value))
    if len(value) > 200 or len(cleaned) > 200:  # as typed, too (what the schema says)
        fail("address_length")
    return cleaned


def plate(value: str) -> str:
    """29A-123.45, 29 A1 123.45, 51F12345 → 29A12345 …; the form checkpoints compare."""
    cleaned = _compact(value)
    if not _PLATE.match(cleaned):
        fail("plate_format")
    return cleaned


def transport_number(mode: str, value: str | None) -> str | None:
    """A plane needs its flight number, a train its train number; road plates are checked."""
    if mode in ("plane", "train") and not value:
        fail("flight_number_required" if mode == "plane" else "train_number_required")
    if not value:
        return None
    if mode == "plane":
        return _checked(_compact(value), _FLIGHT, "flight_number_format")
    if mode == "train":
        return _checked(_compact(value), _TRAIN, "train_number_format")
    if mode in ("car", "motorbike", "bus", "truck"):
        return plate(value)
    if len(value) > 30:  # as typed (what the schema says)
        fail("transport_number_length")
    return normalise_name(text(value))


def seat(value: str) -> str:
    return _checked(_compact(value), _SEAT, "seat_format")


def permit(value: str) -> str:
    cleaned = value.strip()
    return _checked(cleaned.upper() if cleaned.isascii() else cleaned, _PERMIT, "permit_format")


def _checked(value: str, pattern: re.Pattern[str], code: str) -> str:
    if not pattern.match(value):
        fail(code)
    return value


def date_of_birth(value: date, today: date) -> date:
    if value > today:
        fail("dob_future")
    if value.year < 1900:
        fail("dob_too_old")
    return value


def departure(value: date, today: date) -> date:
    if value < today:
        fail("departure_past")
    if value > today + timedelta(days=MAX_DAYS_AHEAD):
        fail("departure_too_far", days=MAX_DAYS_AHEAD)
    return value


def last_dose(value: date | None, doses: int | None, today: date) -> date | None:
    if value is None:
        return None
    if doses == 0:
        fail("last_dose_without_dose")
    if value > today:
        fail("last_dose_future")
    if value < FIRST_VACCINATION:
        fail("last_dose_too_early")
    return value


# What each rule above takes, as a JSON Schema pattern of the text as typed (form.py puts them
# in the OpenAPI document; tests/unit/test_value_patterns.py checks each against its rule).
def _ws(plain: bool = False) -> str:
    return patterns.whitespace(plain)


def _separators(plain: bool = False) -> str:
    return f"{_ws(plain)}.\\-()"


LETTER, DIGIT, ALNUM = "[A-Za-z]", "[0-9]", "[A-Za-z0-9]"


def phone_pattern() -> str:
    s = f"[{_separators()}]*"
    return f"^{s}(?:\\+{s}8{s}4|8{s}4|0){s}[35789](?:{s}[0-9]){{8}}{s}$"


def email_pattern() -> str:
    hidden = patterns.char_class(patterns.hidden_codes())[1:-1]
    char = f"[^@{_ws()}{hidden}]"
    return f"^[{_ws()}]*{char}{{1,64}}@{char}+\\.{char}{{2,}}[{_ws()}]*$"


def national_id_pattern() -> str:
    return patterns.national_id_pattern(_separators())


def passport_pattern() -> str:
    return patterns.spaced([f"{ALNUM}@{{5,20}}"], _separators())


def nationality_pattern() -> str:
    return f"^[{_ws()}]*{LETTER}{{2}}[{_ws()}]*$"


def seat_pattern() -> str:
    return patterns.spaced([f"{ALNUM}@{{1,8}}"], _separators())


def plate_pattern(plain: bool = False) -> str:
    return patterns.spaced([f"{DIGIT}@{{2}}", f"{LETTER}@{{1,2}}", f"{DIGIT}@{{4,6}}"],
                           _separators(plain))


def flight_pattern() -> str:
    s = f"[{_separators(True)}]*"
    first = f"(?:{LETTER}{s}{LETTER}|{LETTER}{s}{DIGIT}|{DIGIT}{s}{LETTER})"
    return f"^{s}{first}{s}(?:{DIGIT}{s}){{1,4}}(?:{LETTER}{s})?$"


def train_pattern() -> str:
    return patterns.spaced([f"{LETTER}@{{1,4}}", f"{DIGIT}@{{1,4}}"], _separators(True))


def permit_pattern() -> str:
    return f"^[{_ws()}]*{ALNUM}[A-Za-z0-9\\-/]{{3,39}}[{_ws()}]*$"

