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

from libs.contracts.events.declaration import Exposure, Symptom, TransportMode
from libs.contracts.values import Gender, cccd_birth_facts
from services.declaration import rules

Name = Annotated[str, AfterValidator(rules.name), Field(examples=["Nguyễn Văn An"])]
NationalIdText = Annotated[str, AfterValidator(rules.national_id),
                           Field(examples=["001085012345"], description="CCCD or old CMND")]
Passport = Annotated[str, AfterValidator(rules.passport), Field(examples=["C1234567"])]
Nationality = Annotated[str, AfterValidator(rules.nationality),
                        Field(examples=["VN"], description="ISO 3166-1 alpha-2")]
Phone = Annotated[str, AfterValidator(rules.phone), Field(examples=["0912 345 678"])]
Email = Annotated[str, AfterValidator(rules.email), Field(examples=["an.nguyen@example.vn"])]
Ward = Annotated[str, BeforeValidator(rules.ward),
                 Field(examples=["00070"], description="5-digit ward/commune code (2025 units)")]
Address = Annotated[str, AfterValidator(rules.address), Field(examples=["12 Hàng Bạc"])]
Seat = Annotated[str, AfterValidator(rules.seat), Field(examples=["12A"])]
Text = Annotated[str, AfterValidator(rules.text)]


class FormModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FormPerson(FormModel):
    """One person; fields are ordered so that the ID can be checked against those before it."""

    full_name: Name
    date_of_birth: date = Field(examples=["1985-03-14"])
    gender: Gender = Field(examples=["male"])
    nationality: Nationality = "VN"
    passport: Passport | None = None
    national_id: NationalIdText | None = Field(None, validate_default=True)
    phone: Phone | None = None
    email: Email | None = None

    @field_validator("date_of_birth")
    @classmethod
    def _born_sanely(cls, value: date, info: ValidationInfo) -> date:
        return rules.date_of_birth(value, rules.today_of(info))

    @field_validator("national_id")
    @classmethod
    def _identity_document(cls, value: str | None, info: ValidationInfo) -> str | None:
        data = info.data
        if value is None:
            if "passport" in data and data["passport"] is None:
                rules.fail("identity_document_required")
            return None
        if data.get("nationality", "VN") != "VN":
            rules.fail("national_id_citizens_only")
        _check_cccd(value, data.get("date_of_birth"), data.get("gender"))
        return value


def _check_cccd(national_id: str, born: date | None, gender: Gender | None) -> None:
    """DESIGN.md §5: digits 4–6 of a CCCD encode century, gender and birth year."""
    facts = cccd_birth_facts(national_id)
    if facts is None:
        return
    year, encoded = facts
    if born is not None and born.year != year:
        rules.fail("cccd_birth_year", year=year)
    if gender is not None and gender != encoded:
        female = encoded == Gender.female
        rules.fail("cccd_gender", gender_vi="nữ" if female else "nam",
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


class Transport(FormModel):
    mode: TransportMode = Field(examples=["car"])
    number: Text | None = Field(None, validate_default=True, examples=["29A-123.45"],
                               description="plate (road), flight number (plane), train number")
    seat: Seat | None = None

    @field_validator("number")
    @classmethod
    def _number_fits_mode(cls, value: str | None, info: ValidationInfo) -> str | None:
        mode = info.data.get("mode")
        return rules.transport_number(mode.value if mode else "", value)


class Trip(FormModel):
    origin_ward: Ward
    destination_ward: Ward
    departure_date: date = Field(examples=["2025-11-28"])
    transport: Transport

    @field_validator("departure_date")
    @classmethod
    def _within_window(cls, value: date, info: ValidationInfo) -> date:
        return rules.departure(value, rules.today_of(info))


class Health(FormModel):
    """The last 14 days."""

    symptoms: list[Symptom] = Field(default_factory=list, max_length=len(Symptom),
                                    examples=[["fever", "cough"]])
    exposures: list[Exposure] = Field(default_factory=list, max_length=len(Exposure),
                                      examples=[[]])
    vaccination_doses: int = Field(0, ge=0, le=10, examples=[3])
    last_dose_date: date | None = Field(None, examples=["2022-01-15"])

    @field_validator("symptoms", "exposures")
    @classmethod
    def _once_each(cls, value: list[Any]) -> list[Any]:
        return list(dict.fromkeys(value))

    @field_validator("last_dose_date")
    @classmethod
    def _sane_dose(cls, value: date | None, info: ValidationInfo) -> date | None:
        return rules.last_dose(value, info.data.get("vaccination_doses"), rules.today_of(info))


class Dependant(FormModel):
    """A family member declared by the submitter; travels on the submitter's trip."""

    person: FormPerson
    health: Health = Field(default_factory=Health)
    residence: Residence | None = Field(None, description="default: the submitter's")


def _consented(value: bool) -> bool:
    if value is not True:
        rules.fail("consent_required")
    return value


Consent = Annotated[bool, AfterValidator(_consented),
                    Field(description="consent to the use of the data for epidemic control")]


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
