"""The patterns the OpenAPI documents give for the value types say what their checks take.

For each pattern, texts drawn from it (by hypothesis, as schemathesis draws them) pass the
check it describes, and texts the check refuses do not match it. Python's `re` and the
JSON Schema validator schemathesis and clients use (jsonschema-rs) read each pattern alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from libs.contracts import patterns
from libs.contracts.values import (
    Day,
    Moment,
    NationalId,
    NationalIdInput,
    Passport,
    PlainText,
    WardCode,
    ZonedMoment,
    check_national_id,
    normalise_national_id,
    ward_code_schema,
)
from services.checkpoint.api.models import Plate
from services.declaration.domain import form
from services.declaration.domain import form_rules as rules
from services.ward_notification.domain import webhooks as webhook_rules


def accepts(annotation: Any) -> Callable[[str], bool]:
    adapter: TypeAdapter[Any] = TypeAdapter(annotation)

    def check(value: str) -> bool:
        try:
            adapter.validate_python(value)
        except ValidationError:
            return False
        return True

    return check


def national_id_input(value: str) -> bool:
    """NationalIdInput, then the route's own check (errors.valid_national_id). (The schema
    also says at most 20 characters, which the pattern alone does not.)"""
    if len(value) > 20:
        return True
    if not accepts(NationalIdInput)(value):
        return False
    try:
        check_national_id(str(normalise_national_id(value)))
    except ValueError:
        return False
    return True


def url(value: str) -> bool:
    return accepts(PlainText)(value) and webhook_rules.url_problem(value, False) is None


CASES: dict[str, tuple[Callable[[], str], Callable[[str], bool], list[str]]] = {
    # name: (pattern, the check it describes, texts the check refuses)
    "plain text": (patterns.plain_text_pattern, accepts(PlainText),
                   ["Hà Nội\u202e", "a\x1b[31m", "a\x00", "x" + "\u0301" * 4, "\ue000"]),
    "national ID": (lambda: TypeAdapter(NationalId).json_schema()["pattern"],
                    accepts(NationalId), ["12345", "000085012345", "097085012345", "١٢٣٤٥٦٧٨٩"]),
    "national ID as typed by an official": (
        lambda: TypeAdapter(NationalIdInput).json_schema()["pattern"], national_id_input,
        ["001085012345\x1c", "00108501234", "0010850123456"]),
    "ward code": (lambda: ward_code_schema()["anyOf"][0]["pattern"], accepts(WardCode),
                  ["00000", "99999", "000070", "٠٠٠٧٠", "7O"]),
    "passport": (lambda: TypeAdapter(Passport).json_schema()["pattern"], accepts(Passport),
                 ["M12", "M" * 21]),
    "day": (lambda: patterns.DAY_PATTERN, accepts(Day),
            ["1899-12-31", "2200-01-01", "2023-02-29", "2024-13-01", "0"]),
    "moment": (lambda: patterns.MOMENT_PATTERN, accepts(Moment),
               ["1899-12-31T23:00:00Z", "2024-02-30T00:00Z", "2024-01-01T24:00Z", "0"]),
    "moment with its offset": (lambda: patterns.ZONED_MOMENT_PATTERN, accepts(ZonedMoment),
                               ["2024-02-30T00:00Z", "0"]),
    "checkpoint plate": (lambda: TypeAdapter(Plate).json_schema()["pattern"], accepts(Plate),
                         ["29", "ßßß1", "A" * 13]),
    "webhook URL": (lambda: webhook_rules.URL_PATTERN, url,
                    ["ftp://a.b/", "https://u:p@a.b/", "https://a.b/#x", "https://a.b:70000/"]),
    "person's name": (patterns.name_pattern, lambda v: len(v) > 100 or accepts(form.Name)(v),
                      ["A", "1An", "Ax\u0301\u0301\u0301\u0301", "An!"]),
    "phone": (rules.phone_pattern, accepts(form.Phone), ["0212345678", "091234567"]),
    "email": (rules.email_pattern, accepts(form.Email), ["a@b", "a b@c.vn", "a@b.c"]),
    "form's national ID": (rules.national_id_pattern, accepts(form.NationalIdText),
                           ["12345678", "000085012345"]),
    "form's passport": (rules.passport_pattern, accepts(form.Passport), ["AB12", "ßßßßß"]),
    "nationality": (rules.nationality_pattern, accepts(form.Nationality), ["V", "VNM", "ßß"]),
    "seat": (rules.seat_pattern, accepts(form.Seat), ["", "123456789"]),
    "vehicle plate": (rules.plate_pattern, lambda v: _rule(rules.plate, v), ["29A12", "A29123456"]),
    "flight": (rules.flight_pattern, lambda v: _rule(lambda x: rules.transport_number("plane", x),
                                                     v), ["VN", "12345"]),
    "train": (rules.train_pattern, lambda v: _rule(lambda x: rules.transport_number("train", x),
                                                   v), ["SE", "12"]),
    "permit": (rules.permit_pattern, lambda v: _rule(rules.permit, v), ["GL", "-GL12"]),
}


def _rule(check: Callable[[str], object], value: str) -> bool:
    try:
        check(value)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("name", CASES)
def test_what_a_pattern_admits_its_check_takes(name: str) -> None:
    pattern, check, _ = CASES[name]
    text = pattern()

    @settings(max_examples=60, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.from_regex(text, fullmatch=True))
    def taken(value: str) -> None:
        assert check(value), f"{value!r} matches the {name} pattern but the check refuses it"

    taken()


@pytest.mark.parametrize("name", CASES)
def test_what_its_check_refuses_a_pattern_does_not_admit(name: str) -> None:
    pattern, check, refused = CASES[name]
    text = pattern()
    python, rust = re.compile(text), jsonschema_rs.validator_for({"pattern": text})
    for value in refused:
        assert not check(value), f"{value!r} should be refused by the {name} check"
        assert not python.search(value) and not rust.is_valid(value), value


@pytest.mark.parametrize("name", CASES)
def test_python_and_the_json_schema_validator_read_a_pattern_alike(name: str) -> None:
    pattern, _, refused = CASES[name]
    text = pattern()
    python, rust = re.compile(text), jsonschema_rs.validator_for({"pattern": text})
    samples = [*refused, "", "a", "Nguyễn Văn An", "001085012345", "2024-02-29",
               "2024-02-29T08:00:00+07:00", "https://ubnd.example/x?y=1", "29A-123.45"]
    for value in samples:
        assert bool(python.search(value)) == rust.is_valid(value), (name, value)


def test_a_moment_without_an_offset_is_utc_and_a_year_is_read_as_written() -> None:
    moment = TypeAdapter(Moment)
    assert moment.validate_python("2024-01-01T08:00") == datetime.fromisoformat(
        "2024-01-01T08:00+00:00")
    assert moment.validate_python("1900-01-01T00:30+01:00").year == 1900
    for wrong in ("0", 1700000000, "2024-01-01"):
        with pytest.raises(ValidationError):
            moment.validate_python(wrong)
    day = TypeAdapter(Day)
    assert day.validate_python("2024-02-29") == date(2024, 2, 29)
    for wrong in ("0", 0, "2024-02-29T00:00:00"):
        with pytest.raises(ValidationError):
            day.validate_python(wrong)


def test_a_ward_code_as_a_whole_number_is_taken_and_its_schema_says_so() -> None:
    ward = TypeAdapter(WardCode)
    assert ward.validate_python(70) == ward.validate_python(70.0) == ward.validate_python("70")
    assert {"type": "integer", "minimum": 1, "maximum": 99999} in ward_code_schema()["anyOf"]
