"""Who gets told what: from events to ward notifications. Pure, no I/O.

A notification is identified by (subject, declaration, ward, reason): its id is
a hash of those four, so a redelivered or replayed event, or a second replica,
can only ever produce the same document. Names and national IDs never enter
here; the declaration view keeps only wards, dates and the subject id.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from libs.contracts.envelope import Envelope
from libs.contracts.events.checkpoint import CheckpointPassed, CheckpointRefused
from libs.contracts.events.declaration import DeclarationSubmitted
from libs.contracts.events.identity import IdentityRejected
from libs.contracts.events.notification import NotifyReason, WardNotified
from services.ward_notification.wards import ward_label

PRODUCER = "ward-notification"


class AlertCause(StrEnum):
    identity_rejected = "identity_rejected"
    checkpoint_refused = "checkpoint_refused"


class DeclarationView(BaseModel):
    """What this service keeps of a declaration: no name, no ID number."""

    model_config = ConfigDict(frozen=True)

    declaration_id: str
    subject_id: str
    origin_ward: str
    destination_ward: str
    current_ward: str
    departure_date: date
    transport_mode: str
    transport_number: str | None = None
    symptoms: list[str] = Field(default_factory=list)
    exposures: list[str] = Field(default_factory=list)


class Notification(BaseModel):
    model_config = ConfigDict(frozen=True)

    notification_id: str
    ward_code: str
    subject_id: str
    declaration_id: str
    reason: NotifyReason
    cause: AlertCause | None = None
    detail: dict[str, Any]
    fact_id: str = Field(description="natural key of the fact that caused it (passage, event)")
    source_event_id: str
    correlation_id: str | None = None


def notification_id(subject_id: str, declaration_id: str, ward_code: str,
                    reason: NotifyReason) -> str:
    key = "\x1f".join((subject_id, declaration_id, ward_code, reason.value))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def view_of(event: Envelope[DeclarationSubmitted]) -> DeclarationView:
    p = event.payload
    return DeclarationView(
        declaration_id=p.declaration_id, subject_id=p.subject_id,
        origin_ward=p.trip.origin_ward, destination_ward=p.trip.destination_ward,
        current_ward=p.residence.current.ward_code, departure_date=p.trip.departure_date,
        transport_mode=p.trip.transport.mode.value, transport_number=p.trip.transport.number,
        symptoms=[s.value for s in p.health.symptoms],
        exposures=[e.value for e in p.health.exposures])


def _make(view: DeclarationView, event: Envelope[Any], ward: str, reason: NotifyReason,
          detail: dict[str, Any], fact_id: str, cause: AlertCause | None = None) -> Notification:
    return Notification(
        notification_id=notification_id(view.subject_id, view.declaration_id, ward, reason),
        ward_code=ward, subject_id=view.subject_id, declaration_id=view.declaration_id,
        reason=reason, cause=cause, detail=detail, fact_id=fact_id,
        source_event_id=event.event_id, correlation_id=event.correlation_id)


def from_declaration(view: DeclarationView, event: Envelope[DeclarationSubmitted]
                     ) -> list[Notification]:
    """The destination expects an arrival, the origin sees a departure."""
    day = view.departure_date.isoformat()
    transport = {"mode": view.transport_mode, "number": view.transport_number}
    arriving = {"origin_ward": view.origin_ward, "origin_ward_name": ward_label(view.origin_ward),
                "expected_date": day, "transport": transport, "symptoms": view.symptoms,
                "exposures": view.exposures}
    departing = {"destination_ward": view.destination_ward,
                 "destination_ward_name": ward_label(view.destination_ward),
                 "departure_date": day, "transport": transport}
    fact = view.declaration_id
    return [_make(view, event, view.destination_ward, NotifyReason.arriving, arriving, fact),
            _make(view, event, view.origin_ward, NotifyReason.departing, departing, fact)]


def _passage(p: CheckpointPassed) -> dict[str, Any]:
    return {"passage_id": p.passage_id, "checkpoint_id": p.checkpoint_id, "kind": p.kind.value,
            "checkpoint_ward": p.ward_code, "direction": p.direction.value,
            "at": p.at.astimezone(UTC).isoformat(), "vehicle_plate": p.vehicle_plate}


def from_dependent(view: DeclarationView, event: Envelope[Any]) -> Notification:
    """A checkpoint or identity event, once its declaration is known."""
    p = event.payload
    if isinstance(p, CheckpointRefused):
        detail = {**_passage(p), "refusal_reason": p.reason.value}
        return _make(view, event, view.current_ward, NotifyReason.alert, detail, p.passage_id,
                     AlertCause.checkpoint_refused)
    if isinstance(p, CheckpointPassed):
        detail = {**_passage(p), "expected_date": view.departure_date.isoformat()}
        return _make(view, event, view.destination_ward, NotifyReason.passed, detail,
                     p.passage_id)
    if isinstance(p, IdentityRejected):
        detail = {"rejection_reasons": [r.value for r in p.reasons]}
        return _make(view, event, view.current_ward, NotifyReason.alert, detail, event.event_id,
                     AlertCause.identity_rejected)
    raise TypeError(f"no notification for {event.type}")


def ward_notified(n: Notification) -> Envelope[WardNotified]:
    payload = WardNotified(notification_id=n.notification_id, ward_code=n.ward_code,
                           subject_id=n.subject_id, reason=n.reason,
                           declaration_id=n.declaration_id)
    return Envelope.wrap(payload, producer=PRODUCER,
                         correlation_id=n.correlation_id or n.source_event_id,
                         causation_id=n.source_event_id)


# --- days and buckets: the equality keys that stand in for range queries on FerretDB ---

def ward_day(ward_code: str, day: date) -> str:
    return f"{ward_code}:{day.isoformat()}"


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def feed_bucket(moment: datetime, bucket_s: int) -> int:
    """Start of the feed bucket that holds `moment`, in Unix seconds."""
    seconds = int(moment.timestamp())
    return seconds - seconds % bucket_s


def feed_key(ward_code: str, bucket: int) -> str:
    return f"{ward_code}:{bucket}"
