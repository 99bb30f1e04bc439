"""The projection: one consumed event → one movement (deterministic, no I/O; a follow-up
that names nobody → none).

Only pseudonymous facts are kept: the subject id, times, places, ids of
declarations and checkpoints. Names, national IDs, phones, addresses, officer
ids and vehicle plates never leave the event (DESIGN.md §5).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from libs.contracts.envelope import Envelope, EventPayload
from libs.contracts.events.checkpoint import CheckpointPassed, CheckpointRefused
from libs.contracts.events.declaration import DeclarationSubmitted
from libs.contracts.events.identity import IdentityRejected, IdentityVerified
from libs.contracts.events.notification import FollowupRecorded, WardNotified
from libs.contracts.values import province_of_ward
from services.movement_trace.domain.followups import symptom_codes
from services.movement_trace.domain.journeys import JOURNEY_MODES, journey_number
from services.movement_trace.domain.movements import Movement, MovementKind, utc


def _ms(moment: datetime) -> datetime:
    # BSON dates keep milliseconds; trimming here keeps live, replayed and stored values equal.
    moment = utc(moment)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _province(ward_code: str | None) -> int | None:
    return province_of_ward(ward_code) if ward_code else None


def from_declaration(event: Envelope[DeclarationSubmitted]) -> Movement:
    """The declared trip; a flight's, train's, coach's or ship's number and seat too (the
    journey its passengers share), never a private vehicle's plate."""
    trip = event.payload.trip
    mode = trip.transport.mode.value
    public = mode in JOURNEY_MODES and bool(trip.transport.number)
    seat = (trip.transport.seat or "").strip().upper() or None
    return Movement(
        source_event_id=event.event_id, subject_id=event.payload.subject_id,
        at=_ms(event.occurred_at), kind=MovementKind.declared,
        declaration_id=event.payload.declaration_id, ward_code=trip.origin_ward,
        province_code=_province(trip.origin_ward), destination_ward=trip.destination_ward,
        transport_mode=mode, departure_date=trip.departure_date.isoformat(),
        transport_number=journey_number(trip.transport.number or "") if public else None,
        seat=seat if public else None)


def from_identity_verified(event: Envelope[IdentityVerified]) -> Movement:
    ward = event.payload.registered_permanent_ward
    return Movement(
        source_event_id=event.event_id, subject_id=event.payload.subject_id,
        at=_ms(event.occurred_at), kind=MovementKind.identity_verified,
        declaration_id=event.payload.declaration_id, ward_code=ward, province_code=_province(ward))


def from_identity_rejected(event: Envelope[IdentityRejected]) -> Movement:
    return Movement(
        source_event_id=event.event_id, subject_id=event.payload.subject_id,
        at=_ms(event.occurred_at), kind=MovementKind.identity_rejected,
        declaration_id=event.payload.declaration_id,
        reason=",".join(sorted(r.value for r in event.payload.reasons)))


def from_checkpoint(event: Envelope[CheckpointPassed]) -> Movement:
    """A passage or a refusal, at the time the officer recorded it (`at`), not when it was sent."""
    payload = event.payload
    refused = isinstance(payload, CheckpointRefused)
    return Movement(
        source_event_id=event.event_id, subject_id=payload.subject_id, at=_ms(payload.at),
        kind=MovementKind.refused if refused else MovementKind.passed,
        declaration_id=payload.declaration_id, ward_code=payload.ward_code,
        province_code=_province(payload.ward_code), checkpoint_id=payload.checkpoint_id,
        checkpoint_kind=payload.kind.value, direction=payload.direction.value,
        reason=payload.reason.value if isinstance(payload, CheckpointRefused) else None,
        # Coordinates travel only if the contract carries them (an optional, additive field).
        lat=getattr(payload, "latitude", None), lon=getattr(payload, "longitude", None))


def from_ward_notified(event: Envelope[WardNotified]) -> Movement:
    ward = event.payload.ward_code
    return Movement(
        source_event_id=event.event_id, subject_id=event.payload.subject_id,
        at=_ms(event.occurred_at), kind=MovementKind.ward_notified,
        declaration_id=event.payload.declaration_id, ward_code=ward,
        province_code=_province(ward), reason=event.payload.reason.value)


def from_followup(event: Envelope[FollowupRecorded]) -> Movement | None:
    """A follow-up visit or call: reached or not, symptom codes, temperature; the official's
    words are not kept (anything outside the catalogue is `other`), nor who recorded it.
    Without a subject id (producers before it was added) it cannot be placed: skipped."""
    p = event.payload
    if p.subject_id is None:
        return None
    return Movement(
        source_event_id=event.event_id, subject_id=p.subject_id, at=_ms(event.occurred_at),
        kind=MovementKind.followed_up, ward_code=p.ward_code, province_code=_province(p.ward_code),
        quarantine_id=p.quarantine_id, followup_day=p.day, reached=p.reached,
        symptoms=symptom_codes(p.symptoms), temperature_c=p.temperature_c)


Projector = Callable[[Envelope[Any]], Movement | None]

PROJECTORS: dict[type[EventPayload], Projector] = {
    DeclarationSubmitted: from_declaration,
    IdentityVerified: from_identity_verified,
    IdentityRejected: from_identity_rejected,
    CheckpointPassed: from_checkpoint,
    CheckpointRefused: from_checkpoint,
    WardNotified: from_ward_notified,
    FollowupRecorded: from_followup,
}


def project(event: Envelope[Any]) -> Movement | None:
    """The event's movement; None for an event that names nobody (skipped)."""
    return PROJECTORS[type(event.payload)](event)
