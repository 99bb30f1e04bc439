"""Every validation rule of the declaration form, table-driven, with "today" pinned."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from services.declaration.domain.field_errors import BUILT_IN, RULES, field_errors
from services.declaration.domain.form import DeclarationForm, PaperForm
from tests.support.declaration_samples import child, form

pytestmark = pytest.mark.calendar  # "today" is in it: `make test-clock` runs it at 20:00 UTC too

TODAY = date(2025, 11, 20)
NFD_NAME = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")


def errors(data: dict[str, Any], model: type[DeclarationForm | PaperForm] = DeclarationForm
           ) -> dict[str, list[str]]:
    """{field path: [codes]}; empty when the form is valid."""
    try:
        model.model_validate(data, context={"today": TODAY})
    except ValidationError as error:
        return {path: [e["code"] for e in errs]
                for path, errs in field_errors(error.errors()).items()}
    return {}


def valid(data: dict[str, Any]) -> DeclarationForm:
    return DeclarationForm.model_validate(data, context={"today": TODAY})


BAD = [
    # (why, changes to the valid form, field, code)
    ("a name with digits", {"person__full_name": "Nguyễn Văn 2"}, "person.full_name",
     "name_letters"),
    ("a name with an emoji", {"person__full_name": "An 😷"}, "person.full_name", "name_letters"),
    ("a one-letter name", {"person__full_name": " A "}, "person.full_name", "name_length"),
    ("a 101-letter name", {"person__full_name": "A" * 101}, "person.full_name", "name_length"),
    ("a name that is a number", {"person__full_name": 12}, "person.full_name", "string_type"),
    ("CCCD says male, form says female", {"person__gender": "female"}, "person.national_id",
     "cccd_gender"),
    ("CCCD century digit says 2000s", {"person__national_id": "001285012345"},
     "person.national_id", "cccd_birth_year"),
    ("CCCD year digits say 1990", {"person__national_id": "001090012345"},
     "person.national_id", "cccd_birth_year"),
    ("an 11-digit ID", {"person__national_id": "00108501234"}, "person.national_id",
     "national_id_format"),
    ("an ID with letters", {"person__national_id": "00108501234X"}, "person.national_id",
     "national_id_format"),
    ("an ID with Arabic-Indic digits", {"person__national_id": "٠٠١٠٨٥٠١٢٣٤٥"},
     "person.national_id", "national_id_format"),
    ("CCCD province 097", {"person__national_id": "097085012345"}, "person.national_id",
     "national_id_province"),
    ("no ID and no passport", {"person__national_id": None}, "person.national_id",
     "identity_document_required"),
    ("a foreigner with a CCCD", {"person__nationality": "KR"}, "person.national_id",
     "national_id_citizens_only"),
    ("a 2-letter passport", {"person__passport": "AB", "person__national_id": None},
     "person.passport", "passport_format"),
    ("a 3-letter nationality", {"person__nationality": "VNM"}, "person.nationality",
     "nationality_format"),
    ("an old 11-digit 01x mobile", {"person__phone": "01234567890"}, "person.phone",
     "phone_format"),
    ("a landline", {"person__phone": "024 3825 1234"}, "person.phone", "phone_format"),
    ("the submitter without a phone", {"person__phone": None}, "person.phone", "missing"),
    ("a bad email", {"person__email": "an@"}, "person.email", "email_format"),
    ("a date of birth tomorrow", {"person__date_of_birth": "2025-11-21"},
     "person.date_of_birth", "dob_future"),
    ("born in 1899", {"person__date_of_birth": "1899-12-31", "person__national_id": "012345678"},
     "person.date_of_birth", "dob_too_old"),
    ("not a date", {"person__date_of_birth": "14/03/1985"}, "person.date_of_birth",
     "date_from_datetime_parsing"),
    ("a gender outside the list", {"person__gender": "x"}, "person.gender", "enum"),
    ("a ward code that does not exist", {"trip__origin_ward": "99999"}, "trip.origin_ward",
     "ward_unknown"),
    ("a pre-2025 district code", {"residence__permanent__ward_code": "00001"},
     "residence.permanent.ward_code", "ward_unknown"),
    ("a ward code with letters", {"trip__destination_ward": "7OA"}, "trip.destination_ward",
     "ward_format"),
    ("departure 15 days ahead", {"trip__departure_date": "2025-12-05"}, "trip.departure_date",
     "departure_too_far"),
    ("departure yesterday", {"trip__departure_date": "2025-11-19"}, "trip.departure_date",
     "departure_past"),
    ("a plane without a flight number", {"trip__transport": {"mode": "plane"}},
     "trip.transport.number", "flight_number_required"),
    ("a flight number that is a plate", {"trip__transport": {"mode": "plane", "number": "29A-12345"}},
     "trip.transport.number", "flight_number_format"),
    ("a train without its number", {"trip__transport": {"mode": "train"}},
     "trip.transport.number", "train_number_required"),
    ("a car plate that is not one", {"trip__transport": {"mode": "car", "number": "ABC"}},
     "trip.transport.number", "plate_format"),
    ("a seat with symbols", {"trip__transport": {"mode": "bus", "seat": "#!"}},
     "trip.transport.seat", "seat_format"),
    ("an unknown transport", {"trip__transport": {"mode": "horse"}}, "trip.transport.mode",
     "enum"),
    ("an unknown symptom", {"health__symptoms": ["fever", "sneezing"]}, "health.symptoms.1",
     "enum"),
    ("doses as words", {"health__vaccination_doses": "three"}, "health.vaccination_doses",
     "int_parsing"),
    ("11 doses", {"health__vaccination_doses": 11}, "health.vaccination_doses",
     "less_than_equal"),
    ("a last dose tomorrow", {"health__last_dose_date": "2025-11-21"}, "health.last_dose_date",
     "last_dose_future"),
    ("a last dose before vaccination began", {"health__last_dose_date": "2020-12-01"},
     "health.last_dose_date", "last_dose_too_early"),
    ("a last dose with 0 doses", {"health__vaccination_doses": 0}, "health.last_dose_date",
     "last_dose_without_dose"),
    ("no consent", {"consent": False}, "consent", "consent_required"),
    ("a field the form does not have", {"person__religion": "none"}, "person.religion",
     "extra_forbidden"),
    ("ten dependants", {"dependants": [child()] * 10}, "dependants", "too_long"),
    ("a dependant without an ID", {"dependants": [{"person": {
        "full_name": "Bé Na", "date_of_birth": "2020-01-01", "gender": "female"}}]},
     "dependants.0.person.national_id", "identity_document_required"),
    ("a dependant whose CCCD contradicts", {"dependants": [child("001015001234")]},
     "dependants.0.person.national_id", "cccd_birth_year"),
]


@pytest.mark.parametrize(("why", "changes", "field", "code"), BAD, ids=[b[0] for b in BAD])
def test_each_rule_refuses_with_its_code(why: str, changes: dict[str, Any], field: str,
                                         code: str) -> None:
    found = errors(form(TODAY, **changes))
    assert code in found.get(field, []), f"{why}: {found}"


GOOD = [
    ("an NFD-encoded name", {"person__full_name": NFD_NAME, "person__gender": "female",
                             "person__national_id": "001185012345"}),
    ("an old 9-digit CMND", {"person__national_id": "012345678"}),
    ("an ID typed in groups", {"person__national_id": "001 085.012-345"}),
    ("a foreigner by passport", {"person__national_id": None, "person__nationality": "kr",
                                 "person__passport": "m 1234 5678"}),
    ("an international mobile format", {"person__phone": "+84 (912) 345.678"}),
    ("a ward code as a number", {"trip__origin_ward": 70}),
    ("departure today", {"trip__departure_date": "2025-11-20"}),
    ("departure 14 days ahead", {"trip__departure_date": "2025-12-04"}),
    ("a flight", {"trip__transport": {"mode": "plane", "number": "vn 213", "seat": "12a"}}),
    ("a train", {"trip__transport": {"mode": "train", "number": "SE1"}}),
    ("a motorbike plate", {"trip__transport": {"mode": "motorbike", "number": "29-B1 123.45"}}),
    ("a family", {"dependants": [child(), child("001315009876", "Nguyễn Thu Hà", "female")]}),
    ("a foreign name", {"person__full_name": "Jean-Luc O'Neil", "person__national_id": None,
                        "person__nationality": "FR", "person__passport": "18AB12345"}),
]


@pytest.mark.parametrize(("why", "changes"), GOOD, ids=[g[0] for g in GOOD])
def test_what_people_really_type_is_accepted(why: str, changes: dict[str, Any]) -> None:
    assert errors(form(TODAY, **changes)) == {}, why


def test_values_are_normalised() -> None:
    accepted = valid(form(TODAY, person__full_name=f"  {NFD_NAME}   ", person__gender="female",
                          person__national_id="001 185 012 345", person__phone="+84912345678",
                          trip__transport={"mode": "car", "number": "29a-123.45"}))
    assert accepted.person.full_name == "Nguyễn Thị Ánh"
    assert unicodedata.is_normalized("NFC", accepted.person.full_name)
    assert accepted.person.national_id == "001185012345"
    assert accepted.person.phone == "0912345678"
    assert accepted.trip.transport.number == "29A12345"


def test_every_error_comes_back_at_once() -> None:
    found = errors(form(TODAY, person__full_name="X", person__gender="female",
                        person__phone="12", trip__origin_ward="99999",
                        trip__departure_date="2025-12-05", consent=False))
    assert found == {"person.full_name": ["name_length"], "person.national_id": ["cccd_gender"],
                     "person.phone": ["phone_format"], "trip.origin_ward": ["ward_unknown"],
                     "trip.departure_date": ["departure_too_far"], "consent": ["consent_required"]}


def test_paper_forms_need_no_phone() -> None:
    assert errors(form(TODAY, person__phone=None), PaperForm) == {}


def test_every_message_has_both_languages() -> None:
    for code, (vi, en) in {**RULES, **BUILT_IN}.items():
        assert vi.strip() and en.strip() and vi != en, code


def test_every_code_the_rules_raise_has_a_message() -> None:
    folder = Path(__file__).parents[2] / "services" / "declaration"
    source = "".join(p.read_text() for p in folder.rglob("*.py"))
    raised = set(re.findall(r'fail\(\s*"([a-z_]+)"', source))
    raised |= set(re.findall(r'"(\w+_required)" if', source))
    assert raised and raised <= RULES.keys(), raised - RULES.keys()
