"""Events produced by the declaration service."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

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
    national_id: NationalId | None = Field(
        None, description="CCCD or CMND; absent only for a foreigner declared by passport")
    passport: str | None = Field(None, pattern=r"^[A-Z0-9]{5,20}$", examples=["C1234567"],
                                 description="passport number, for foreigners")
    full_name: str = Field(examples=["Nguyễn Văn An"])
    date_of_birth: date = Field(examples=["1985-03-14"])
    gender: Gender
    nationality: str = Field("VN", examples=["VN"], description="ISO 3166-1 alpha-2")
    phone: str | None = Field(None, examples=["0912345678"])
    email: str | None = Field(None, examples=["an.nguyen@example.vn"])

    @model_validator(mode="after")
    def _has_identity_document(self) -> Person:
        if self.national_id is None and self.passport is None:
            raise ValueError("a national ID or a passport number is required")
        return self


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


class VehicleType(StrEnum):
    truck = "truck"
    container_truck = "container_truck"
    refrigerated_truck = "refrigerated_truck"
    tanker = "tanker"
    van = "van"
    bus = "bus"
    other = "other"


class CrewRole(StrEnum):
    driver = "driver"
    co_driver = "co_driver"
    assistant = "assistant"


class CrewMember(_Part):
    declaration_id: str = Field(description="the crew member's own health declaration")
    subject_id: SubjectId
    role: CrewRole


class VehicleDeclared(EventPayload):
    """A green-lane freight vehicle declared before it leaves the depot; key: the plate."""

    TYPE: ClassVar[str] = topics.VEHICLE_DECLARED

    vehicle_declaration_id: str
    plate: str = Field(pattern=r"^[0-9]{2}[A-Z]{1,2}[0-9]{4,6}$", examples=["29C12345"],
                       description="normalised: no dashes, dots or spaces")
    vehicle_type: VehicleType
    cargo: str = Field(examples=["rau quả tươi"])
    permit_number: str = Field(examples=["GL-2025-000123"], description="green-lane permit")
    origin_ward: WardCode
    destination_ward: WardCode
    depot: Place = Field(description="where the vehicle leaves from (checked before departure)")
    departure_date: date
    valid_until: datetime
    crew: list[CrewMember] = Field(min_length=1)
    entered_by: str | None = Field(None, description="officer id, when an officer entered it")


class PersonRevealed(EventPayload):
    """A staff member saw who a pseudonym is (name, date of birth, phone, addresses): the
    audit trail of re-identification. It names the person only by subject id."""

    TYPE: ClassVar[str] = topics.PERSON_REVEALED

    reveal_id: str
    subject_id: SubjectId
    declaration_id: str = Field(description="the declaration whose details were shown")
    who: str = Field(description="the staff account")
    role: str = Field(examples=["ward_official"])
    unit: str | None = Field(None, description="the staff member's unit, as the citizen sees it",
                             examples=["UBND phường Vũng Tàu"])
    purpose: str = Field(min_length=3, description="why, as the staff member stated it")
    grounds: str = Field(description="what allowed it: the ward notified, the case or "
                         "quarantine, the scan", examples=["ward 26506: arriving"])
    at: datetime


class ArrivalRegistered(EventPayload):
    """A passenger the border registered from a flight's or ship's manifest (imported at the
    declaration service): what a passport holder's declaration is verified against, and
    where quarantines for arrivals from marked countries start from."""

    TYPE: ClassVar[str] = topics.ARRIVAL_REGISTERED

    arrival_id: str = Field(description="one per passenger of one manifest")
    declaration_id: str = Field(description="the declaration the manifest row became")
    subject_id: SubjectId
    national_id: NationalId | None = Field(None, description="a Vietnamese passenger's")
    passport: str | None = Field(None, pattern=r"^[A-Z0-9]{5,20}$", examples=["M12345678"])
    nationality: str = Field(examples=["KR"], description="ISO 3166-1 alpha-2")
    full_name: str
    date_of_birth: date
    gender: Gender
    country_of_departure: str = Field(pattern=r"^[A-Z]{2}$", examples=["KR"],
                                      description="ISO 3166-1 alpha-2")
    port_of_departure: str | None = Field(None, max_length=60, examples=["ICN"])
    arrival_date: date
    transport: Transport
    entry_ward: WardCode = Field(description="the point of entry's ward")
    destination_ward: WardCode | None = None
