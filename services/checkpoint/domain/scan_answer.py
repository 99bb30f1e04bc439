"""What a scan shows the officer (pydantic records with examples, the body of the scan
routes' answer): the person or vehicle, their trip, and the recommended decision."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from libs.contracts.events.checkpoint import CheckpointKind, RefusalReason
from libs.contracts.wards import Zone
from services.checkpoint.domain.recommendation import Decision, Reason, Severity, Status
from services.checkpoint.domain.records import ScanKind, Via

EXAMPLE_DECLARATION = "0198c1d2-7a3b-7c4d-8e5f-0123456789ab"


class Message(BaseModel):
    vi: str = Field(examples=["Khai có triệu chứng: fever"])
    en: str = Field(examples=["Declared symptoms: fever"])


class ReasonOut(BaseModel):
    code: str = Field(examples=["symptoms"])
    severity: Severity = Field(description="block: may not pass; refer: medical check "
                                           "recommended; note: for information")
    refusal_reason: RefusalReason | None = Field(None, description="what a refusal for this "
                                                 "reason is recorded as")
    message: Message

    @classmethod
    def of(cls, reason: Reason) -> ReasonOut:
        return cls(code=reason.code, severity=reason.severity, refusal_reason=reason.refusal,
                   message=Message(vi=reason.vi, en=reason.en))


class Recommendation(BaseModel):
    decision: Decision = Field(examples=["pass"])
    may_pass: bool = Field(description="false when a reason blocks passing (quarantine, "
                                       "expiry, rejected identity, green-lane crew)")
    reasons: list[ReasonOut]


class Trip(BaseModel):
    origin: Zone
    destination: Zone
    departure_date: date
    transport_mode: str = Field(examples=["car"])
    transport_number: str | None = Field(None, examples=["29A12345"])


class Quarantine(BaseModel):
    until: date
    place: str = Field(examples=["home"])


class EarlierRefusal(BaseModel):
    at: datetime
    checkpoint_id: str
    reason: str | None = Field(None, examples=["symptoms"])


class Person(BaseModel):
    declaration_id: str = Field(examples=[EXAMPLE_DECLARATION])
    masked_name: str = Field(examples=["Nguyễn V. A."])
    masked_document: str = Field(examples=["001******345"])
    status: Status = Field(examples=["verified"])
    rejection_reasons: list[str] = Field(examples=[[]])
    channel: str = Field(examples=["web"])
    valid_until: datetime
    trip: Trip
    symptoms: list[str] = Field(examples=[[]])
    exposures: list[str] = Field(examples=[[]])
    vaccination_doses: int = Field(examples=[3])
    quarantine: Quarantine | None = None
    earlier_refusals: list[EarlierRefusal]


class CrewMember(BaseModel):
    role: str = Field(examples=["driver"])
    declaration_id: str
    masked_name: str | None = Field(None, description="null: the declaration has not arrived")
    status: Status | None = None
    cleared: bool
    failures: list[ReasonOut]


class Vehicle(BaseModel):
    vehicle_declaration_id: str
    plate: str = Field(examples=["29C12345"])
    vehicle_type: str = Field(examples=["refrigerated_truck"])
    cargo: str = Field(examples=["Rau quả tươi"])
    permit_number: str = Field(examples=["GL-2025-000123"])
    depot: Zone
    destination: Zone
    departure_date: date
    valid_until: datetime
    crew: list[CrewMember]


class CheckpointRef(BaseModel):
    checkpoint_id: str = Field(examples=["cp-hn-noibai-airport"])
    name: str = Field(examples=["Cảng hàng không quốc tế Nội Bài"])
    kind: CheckpointKind
    ward_code: str = Field(examples=["00433"])
    ward_name: str = Field(examples=["Xã Nội Bài"])
    province_name: str = Field(examples=["Thành phố Hà Nội"])


class ScanAnswer(BaseModel):
    scan_id: str
    scanned_at: datetime
    via: Via
    checkpoint: CheckpointRef
    kind: ScanKind
    person: Person | None = None
    vehicle: Vehicle | None = None
    recommendation: Recommendation
