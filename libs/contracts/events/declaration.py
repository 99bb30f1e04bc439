"""Events produced by the declaration service."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from libs.contracts import topics
from libs.contracts.envelope import EventPayload
from libs.contracts.values import Gender, NationalId, SubjectId, WardCode


class Channel(StrEnum):
    web = "web"
    paper = "paper"
    assisted = "assisted"
    import_ = "import"


class TransportMode(StrEnum):
    car = "car"
    motorbike = "motorbike"
    bus = "bus"
    train = "train"
    plane = "plane"
    ship = "ship"
    truck = "truck"
    other = "other"


class Symptom(StrEnum):
    fever = "fever"
    cough = "cough"
    shortness_of_breath = "shortness_of_breath"
    sore_throat = "sore_throat"
    nausea_vomiting = "nausea_vomiting"
    diarrhoea = "diarrhoea"
    skin_haemorrhage = "skin_haemorrhage"
    skin_rash = "skin_rash"


class Exposure(StrEnum):
    close_contact = "close_contact"
    lockdown_area = "lockdown_area"
    outbreak_area_contact = "outbreak_area_contact"


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Person(_Part):
    national_id: NationalId
    full_name: str = Field(examples=["Nguyễn Văn An"])
    date_of_birth: date = Field(examples=["1985-03-14"])
    gender: Gender
    nationality: str = Field("VN", examples=["VN"], description="ISO 3166-1 alpha-2")
    phone: str | None = Field(None, examples=["0912345678"])


class Place(_Part):
    ward_code: WardCode
    address: str = Field("", examples=["12 Hàng Bạc"])


class Residence(_Part):
    permanent: Place
    temporary: Place | None = None
    current: Place


class Transport(_Part):
    mode: TransportMode
    number: str | None = Field(None, description="plate, flight or train number",
                               examples=["29A-123.45"])
    seat: str | None = None


class Trip(_Part):
    origin_ward: WardCode
    destination_ward: WardCode
    departure_date: date
    transport: Transport


class Health(_Part):
    symptoms: list[Symptom] = Field(default_factory=list)
    exposures: list[Exposure] = Field(default_factory=list)
    vaccination_doses: int = Field(0, ge=0, le=10)
    last_dose_date: date | None = None


class DeclarationSubmitted(EventPayload):
    TYPE: ClassVar[str] = topics.DECLARATION_SUBMITTED

    declaration_id: str
    subject_id: SubjectId
    channel: Channel
    person: Person
    residence: Residence
    trip: Trip
    health: Health
    valid_until: datetime
    entered_by: str | None = Field(None, description="officer id, for paper forms")
