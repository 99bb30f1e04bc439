"""Movements and their bucket keys: pure, no I/O, no names or national IDs.

A movement is keyed by the event that caused it (`_id` = source event id), so
replaying or redelivering the log cannot create a second one. Besides the
movement itself, each one is filed into equality-keyed buckets, because
FerretDB v1 (SQLite) pushes only `{_id: <value>}` down to its storage; any
other filter scans the collection:

- `subject_weeks`: `_id` = "<subject_id>:<Monday, YYYY-MM-DD>" → the person's movements
  that UTC week (a 28-day timeline reads 5 buckets; a person moves a few times a day);
- `place_hours`:  `_id` = "<checkpoint_id>:<YYYY-MM-DDTHH>" → who was at a checkpoint that hour;
- `journeys`: `_id` = "<mode>:<number>:<departure, YYYY-MM-DD>" → who declared that flight,
  train, coach or ship on that day, with their seats (journeys.py).

Each bucket carries `day`, the last day it covers, for the retention purge.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from libs.runtime.mongo import Document
from libs.runtime.retention import day_of
from services.movement_trace.domain.journeys import JOURNEY_MODES, journey_id


class MovementKind(StrEnum):
    declared = "declared"
    identity_verified = "identity_verified"
    identity_rejected = "identity_rejected"
    passed = "passed"
    refused = "refused"
    ward_notified = "ward_notified"
    followed_up = "followed_up"


PRESENCE_KINDS = frozenset({MovementKind.passed, MovementKind.refused})


class Whereabouts(BaseModel):
    """What a movement tells: the stored movement and the API's timeline entry share it."""

    at: datetime
    kind: MovementKind
    declaration_id: str | None = None
    ward_code: str | None = None
    province_code: int | None = None
    destination_ward: str | None = None
    checkpoint_id: str | None = None
    checkpoint_kind: str | None = None
    direction: str | None = None
    reason: str | None = None
    lat: float | None = None
    lon: float | None = None
    # declared: the trip's transport; the number and seat only for public transport
    # (journeys.JOURNEY_MODES): a car's or a truck's number is a private plate.
    transport_mode: str | None = None
    transport_number: str | None = None
    seat: str | None = None
    departure_date: str | None = Field(None, description="YYYY-MM-DD, Viet Nam date")
    # followed_up: the ward's visit or call during a quarantine, without free text.
    quarantine_id: str | None = None
    followup_day: int | None = Field(None, description="day of the quarantine (day 1 = start)")
    reached: bool | None = None
    symptoms: list[str] | None = Field(None, description="symptom codes (declaration "
                                       "catalogue); anything else as `other`")
    temperature_c: float | None = None


class Movement(Whereabouts):
    source_event_id: str
    subject_id: str

    @property
    def is_presence(self) -> bool:
        """Being at a checkpoint: what contacts are made of."""
        return self.kind in PRESENCE_KINDS and self.checkpoint_id is not None

    @property
    def journey(self) -> str | None:
        """The journey bucket a declaration goes into (public transport with a number)."""
        if (self.kind != MovementKind.declared or self.transport_mode not in JOURNEY_MODES
                or not self.transport_number or not self.departure_date):
            return None
        return journey_id(self.transport_mode, self.transport_number, self.departure_date)


def utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def day_key(moment: datetime) -> str:
    return utc(moment).strftime("%Y-%m-%d")


def hour_key(moment: datetime) -> str:
    return utc(moment).strftime("%Y-%m-%dT%H")


def week_key(moment: datetime) -> str:
    """The Monday of the UTC week `moment` falls in."""
    day = utc(moment).date()
    return (day - timedelta(days=day.weekday())).isoformat()


def subject_week_id(subject_id: str, week: str) -> str:
    return f"{subject_id}:{week}"


def place_hour_id(checkpoint_id: str, hour: str) -> str:
    return f"{checkpoint_id}:{hour}"


def weeks_between(start: datetime, end: datetime) -> list[str]:
    """Every UTC week (by its Monday) touched by [start, end]."""
    first, last = as_date(week_key(start)), as_date(week_key(end))
    return [(first + timedelta(weeks=i)).isoformat() for i in range((last - first).days // 7 + 1)]


def hours_between(start: datetime, end: datetime) -> list[str]:
    """Every UTC hour touched by [start, end]."""
    hour = utc(start).replace(minute=0, second=0, microsecond=0)
    keys = []
    while hour <= end:
        keys.append(hour_key(hour))
        hour += timedelta(hours=1)
    return keys


def is_expired(at: datetime, now: datetime, window: timedelta) -> bool:
    return utc(at) < now - window


def to_document(movement: Movement) -> Document:
    """The stored movement: `_id` is the source event id; empty fields are left out."""
    doc = _compact(movement.model_dump(mode="python"))
    doc["_id"] = doc.pop("source_event_id")
    doc["day"] = day_of(movement.at)  # the retention purge asks for it day by day
    return doc


def from_document(doc: Document) -> Movement:
    fields = {k: v for k, v in doc.items() if k not in ("_id", "day")}
    return Movement(source_event_id=doc["_id"], **fields)


def subject_entry(movement: Movement) -> Document:
    """What a subject-week bucket holds for one movement (deterministic: `$addToSet` dedupes)."""
    doc = _compact(movement.model_dump(mode="python", exclude={"subject_id"}))
    return {"id": doc.pop("source_event_id"), **doc}


def place_entry(movement: Movement) -> Document:
    """What a place-hour bucket holds for one presence."""
    return _compact({"id": movement.source_event_id, "subject_id": movement.subject_id,
                     "checkpoint_id": movement.checkpoint_id, "at": movement.at, "kind": movement.kind.value,
                     "direction": movement.direction, "checkpoint_kind": movement.checkpoint_kind,
                     "ward_code": movement.ward_code})


def journey_entry(movement: Movement) -> Document:
    """What a journey bucket holds for one declaration: who, which seat, declared when."""
    return _compact({"id": movement.source_event_id, "subject_id": movement.subject_id,
                     "seat": movement.seat, "at": movement.at,
                     "declaration_id": movement.declaration_id})


def entry_movement(entry: Document, subject_id: str | None = None) -> Movement:
    """A movement back from a bucket entry (subject-week entries leave the subject out)."""
    fields = {k: v for k, v in entry.items() if k != "id"}
    if subject_id is not None:
        fields["subject_id"] = subject_id
    return Movement(source_event_id=entry["id"], **fields)


def bucket_writes(movement: Movement) -> list[tuple[str, str, str, Document]]:
    """(collection, bucket id, the last day the bucket covers, entry) for every bucket
    this movement goes into."""
    week = week_key(movement.at)
    sunday = (as_date(week) + timedelta(days=6)).isoformat()
    writes = [("subject_weeks", subject_week_id(movement.subject_id, week), sunday,
               subject_entry(movement))]
    if movement.is_presence:
        assert movement.checkpoint_id is not None
        writes.append(("place_hours", place_hour_id(movement.checkpoint_id, hour_key(movement.at)),
                       day_key(movement.at), place_entry(movement)))
    if (journey := movement.journey) is not None:
        # Purged whole after the later of the journey's day and the declaration's day (the
        # entries themselves expire with the declaration, like every movement).
        assert movement.departure_date is not None
        writes.append(("journeys", journey, max(movement.departure_date, day_key(movement.at)),
                       journey_entry(movement)))
    return writes


def _compact(doc: dict[str, Any]) -> Document:
    return {k: (v.value if isinstance(v, StrEnum) else v) for k, v in doc.items() if v is not None}


def as_date(day: str) -> date:
    return date.fromisoformat(day)
