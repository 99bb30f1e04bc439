"""Value types shared by every service: national IDs, ward codes, subject ids, plain text.

Each is an annotated `str`, so it serialises as plain JSON and validates on the
way in, wherever pydantic parses it (HTTP bodies, Kafka payloads, settings).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import StrEnum
from functools import cache
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, Strict
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

from libs.contracts import patterns
from libs.contracts.jsontypes import JsonObject
from libs.contracts.patterns import Documented

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
    Field(description="CCCD (12 digits) or old CMND (9 digits); spaces, dots and dashes "
                      "between digits are ignored", examples=["001085012345"]),
    Documented(pattern=lambda: patterns.national_id_pattern(patterns.whitespace(False) + ".\\-")),
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
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 70.0 is the JSON integer 70
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:05d}"
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 5:
        return value.zfill(5)
    return value


def check_ward_code(value: str) -> str:
    """The 5 ASCII digits of a current ward (`normalise_ward_code` pads shorter ones)."""
    if not (len(value) == 5 and value.isascii() and value.isdigit()) \
            or int(value) not in _ward_codes():
        raise PydanticCustomError("ward_unknown",
                                  "not the code of a current ward or commune (2025 units)")
    return value


@cache
def ward_code_schema() -> JsonObject:
    """The JSON Schema of a ward code as callers may send it: the code's 5 digits (leading
    zeros may be left out), exactly the current codes; or the code as a number, which the
    schema bounds but does not list (its `enum` would be 3,321 values long; a number that is
    no current code is refused as `ward_unknown`, a rule the documents name)."""
    codes = sorted(_ward_codes())
    return {"anyOf": [{"type": "string", "pattern": patterns.ward_code_pattern(codes)},
                      {"type": "integer", "minimum": 1, "maximum": 99999}]}


WardCode = Annotated[
    str,
    BeforeValidator(normalise_ward_code),
    AfterValidator(check_ward_code),
    Field(description="official 5-digit code of a ward/commune (2025 units)", examples=["00070"]),
    Documented(replace=True, anyOf=lambda: ward_code_schema()["anyOf"]),
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


def passport_subject_id(secret: bytes, nationality: str, passport: str) -> str:
    """A foreigner's pseudonym: their passport, scoped by the country that issued it."""
    key = f"passport:{nationality.strip().upper()}:{normalise_passport(passport)}"
    return hmac.new(secret, key.encode("ascii"), hashlib.sha256).hexdigest()


def normalise_passport(passport: str) -> str:
    """As typed on a form or a manifest: spaces and dashes dropped, upper case."""
    return re.sub(r"[\s-]", "", passport).upper()


def _passport_text(value: object) -> object:
    return normalise_passport(value) if isinstance(value, str) else value


def _passport_pattern() -> str:
    """Passports as typed: 5–20 letters and digits, spaces and dashes anywhere between."""
    separators = f"[{patterns.whitespace(False)}\\-]*"
    return f"^{separators}(?:[A-Za-z0-9]{separators}){{5,20}}$"


Passport = Annotated[str, BeforeValidator(_passport_text),
                     Field(pattern=r"^[A-Z0-9]{5,20}$", examples=["M12345678"]),
                     Documented(pattern=_passport_pattern)]
"""A passport number (spaces and dashes dropped, upper case)."""
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$", examples=["KR"],
                               description="ISO 3166-1 alpha-2")]
ONE_DOCUMENT: JsonDict = {"anyOf": [
    {"properties": {"national_id": {"type": "string"}, "passport": {"type": "null"},
                    "nationality": {"type": "null"}}, "required": ["national_id"]},
    {"properties": {"national_id": {"type": "null"}, "passport": {"type": "string"},
                    "nationality": {"type": "string"}}, "required": ["passport", "nationality"]}]}
"""The JSON Schema of a body naming a person by one document: a national ID, or a passport
with the country that issued it (`json_schema_extra` of such a model)."""


_SPACES = re.compile(r"\s+")
# Control, format (bidi overrides, zero-width), surrogate and private-use characters, and the
# line and paragraph separators: invisible or reordering when shown, never typed on purpose.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
MAX_MARKS = 3
"""Combining marks one base character may carry after NFC. Vietnamese needs at most 2 on a
letter (a vowel's hat, horn or breve and a tone), and NFC composes those into one
character; other scripts of the region stack two or three. Dozens on one letter ("Zalgo"
text) overflow the line they are shown on and hide what is written around them."""


def hidden_characters(value: str) -> list[str]:
    """The control or invisible characters in `value` (tab and newline allowed), as U+XXXX."""
    return sorted({f"U+{ord(ch):04X}" for ch in value
                   if unicodedata.category(ch) in _HIDDEN and ch not in "\t\n"})


def stacked_marks(value: str) -> bool:
    """True when a character of `value` carries more than MAX_MARKS combining marks."""
    run = 0
    for ch in value:
        run = run + 1 if unicodedata.category(ch).startswith("M") else 0
        if run > MAX_MARKS:
            return True
    return False


def normalise_name(value: str) -> str:
    """NFC with single spaces, so 'Nguyễn' typed as NFD and as NFC compare equal."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def check_marks(value: str) -> str:
    """`value` (in NFC) unless a character carries more than MAX_MARKS combining marks: the
    rule of every name and free-text field (PydanticCustomError `stacked_marks`)."""
    if stacked_marks(value):
        raise PydanticCustomError(
            "stacked_marks", "at most {max} combining marks on one letter", {"max": MAX_MARKS})
    return value


def plain_text(value: str) -> str:
    """NFC; no control, format (e.g. bidi overrides), surrogate or private-use characters
    (`hidden_characters`), no letter buried under stacked combining marks (`stacked_marks`)."""
    value = unicodedata.normalize("NFC", value)
    bad = hidden_characters(value)
    if bad:
        raise PydanticCustomError(
            "hidden_characters", "control or invisible characters are not allowed: {characters}",
            {"characters": ", ".join(bad[:5])})
    return check_marks(value)


PlainText = Annotated[str, AfterValidator(plain_text),
                      Documented(type="string", format=patterns.PLAIN_TEXT,
                                 pattern=patterns.plain_text_pattern)]
"""Free text people type (names of places, notes, addresses): stored in NFC, without hidden
characters or stacked marks. Every free-text field of every service is one
(tests/integration/test_hostile_findings.py walks every route's inputs to check)."""

NationalIdInput = Annotated[str, AfterValidator(plain_text), Field(max_length=20),
                            Documented(type="string", format=None,
                                       pattern=lambda: patterns.national_id_pattern(
                                           patterns.whitespace(True) + ".\\-"))]
"""A national ID as an official types it, where the route checks it itself (422
`national_id_invalid`, libs/runtime/errors.valid_national_id): spaces, dots and dashes
between the digits are ignored."""

Identifier = Annotated[str, Field(min_length=1, max_length=100,
                                  pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$",
                                  examples=["0198c1d2-7a3b-7c4d-8e5f-0123456789ab"])]
"""An id a service made (a UUID, a digest with a prefix): looked up, never free text."""


# Bounds of a moment or a day a caller names (a query's range, a start): far wider than any
# use, narrow enough that the arithmetic done with it (a day or a week on either side, a
# time zone) stays inside what Python and BSON dates hold, where 0001-01-01 or
# 9999-12-31 overflowed into a 500.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


# The forms a caller may write (checked before pydantic parses, which would also take a
# number as seconds since 1970, or a date as midnight): ISO 8601, any year here; the year is
# checked once parsed. patterns.DAY_PATTERN and MOMENT_PATTERN write both in the OpenAPI.
_DAY_FORM = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MOMENT_FORM = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}"
                          r"(?::[0-9]{2}(?:\.[0-9]{1,6})?)?(?:Z|[+-][0-9]{2}:[0-9]{2})?")


def _text_in_form(parsed: type, form: re.Pattern[str], code: str,
                  message: str) -> Callable[[object], object]:
    """A before-validator: a `parsed` value (from Python) or text matching `form`; anything
    else is refused with `code` (pydantic's own code for such a text)."""
    def check(value: object) -> object:
        if isinstance(value, parsed):
            return value
        if not isinstance(value, str) or not form.fullmatch(value):
            raise PydanticCustomError(code, message)
        return value
    return check


moment_form = _text_in_form(datetime, _MOMENT_FORM, "datetime_from_date_parsing",
                            "an ISO 8601 moment is expected, e.g. 2026-01-31T08:00:00+07:00 "
                            "(UTC if no offset)")
"""Only text in the ISO form: not the number of seconds since 1970 pydantic would take."""
day_form = _text_in_form(date, _DAY_FORM, "date_from_datetime_parsing",
                         "a day is expected as YYYY-MM-DD")
"""Only text as YYYY-MM-DD."""


def check_moment_year(value: datetime) -> datetime:
    """The year as written (in the moment's own offset) between 1900 and 2199: a zone can then
    move it at most a day, far inside what Python and BSON dates hold."""
    if not EARLIEST.year <= value.year < LATEST.year:
        raise PydanticCustomError("moment_out_of_range", "a moment between {earliest} and "
                                  "{latest} is expected", {"earliest": EARLIEST.year,
                                                           "latest": LATEST.year})
    return value


def check_moment(value: datetime) -> datetime:
    """`check_moment_year`, and a moment without an offset is UTC."""
    value = check_moment_year(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def check_day(value: date) -> date:
    if not EARLIEST.date() <= value < LATEST.date():
        raise PydanticCustomError("day_out_of_range", "a day between {earliest} and {latest} "
                                  "is expected", {"earliest": EARLIEST.year,
                                                  "latest": LATEST.year})
    return value


IsoDate = Annotated[date, BeforeValidator(day_form), Documented(format="date")]
"""A date in a request body as JSON Schema's `format: date` has it (YYYY-MM-DD), and only
that; the field's own rules say which dates."""

Moment = Annotated[datetime, BeforeValidator(moment_form), AfterValidator(check_moment),
                   Documented(replace=True, type="string", pattern=patterns.MOMENT_PATTERN)]
"""A moment a caller names (ISO 8601; UTC if no offset), in the years 1900 to 2199."""
ZonedMoment = Annotated[datetime, BeforeValidator(moment_form), AfterValidator(check_moment_year),
                        Documented(replace=True, type="string",
                                   pattern=patterns.ZONED_MOMENT_PATTERN)]
"""A moment that must carry its UTC offset (the schema says so; a moment without one reaches
the route as it is, naive, for the route to refuse in its own words)."""
Day = Annotated[date, BeforeValidator(day_form), AfterValidator(check_day),
                Documented(pattern=patterns.DAY_PATTERN)]
"""A calendar day a caller names (YYYY-MM-DD), in the years 1900 to 2199."""


def shared_schemas() -> dict[str, dict[str, object]]:
    """The long schemas of these types, which an OpenAPI document writes once, as components
    (libs/runtime/openapi.py), and refers to."""
    return {
        "PersonName": {"type": "string", "format": patterns.PERSON_NAME,
                       "pattern": patterns.name_pattern(),
                       "description": "a person's name: letters (at most 3 combining marks on "
                                      "one), apostrophes and hyphens, the first a letter; white "
                                      "space between is made one space"},
        "PlainText": {"type": "string", "format": patterns.PLAIN_TEXT,
                      "pattern": patterns.plain_text_pattern(),
                      "description": "text without control or invisible characters (tab and "
                                     "newline allowed) and at most 3 combining marks on a letter"},
        "WardCode": {**ward_code_schema(),
                     "description": "a current ward or commune code (2025 units): its 5 "
                                    "digits (leading zeros may be left out) or the number",
                     "x-rules": {"ward_unknown": "a ward code given as a number that is no "
                                                 "current ward's"}},
    }


# Request bodies: pydantic reads a parsed JSON body leniently (0 or "yes" as a boolean, "5" as
# a number, a number as a date), where the OpenAPI document says the JSON type. These take
# only the type they document.
def _not_text_or_boolean(value: object) -> object:
    # pydantic's own codes, as the lenient reading would have used for what it refuses
    if isinstance(value, str):
        raise PydanticCustomError("int_parsing", "a JSON integer is expected, not text")
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "a JSON integer is expected, not true or false")
    return value


JsonBool = Annotated[bool, Strict()]
"""true or false, nothing else."""
JsonInt = Annotated[int, BeforeValidator(_not_text_or_boolean)]
"""A JSON integer (5, or 5.0 which JSON Schema counts as one; not "5", not true)."""
JsonNumber = Annotated[float, Strict()]
"""A JSON number (not "5.5", not true)."""
