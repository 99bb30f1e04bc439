"""Events produced by the checkpoint service."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from libs.contracts import topics
from libs.contracts.envelope import EventPayload
from libs.contracts.values import SubjectId, WardCode


class CheckpointKind(StrEnum):
    road = "road"
    supermarket = "supermarket"
    market = "market"
    bus_station = "bus_station"
    railway_station = "railway_station"
    port = "port"
    airport = "airport"
    border_gate = "border_gate"
    depot = "depot"
    venue = "venue"


class Direction(StrEnum):
    in_ = "in"
    out = "out"
    through = "through"


class RefusalReason(StrEnum):
    symptoms = "symptoms"
    exposure = "exposure"
    expired = "expired"
    identity_rejected = "identity_rejected"
    referred_to_medical = "referred_to_medical"
    quarantined = "quarantined"
    not_verified = "not_verified"  # identity not (yet) verified: a green-lane crew member


class CheckpointPassed(EventPayload):
    TYPE: ClassVar[str] = topics.CHECKPOINT_PASSED

    passage_id: str
    declaration_id: str
    subject_id: SubjectId
    checkpoint_id: str
    kind: CheckpointKind
    ward_code: WardCode
    direction: Direction
    officer_id: str
    at: datetime
    vehicle_plate: str | None = None
    latitude: float | None = Field(None, ge=-90, le=90,
                                   description="the checkpoint's position (WGS 84), if known")
    longitude: float | None = Field(None, ge=-180, le=180)


class CheckpointRefused(CheckpointPassed):
    TYPE: ClassVar[str] = topics.CHECKPOINT_REFUSED

    reason: RefusalReason


class CheckpointScanned(EventPayload):
    """An officer scanned (or looked up) a traveller's declaration: for a few minutes that
    officer may see the person behind it (a reveal at the declaration service)."""

    TYPE: ClassVar[str] = topics.CHECKPOINT_SCANNED

    scan_id: str = Field(description="the scanner's id of this scan")
    declaration_id: str
    subject_id: SubjectId
    checkpoint_id: str
    officer_id: str = Field(description="the officer's account at the identity provider")
    at: datetime
