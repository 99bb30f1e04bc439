"""Who gets told what: from events to ward notifications. Pure, no I/O.

A notification is identified by (subject, declaration, ward, reason): its id is
a hash of those four, so a redelivered or replayed event, or a second replica,
can only ever produce the same document. Names and national IDs never enter
here; the declaration view keeps only wards, dates and the subject id.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, date, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from libs.contracts.envelope import Envelope
from libs.contracts.events.checkpoint import CheckpointPassed, CheckpointRefused
from libs.contracts.events.declaration import DeclarationSubmitted
from libs.contracts.events.identity import IdentityRejected
from libs.contracts.events.notification import NotifyReason, WardNotified
from libs.contracts.wards import ward_label
from services.ward_notification.domain.errors import CursorInvalid, RangeInvalid, RangeTooLong
from services.ward_notification.domain.records import AlertCause, DependentEvent, Detail

PRODUCER = "ward-notification"


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
    detail: Detail
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


def _make(view: DeclarationView, event: Envelope[DeclarationSubmitted] | DependentEvent,
          ward: str, reason: NotifyReason, detail: Detail, fact_id: str,
          cause: AlertCause | None = None) -> Notification:
    return Notification(
        notification_id=notification_id(view.subject_id, view.declaration_id, ward, reason),
        ward_code=ward, subject_id=view.subject_id, declaration_id=view.declaration_id,
        reason=reason, cause=cause, detail=detail, fact_id=fact_id,
        source_event_id=event.event_id, correlation_id=event.correlation_id)


def from_declaration(view: DeclarationView, event: Envelope[DeclarationSubmitted]
                     ) -> list[Notification]:
    """The destination expects an arrival, the origin sees a departure."""
    day = view.departure_date.isoformat()
    transport: Detail = {"mode": view.transport_mode, "number": view.transport_number}
    arriving: Detail = {"origin_ward": view.origin_ward, "origin_ward_name": ward_label(view.origin_ward),
                "expected_date": day, "transport": transport, "symptoms": view.symptoms,
                "exposures": view.exposures}
    departing: Detail = {"destination_ward": view.destination_ward,
                 "destination_ward_name": ward_label(view.destination_ward),
                 "departure_date": day, "transport": transport}
    fact = view.declaration_id
    return [_make(view, event, view.destination_ward, NotifyReason.arriving, arriving, fact),
            _make(view, event, view.origin_ward, NotifyReason.departing, departing, fact)]


def _passage(p: CheckpointPassed) -> Detail:
    return {"passage_id": p.passage_id, "checkpoint_id": p.checkpoint_id, "kind": p.kind.value,
            "checkpoint_ward": p.ward_code, "direction": p.direction.value,
            "at": p.at.astimezone(UTC).isoformat(), "vehicle_plate": p.vehicle_plate}


def from_dependent(view: DeclarationView, event: DependentEvent) -> Notification:
    """A checkpoint or identity event, once its declaration is known."""
    p = event.payload
    if isinstance(p, CheckpointRefused):
        detail: Detail = {**_passage(p), "refusal_reason": p.reason.value}
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


# --- days and buckets ---

def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def feed_bucket(moment: datetime, bucket_s: int) -> int:
    """Start of the feed bucket that holds `moment`, in Unix seconds."""
    seconds = int(moment.timestamp())
    return seconds - seconds % bucket_s



# --- the inbox's day ranges ---

MAX_DAYS = 31
DEFAULT_DAYS = 7


def day_range(first: date | None, last: date | None, today: date) -> list[date]:
    """The local days asked for: `last` defaults to today, `first` to a week before it."""
    last = last or today
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise RangeInvalid
    if (last - first).days >= MAX_DAYS:
        raise RangeTooLong(MAX_DAYS)
    return days_between(first, last)


# --- the inbox's paging cursor: (created_at, id) of the last notification of a page ---

def encode_cursor(created_at: datetime, notification_id: str) -> str:
    raw = json.dumps([created_at.isoformat(), notification_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        at, last_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return datetime.fromisoformat(at), str(last_id)
    except (ValueError, TypeError):
        raise CursorInvalid(cursor) from None
