"""The declaration form, as citizens and officers send it (a command, not the event).

The event parts in libs/contracts stay lenient so that old events always
parse; the rules that depend on today (departure window, dates of birth)
live here, on the way in.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from libs.contracts import patterns
from libs.contracts.events.declaration import Exposure, Symptom, TransportMode
from libs.contracts.jsontypes import JsonObject
from libs.contracts.patterns import Documented
from libs.contracts.values import (
    Gender,
    JsonBool,
    JsonInt,
    cccd_birth_facts,
    day_form,
    ward_code_schema,
)
from services.declaration.domain import form_rules

# Each type's JSON Schema says what its rule takes (form_rules.py, tests/unit/test_value_patterns.py).
# (A length in the schema is the typed text's, which the rule first trims and joins: the rule's
# own bound, kept as its message, is the same or looser.)
Name = Annotated[str, AfterValidator(form_rules.name), Field(examples=["Nguyễn Văn An"]),
                 Documented(format=patterns.PERSON_NAME, pattern=patterns.name_pattern,
                            maxLength=100)]
NationalIdText = Annotated[str, AfterValidator(form_rules.national_id),
                           Field(examples=["001085012345"], description="CCCD or old CMND"),
                           Documented(pattern=form_rules.national_id_pattern)]
Passport = Annotated[str, AfterValidator(form_rules.passport), Field(examples=["C1234567"]),
                     Documented(pattern=form_rules.passport_pattern)]
Nationality = Annotated[str, AfterValidator(form_rules.nationality),
                        Field(examples=["VN"], description="ISO 3166-1 alpha-2"),
                        Documented(pattern=form_rules.nationality_pattern)]
Phone = Annotated[str, AfterValidator(form_rules.phone), Field(examples=["0912 345 678"]),
                  Documented(pattern=form_rules.phone_pattern)]
Email = Annotated[str, AfterValidator(form_rules.email), Field(examples=["an.nguyen@example.vn"]),
                  Documented(format=patterns.EMAIL, pattern=form_rules.email_pattern, maxLength=254)]
Ward = Annotated[str, BeforeValidator(form_rules.ward),
                 Field(examples=["00070"], description="5-digit ward/commune code (2025 units)"),
                 Documented(replace=True, anyOf=lambda: ward_code_schema()["anyOf"])]
Address = Annotated[str, AfterValidator(form_rules.address), Field(examples=["12 Hàng Bạc"]),
                    Documented(type="string", format=patterns.PLAIN_TEXT,
                               pattern=patterns.plain_text_pattern, maxLength=200)]
Seat = Annotated[str, AfterValidator(form_rules.seat), Field(examples=["12A"]),
                 Documented(pattern=form_rules.seat_pattern)]
Text = Annotated[str, AfterValidator(form_rules.text),
                 Documented(type="string", format=patterns.PLAIN_TEXT,
                            pattern=patterns.plain_text_pattern)]
Born = Annotated[date, BeforeValidator(day_form), Documented(**patterns.DAY)]
"""A date of birth: 1900 on (dob_too_old), not after today (dob_future, a rule of the day)."""
Departure = Annotated[date, BeforeValidator(day_form), Documented(**patterns.DAY)]
"""A departure day: from today to MAX_DAYS_AHEAD after (rules of the day)."""
LastDose = Annotated[date, BeforeValidator(day_form), Documented(
    **patterns.DAY, allOf=[{"pattern": patterns.not_before(form_rules.FIRST_VACCINATION.isoformat())}])]
"""A last vaccination: from the first one in Viet Nam on; not after today (a rule of the day)."""
# What a form is refused for although its schema admits it: rules of the day and of what the
# digits of a CCCD say.
FORM_RULES: dict[str, str] = {
    "departure_past": "a departure before today (Viet Nam)",
    "departure_too_far": f"a departure more than {form_rules.MAX_DAYS_AHEAD} days ahead",
    "dob_future": "a date of birth after today",
    "last_dose_future": "a last vaccination after today",
    "cccd_birth_year": "a CCCD whose digits 5–6 say another birth year than date_of_birth",
    "cccd_gender": "a CCCD whose digit 4 says another gender than gender",
}


class FormModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _vietnamese() -> str:
    space = f"[{patterns.whitespace(False)}]*"
    return f"^{space}[Vv][Nn]{space}$"


class FormPerson(FormModel):
    """One person; fields are ordered so that the ID can be checked against those before it."""

    # A national ID or a passport (identity_document_required); a national ID only for a
    # Vietnamese (national_id_citizens_only): in the schema's words too.
    model_config = ConfigDict(json_schema_extra=lambda schema: schema.update({"allOf": [
        {"anyOf": [{"properties": {"national_id": {"type": "string"}},
                    "required": ["national_id"]},
                   {"properties": {"passport": {"type": "string"}}, "required": ["passport"]}]},
        {"if": {"properties": {"national_id": {"type": "string"}}, "required": ["national_id"]},
         "then": {"properties": {"nationality": {"pattern": _vietnamese()}}}}]}))

    full_name: Name
    date_of_birth: Born = Field(examples=["1985-03-14"])
    gender: Gender = Field(examples=["male"])
    nationality: Nationality = "VN"
    passport: Passport | None = None
    national_id: NationalIdText | None = Field(None, validate_default=True)
    phone: Phone | None = None
    email: Email | None = None

    @field_validator("date_of_birth")
    @classmethod
    def _born_sanely(cls, value: date, info: ValidationInfo) -> date:
        return form_rules.date_of_birth(value, form_rules.today_of(info))

    @field_validator("national_id")
    @classmethod
    def _identity_document(cls, value: str | None, info: ValidationInfo) -> str | None:
        data = info.data
        if value is None:
            if "passport" in data and data["passport"] is None:
                form_rules.fail("identity_document_required")
            return None
        if data.get("nationality", "VN") != "VN":
            form_rules.fail("national_id_citizens_only")
        _check_cccd(value, data.get("date_of_birth"), data.get("gender"))
        return value


def _check_cccd(national_id: str, born: date | None, gender: Gender | None) -> None:
    """DESIGN.md §5: digits 4–6 of a CCCD encode century, gender and birth year."""
    facts = cccd_birth_facts(national_id)
    if facts is None:
        return
    year, encoded = facts
    if born is not None and born.year != year:
        form_rules.fail("cccd_birth_year", year=year)
    if gender is not None and gender != encoded:
        female = encoded == Gender.female
        form_rules.fail("cccd_gender", gender_vi="nữ" if female else "nam",
                   gender_en="female" if female else "male")


class Submitter(FormPerson):
    phone: Phone  # whoever submits must be reachable


class Place(FormModel):
    ward_code: Ward
    address: Address = ""


class Residence(FormModel):
    permanent: Place = Field(description="thường trú")
    temporary: Place | None = Field(None, description="tạm trú")
    current: Place = Field(description="nơi ở hiện tại")


def _transport_rules(schema: JsonObject) -> None:
    """What `form_rules.transport_number` asks of the number, mode by mode."""

    def when(modes: list[TransportMode], number: JsonObject, needed: bool) -> JsonObject:
        then: JsonObject = {"properties": {"number": number}}
        return {"if": {"properties": {"mode": {"enum": [m.value for m in modes]}},
                       "required": ["mode"]},
                "then": {**then, "required": ["number"]} if needed else then}

    road = [TransportMode.car, TransportMode.motorbike, TransportMode.bus, TransportMode.truck]
    schema["allOf"] = [
        when([TransportMode.plane], {"type": "string", "pattern": form_rules.flight_pattern()}, True),
        when([TransportMode.train], {"type": "string", "pattern": form_rules.train_pattern()}, True),
        when(road, {"anyOf": [{"type": "null"}, {"const": ""},
                              {"type": "string", "pattern": form_rules.plate_pattern(plain=True)}]},
             False),
        when([m for m in TransportMode if m not in road and m not in (
            TransportMode.plane, TransportMode.train)],
             {"anyOf": [{"type": "null"}, {"type": "string", "format": patterns.PLAIN_TEXT,
                                           "pattern": patterns.plain_text_pattern(),
                                           "maxLength": 30}]}, False)]


class Transport(FormModel):
    model_config = ConfigDict(json_schema_extra=_transport_rules)

    mode: TransportMode = Field(examples=["car"])
    # (What the number may be is the mode's: the rules above say it, for every mode.)
    number: Annotated[Text, Documented(replace=True, type="string")] | None = Field(
        None, validate_default=True, examples=["29A-123.45"],
        description="plate (road), flight number (plane), train number")
    seat: Seat | None = None

    @field_validator("number")
    @classmethod
    def _number_fits_mode(cls, value: str | None, info: ValidationInfo) -> str | None:
        mode = info.data.get("mode")
        return form_rules.transport_number(mode.value if mode else "", value)


class Trip(FormModel):
    origin_ward: Ward
    destination_ward: Ward
    departure_date: Departure = Field(examples=["2025-11-28"])
    transport: Transport

    @field_validator("departure_date")
    @classmethod
    def _within_window(cls, value: date, info: ValidationInfo) -> date:
        return form_rules.departure(value, form_rules.today_of(info))


class Health(FormModel):
    """The last 14 days."""

    # No last dose without a dose (last_dose_without_dose), in the schema's words too.
    model_config = ConfigDict(json_schema_extra={
        "if": {"properties": {"vaccination_doses": {"const": 0}}},
        "then": {"properties": {"last_dose_date": {"type": "null"}}}})

    symptoms: list[Symptom] = Field(default_factory=list, max_length=len(Symptom),
                                    examples=[["fever", "cough"]])
    exposures: list[Exposure] = Field(default_factory=list, max_length=len(Exposure),
                                      examples=[[]])
    vaccination_doses: JsonInt = Field(0, ge=0, le=10, examples=[3])
    last_dose_date: LastDose | None = Field(None, examples=["2022-01-15"])

    @field_validator("symptoms", "exposures")
    @classmethod
    def _once_each(cls, value: list[Any]) -> list[Any]:
        return list(dict.fromkeys(value))

    @field_validator("last_dose_date")
    @classmethod
    def _sane_dose(cls, value: date | None, info: ValidationInfo) -> date | None:
        return form_rules.last_dose(value, info.data.get("vaccination_doses"), form_rules.today_of(info))


class Dependant(FormModel):
    """A family member declared by the submitter; travels on the submitter's trip."""

    person: FormPerson
    health: Health = Field(default_factory=Health)
    residence: Residence | None = Field(None, description="default: the submitter's")


def _consented(value: bool) -> bool:
    if value is not True:
        form_rules.fail("consent_required")
    return value


Consent = Annotated[JsonBool, AfterValidator(_consented),
                    Field(description="consent to the use of the data for epidemic control"),
                    Documented(const=True)]


class _Declaration(FormModel):
    residence: Residence
    trip: Trip
    health: Health = Field(default_factory=Health)
    consent: Consent
    dependants: list[Dependant] = Field(default_factory=list, max_length=9)


class DeclarationForm(_Declaration):
    """What a citizen fills in on the web (phone required), for themselves and dependants."""

    person: Submitter


class PaperForm(_Declaration):
    """A paper form typed in by an officer (phone optional)."""

    person: FormPerson

