"""How a movement is stored: its document, and the buckets it is filed into.

A movement is keyed by the event that caused it (`_id` = source event id), so
replaying or redelivering the log cannot create a second one. Besides the
movement itself, each one is filed into equality-keyed buckets, because
FerretDB v1 (SQLite) pushes only `{_id: <value>}` down to its storage; any
other filter scans the collection:

- `subject_weeks`: `_id` = "<subject_id>:<Monday, YYYY-MM-DD>" → the person's movements
  that UTC week (a 28-day timeline reads 5 buckets; a person moves a few times a day);
- `place_hours`:  `_id` = "<checkpoint_id>:<YYYY-MM-DDTHH>" → who was at a checkpoint that hour;
- `journeys`: `_id` = "<mode>:<number>:<departure, YYYY-MM-DD>" → who declared that flight,
  train, coach or ship on that day, with their seats (domain/journeys.py).

Each bucket carries `day`, the last day it covers, for the retention purge. (The
dashboard's counters, per Viet Nam day, are store/tallies.py's.)
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Any

from libs.runtime.mongo import Document
from libs.runtime.retention import day_of
from services.movement_trace.domain.journeys import Passenger
from services.movement_trace.domain.movements import Movement, as_date, day_key, hour_key, week_key


def subject_week_id(subject_id: str, week: str) -> str:
    return f"{subject_id}:{week}"


def place_hour_id(checkpoint_id: str, hour: str) -> str:
    return f"{checkpoint_id}:{hour}"


def to_document(movement: Movement) -> Document:
    """The stored movement: `_id` is the source event id; empty fields are left out. (A
    counted one also names the piece of the write that counted it, `tally`: see
    store/tallies.py.)"""
    doc = _compact(movement.model_dump(mode="python"))
    doc["_id"] = doc.pop("source_event_id")
    doc["day"] = day_of(movement.at)  # the retention purge asks for it day by day
    return doc


def from_document(doc: Document) -> Movement:
    fields = {k: v for k, v in doc.items() if k not in ("_id", "day", "tally")}
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




def passenger(entry: Document) -> Passenger:
    """A journey bucket's entry as the contact search reads it."""
    return Passenger(id=entry["id"], subject_id=entry["subject_id"], seat=entry.get("seat"),
                     at=entry["at"], declaration_id=entry.get("declaration_id"))
