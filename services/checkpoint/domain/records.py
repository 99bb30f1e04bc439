"""The typed records that cross from the store to the use cases and the routes.

The stores (`store/`) turn each into its document and back; nothing else sees a
document, so a field renamed in a store fails in mypy, not at run time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from libs.contracts.envelope import Envelope
from libs.contracts.events.checkpoint import (
    CheckpointKind,
    CheckpointPassed,
    CheckpointRefused,
    CheckpointScanned,
    Direction,
    RefusalReason,
)
from libs.contracts.jsontypes import JsonObject
from services.checkpoint.domain.passage_events import Place, Traveller
from services.checkpoint.domain.recommendation import Decision
from services.checkpoint.domain.venues import Stay

Via = Literal["qr", "lookup", "offline"]
ScanKind = Literal["declaration", "vehicle"]
# The QR issuer's JSON Web Key Set as fetched: outside JSON, checked key by key when used
# (libs.runtime.qr_tokens.QrVerifier.from_jwks).
Jwks = JsonObject


# --- the registry -------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class CheckpointFields:
    """A checkpoint as an admin describes it."""

    name: str
    kind: CheckpointKind
    ward_code: str
    latitude: float | None = None
    longitude: float | None = None
    active: bool = True
    stay_max_minutes: int | None = None  # venues: their own automatic check-out
    source: str | None = None


@dataclass(frozen=True, kw_only=True)
class Checkpoint(CheckpointFields):
    """A checkpoint of the registry, as stored."""

    checkpoint_id: str
    province_code: int
    updated_at: datetime
    updated_by: str | None = None

    @property
    def place(self) -> Place:
        return Place(self.checkpoint_id, self.kind, self.ward_code, self.latitude,
                     self.longitude)


@dataclass(frozen=True)
class CheckpointFilter:
    """Equality filters of the registry's listing; None: any."""

    kind: CheckpointKind | None = None
    province_code: int | None = None
    active: bool | None = None

    def admits(self, checkpoint: Checkpoint) -> bool:
        return all(wanted is None or wanted == have for wanted, have in (
            (self.kind, checkpoint.kind), (self.province_code, checkpoint.province_code),
            (self.active, checkpoint.active)))


# --- the views of other services' events --------------------------------------------

@dataclass(frozen=True, kw_only=True)
class Declaration:
    """A declaration as a checkpoint keeps it: masked identity, trip, flags, validity;
    with its identity verdict when read (`pending` until one arrives)."""

    declaration_id: str
    subject_id: str
    lookup_key: str  # a keyed hash of (subject, date of birth): no ID is stored
    masked_name: str
    masked_document: str
    channel: str
    origin_ward: str
    destination_ward: str
    departure_date: date
    transport_mode: str
    transport_number: str | None
    symptoms: list[str]
    exposures: list[str]
    vaccination_doses: int
    valid_until: datetime
    submitted_at: datetime | None
    verdict: str = "pending"
    rejection_reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """An identity verdict on a declaration; the one with the later `key` wins."""

    declaration_id: str
    subject_id: str
    verdict: str  # verified / rejected
    rejection_reasons: list[str]
    key: str  # libs.contracts.ordering.order_key
    matters_until: datetime  # after it no declaration it could concern is valid


@dataclass(frozen=True, kw_only=True)
class ZoneChange:
    event_id: str
    level: int
    effective_at: datetime
    key: str


@dataclass(frozen=True, kw_only=True)
class QuarantineOrder:
    quarantine_id: str
    start: date
    end: date
    place: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class QuarantineRelease:
    quarantine_id: str
    released_at: datetime
    early: bool


@dataclass(frozen=True, kw_only=True)
class QuarantineState:
    """What this service knows of one quarantine: its order and its release, met in either
    order (a release may come first: the order then is never in force)."""

    quarantine_id: str
    order: QuarantineOrder | None = None
    released_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class Refusal:
    """A refusal recorded here, shown on the person's next scans."""

    at: datetime
    checkpoint_id: str
    reason: str | None


@dataclass(frozen=True)
class Standing:
    """One person's quarantines and their refusals here, newest refusal first."""

    quarantines: list[QuarantineState] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class CrewEntry:
    declaration_id: str
    subject_id: str
    role: str


@dataclass(frozen=True, kw_only=True)
class VehicleDeclaration:
    """A green-lane vehicle and its crew, checked at the depot."""

    vehicle_declaration_id: str
    plate: str
    vehicle_type: str
    cargo: str
    permit_number: str
    origin_ward: str
    destination_ward: str
    depot_ward: str
    departure_date: date
    valid_until: datetime
    crew: list[CrewEntry]


# --- scans, passages, stays -----------------------------------------------------------

@dataclass(frozen=True)
class CrewRefusal:
    """Whom a refused departure of a vehicle is recorded against, and why."""

    traveller: Traveller
    reason: RefusalReason


@dataclass(frozen=True, kw_only=True)
class Scan:
    """What an officer scanned and was shown, so that the decision that follows — perhaps
    queued offline — is judged on it. `events`: its `checkpoint.scanned` (to publish)."""

    scan_id: str
    checkpoint_id: str
    officer_id: str
    at: datetime
    via: Via
    may_pass: bool
    recommended: Decision
    kind: ScanKind
    target_id: str  # the declaration or vehicle declaration
    issued_at: datetime | None  # of the QR (scans stored before it have none)
    travellers: list[Traveller]
    suggested_refusal: RefusalReason | None = None  # a person
    plate: str | None = None  # a vehicle
    crew_refusals: list[CrewRefusal] = field(default_factory=list)  # a vehicle
    events: list[Envelope[CheckpointScanned]] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class EventRef:
    """An event a passage caused. `subject_id` and `reason` are kept for an officer's
    decision (its refusals are noted on the person), not for a system check-out."""

    type: str
    passage_id: str
    declaration_id: str
    subject_id: str | None = None
    reason: str | None = None


PassageEvent = Envelope[CheckpointPassed] | Envelope[CheckpointRefused]


@dataclass(frozen=True, kw_only=True)
class Passage:
    """A decision at a checkpoint (or a system check-out), with the events it publishes."""

    passage_id: str
    place: Place
    officer_id: str
    decision: Decision
    reason: str | None
    direction: Direction
    vehicle_plate: str | None
    at: datetime
    travellers: list[Traveller]
    source: str  # officer, or the system for automatic and move-on check-outs
    recorded_at: datetime
    refs: list[EventRef]
    stay_id: str | None = None  # a check-out: the stay it closes
    events: list[PassageEvent] = field(default_factory=list)

    @property
    def checkpoint_id(self) -> str:
        return self.place.checkpoint_id

    def outcome(self) -> tuple[str, str, str | None, str | None]:
        """What a repeat of the decision must match."""
        return self.decision.value, self.direction.value, self.reason, self.vehicle_plate


@dataclass(frozen=True)
class OpenStay:
    """A person's open venue stay, and where it is (for the check-out's event)."""

    stay: Stay
    place: Place


@dataclass(frozen=True, kw_only=True)
class DecisionRequest:
    """An officer's decision on a scan, as sent (perhaps queued offline)."""

    scan_id: str
    decision: Decision
    reason: RefusalReason | None = None
    direction: Direction | None = None
    vehicle_plate: str | None = None
    at: datetime | None = None
    checkpoint_id: str | None = None  # with `token`: a scan made offline
    token: str | None = None
