"""Events produced by the declaration service."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from libs.contracts import topics
from libs.contracts.envelope import EventPayload
from libs.contracts.events.common import (
    MOMENT_EXAMPLE,
    UUID_EXAMPLE,
    DeclarationId,
    StaffAccount,
    Subject,
)
from libs.contracts.values import Gender, NationalId, WardCode


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
    """Who travels, as declared (only the declaration and identity services read it)."""

    national_id: NationalId | None = Field(
        None, description="CCCD (12 digits) or old CMND (9 digits), digits only; absent only "
                          "for a foreigner declared by passport", examples=["001085012345"])
    passport: str | None = Field(None, pattern=r"^[A-Z0-9]{5,20}$", examples=["C1234567"],
                                 description="passport number (upper case, no spaces or "
                                             "dashes), for foreigners")
    full_name: str = Field(description="full name as on the identity document, with its "
                                       "diacritics (Unicode NFC)", examples=["Nguyễn Văn An"])
    date_of_birth: date = Field(description="date of birth (a CCCD's digits must agree with "
                                            "its year)", examples=["1985-03-14"])
    gender: Gender = Field(description="as on the identity document", examples=["male"])
    nationality: str = Field("VN", examples=["VN"],
                             description="ISO 3166-1 alpha-2; VN for a national ID holder")
    phone: str | None = Field(None, examples=["0912345678"],
                              description="Vietnamese mobile number, normalised to 0 and 9 "
                                          "digits; required of whoever submits on the web")
    email: str | None = Field(None, examples=["an.nguyen@example.vn"],
                              description="e-mail address, if given (notices to the citizen)")

    @model_validator(mode="after")
    def _has_identity_document(self) -> Person:
        if self.national_id is None and self.passport is None:
            raise ValueError("a national ID or a passport number is required")
        return self


class Place(_Part):
    ward_code: WardCode = Field(description="the ward or commune: official 5-digit code "
                                            "(2025 units)", examples=["00070"])
    address: str = Field("", examples=["12 Hàng Bạc"],
                         description="house number and street within the ward; may be empty")


class Residence(_Part):
    permanent: Place = Field(description="permanent residence (thường trú)")
    temporary: Place | None = Field(None, description="temporary residence (tạm trú), if any")
    current: Place = Field(description="where the person lives now (nơi ở hiện tại): the "
                                       "ward alerted about them")


class Transport(_Part):
    mode: TransportMode = Field(description="how the person travels", examples=["car"])
    number: str | None = Field(None, description="plate, flight or train number",
                               examples=["29A-123.45"])
    seat: str | None = Field(None, description="seat, for a plane, train, bus or ship "
                                               "(fellow passengers are found by it)",
                             examples=["12A"])


class Trip(_Part):
    origin_ward: WardCode = Field(description="the ward the trip starts from (notified: "
                                              "departing)", examples=["00070"])
    destination_ward: WardCode = Field(description="the ward the trip goes to (notified: "
                                                   "arriving)", examples=["26506"])
    departure_date: date = Field(description="day of departure, a Viet Nam calendar date",
                                 examples=["2026-12-08"])
    transport: Transport = Field(description="the means of transport")


class Health(_Part):
    symptoms: list[Symptom] = Field(default_factory=list, examples=[["fever", "cough"]],
                                    description="symptoms in the last 14 days; empty: none")
    exposures: list[Exposure] = Field(default_factory=list, examples=[["close_contact"]],
                                      description="exposures in the last 14 days; empty: none")
    vaccination_doses: int = Field(0, ge=0, le=10, examples=[3],
                                   description="COVID-19 vaccine doses received")
    last_dose_date: date | None = Field(None, examples=["2026-06-01"],
                                        description="day of the latest dose, if known")


class DeclarationSubmitted(EventPayload):
    TYPE: ClassVar[str] = topics.DECLARATION_SUBMITTED

    declaration_id: DeclarationId = Field(
        description="the declaration, one per traveller of a form: a UUID (v7 when new; v5 "
                    "derived from what was declared or from the idempotency key, so that a "
                    "repeated submission gets the same id)")
    subject_id: Subject = Field(description="the traveller's pseudonym (the Kafka key): "
                                            "HMAC-SHA256 (hex) of their national ID, or of "
                                            "nationality and passport for a foreigner")
    channel: Channel = Field(description="how it came in: web (the citizen's form), paper "
                                         "(an officer typed a paper form), import (a CSV file "
                                         "or a flight's or ship's manifest); assisted is "
                                         "reserved", examples=["web"])
    person: Person = Field(description="the traveller")
    residence: Residence = Field(description="the traveller's residences")
    trip: Trip = Field(description="the trip declared")
    health: Health = Field(description="the traveller's health declaration")
    valid_until: datetime = Field(description="UTC moment the declaration expires: the start "
                                              "of the departure day in Viet Nam plus the "
                                              "validity (72 hours by default)",
                                  examples=["2026-12-10T17:00:00Z"])
    entered_by: str | None = Field(None, description="the officer's account, for a paper "
                                                     "form or an import; none for the web",
                                   examples=["canbo.noibai"])


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
    declaration_id: DeclarationId = Field(description="the crew member's own health declaration")
    subject_id: Subject
    role: CrewRole = Field(description="the crew member's role on board", examples=["driver"])


class VehicleDeclared(EventPayload):
    """A green-lane freight vehicle declared before it leaves the depot; key: the plate."""

    TYPE: ClassVar[str] = topics.VEHICLE_DECLARED

    vehicle_declaration_id: str = Field(description="the vehicle declaration: a UUIDv7",
                                        examples=[UUID_EXAMPLE])
    plate: str = Field(pattern=r"^[0-9]{2}[A-Z]{1,2}[0-9]{4,6}$", examples=["29C12345"],
                       description="licence plate, normalised: no dashes, dots or spaces")
    vehicle_type: VehicleType = Field(description="kind of vehicle",
                                      examples=["refrigerated_truck"])
    cargo: str = Field(examples=["rau quả tươi"], description="what it carries, as declared")
    permit_number: str = Field(examples=["GL-2025-000123"], description="green-lane permit")
    origin_ward: WardCode = Field(description="the ward the vehicle leaves from",
                                  examples=["00070"])
    destination_ward: WardCode = Field(description="the ward it delivers to",
                                       examples=["26506"])
    depot: Place = Field(description="where the vehicle leaves from (checked before departure)")
    departure_date: date = Field(description="day of departure, a Viet Nam calendar date",
                                 examples=["2026-12-08"])
    valid_until: datetime = Field(description="UTC moment the declaration expires, counted "
                                              "like a traveller's",
                                  examples=["2026-12-10T17:00:00Z"])
    crew: list[CrewMember] = Field(min_length=1, description="everyone on board, each with "
                                                            "their own health declaration")
    entered_by: str | None = Field(None, description="officer account, when an officer "
                                                     "entered it", examples=["canbo.noibai"])


class PersonRevealed(EventPayload):
    """A staff member saw who a pseudonym is (name, date of birth, phone, addresses): the
    audit trail of re-identification. It names the person only by subject id."""

    TYPE: ClassVar[str] = topics.PERSON_REVEALED

    reveal_id: str = Field(description="this reveal: a UUIDv7", examples=[UUID_EXAMPLE])
    subject_id: Subject = Field(description="the person revealed (their pseudonym)")
    declaration_id: DeclarationId = Field(description="the declaration whose details were "
                                                      "shown")
    who: StaffAccount = Field(description="the staff account that saw them",
                              examples=["phuong.vungtau"])
    role: str = Field(examples=["ward_official"], description="the staff member's role: "
                                                              "officer, ward_official, "
                                                              "epidemiologist or admin")
    unit: str | None = Field(None, description="the staff member's unit, as the citizen sees it",
                             examples=["UBND phường Vũng Tàu"])
    purpose: str = Field(min_length=3, description="why, as the staff member stated it",
                         examples=["gọi điện hỏi thăm người đến từ vùng đỏ"])
    grounds: str = Field(description="what allowed it: the ward notified, the case or "
                         "quarantine, the scan", examples=["ward 26506: arriving"])
    at: datetime = Field(description="UTC moment the details were shown",
                         examples=[MOMENT_EXAMPLE])


class ArrivalRegistered(EventPayload):
    """A passenger the border registered from a flight's or ship's manifest (imported at the
    declaration service): what a passport holder's declaration is verified against, and
    where quarantines for arrivals from marked countries start from."""

    TYPE: ClassVar[str] = topics.ARRIVAL_REGISTERED

    arrival_id: str = Field(description="one per passenger of one manifest: 32 hex digits "
                                        "derived from the flight or ship, the day and the "
                                        "passenger", examples=["3f9a0c2e4b6d8f1a3c5e7b9d0f2a4c6e"])
    declaration_id: DeclarationId = Field(description="the declaration the manifest row became")
    subject_id: Subject = Field(description="the passenger's pseudonym")
    national_id: NationalId | None = Field(None, description="a Vietnamese passenger's CCCD or "
                                                             "CMND", examples=["001085012345"])
    passport: str | None = Field(None, pattern=r"^[A-Z0-9]{5,20}$", examples=["M12345678"],
                                 description="passport number (upper case, no spaces or dashes)")
    nationality: str = Field(examples=["KR"], description="ISO 3166-1 alpha-2")
    full_name: str = Field(description="name as on the manifest", examples=["KIM MIN JUN"])
    date_of_birth: date = Field(description="date of birth", examples=["1990-05-01"])
    gender: Gender = Field(description="as on the manifest", examples=["male"])
    country_of_departure: str = Field(pattern=r"^[A-Z]{2}$", examples=["KR"],
                                      description="ISO 3166-1 alpha-2 of the country the "
                                                  "flight or ship left (marked countries "
                                                  "lead to quarantine)")
    port_of_departure: str | None = Field(None, max_length=60, examples=["ICN"],
                                          description="airport or port it left, if known")
    arrival_date: date = Field(description="day of arrival, a Viet Nam calendar date",
                               examples=["2026-11-27"])
    transport: Transport = Field(description="the flight or ship (number and seat)")
    entry_ward: WardCode = Field(description="the point of entry's ward", examples=["00070"])
    destination_ward: WardCode | None = Field(None, description="the ward the passenger goes "
                                                                "to, if declared",
                                              examples=["26506"])
