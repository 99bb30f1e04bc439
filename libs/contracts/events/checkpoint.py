"""Events produced by the checkpoint service."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from libs.contracts import topics
from libs.contracts.envelope import EventPayload
from libs.contracts.events.common import (
    MOMENT_EXAMPLE,
    UUID_EXAMPLE,
    DeclarationId,
    StaffAccount,
    Subject,
)
from libs.contracts.values import WardCode

CHECKPOINT_EXAMPLE = "cp-hn-noibai-airport"


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

    passage_id: str = Field(description="the passage: the scan's id for a person; for each "
                                        "crew member of a vehicle scan a UUIDv5 derived from "
                                        "the scan and their declaration", examples=[UUID_EXAMPLE])
    declaration_id: DeclarationId = Field(description="the declaration shown (scanned or "
                                                      "looked up)")
    subject_id: Subject = Field(description="the traveller's pseudonym")
    checkpoint_id: str = Field(description="the checkpoint, as its registry at the checkpoint "
                                           "service names it", examples=[CHECKPOINT_EXAMPLE])
    kind: CheckpointKind = Field(description="what kind of place the checkpoint is",
                                 examples=["airport"])
    ward_code: WardCode = Field(description="the checkpoint's ward", examples=["00070"])
    direction: Direction = Field(description="into the ward, out of it, or through it",
                                 examples=["in"])
    officer_id: StaffAccount = Field(description="the officer who decided")
    at: datetime = Field(description="UTC moment of the passage (of the scan)",
                         examples=[MOMENT_EXAMPLE])
    vehicle_plate: str | None = Field(None, description="the vehicle's plate, if any: upper "
                                                        "case, no spaces, dots or dashes",
                                      examples=["29A12345"])
    latitude: float | None = Field(None, ge=-90, le=90, examples=[21.2187],
                                   description="the checkpoint's latitude (WGS 84), if known")
    longitude: float | None = Field(None, ge=-180, le=180, examples=[105.8042],
                                    description="the checkpoint's longitude (WGS 84), if known")


class CheckpointRefused(CheckpointPassed):
    """Same fields as a passage, with why the traveller was turned back."""

    TYPE: ClassVar[str] = topics.CHECKPOINT_REFUSED

    reason: RefusalReason = Field(description="why the officer refused the passage",
                                  examples=["symptoms"])


class CheckpointScanned(EventPayload):
    """An officer scanned (or looked up) a traveller's declaration: for a few minutes that
    officer may see the person behind it (a reveal at the declaration service)."""

    TYPE: ClassVar[str] = topics.CHECKPOINT_SCANNED

    scan_id: str = Field(description="the scanner's id of this scan (a UUID)",
                         examples=[UUID_EXAMPLE])
    declaration_id: DeclarationId = Field(description="the declaration scanned or looked up")
    subject_id: Subject = Field(description="the traveller's pseudonym")
    checkpoint_id: str = Field(description="where it was scanned", examples=[CHECKPOINT_EXAMPLE])
    officer_id: StaffAccount = Field(description="the officer's account at the identity "
                                                 "provider")
    at: datetime = Field(description="UTC moment of the scan", examples=[MOMENT_EXAMPLE])
