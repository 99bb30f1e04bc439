"""The projection from events to movements: deterministic, no I/O, no names or IDs.

A movement is keyed by the event that caused it (`_id` = source event id), so
replaying or redelivering the log cannot create a second one.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import DeclarationSubmitted
from libs.contracts.values import province_of_ward


class MovementKind(StrEnum):
    declared = "declared"


class Movement(BaseModel):
    source_event_id: str
    subject_id: str
    at: datetime
    kind: MovementKind
    ward_code: str
    province_code: int
    declaration_id: str
    destination_ward: str | None = None


def from_declaration(event: Envelope[DeclarationSubmitted]) -> Movement:
    trip = event.payload.trip
    return Movement(
        source_event_id=event.event_id,
        subject_id=event.payload.subject_id,
        at=event.occurred_at,
        kind=MovementKind.declared,
        ward_code=trip.origin_ward,
        province_code=province_of_ward(trip.origin_ward),
        declaration_id=event.payload.declaration_id,
        destination_ward=trip.destination_ward,
    )


def to_document(movement: Movement) -> dict[str, Any]:
    doc = movement.model_dump(mode="python")
    doc["_id"] = doc.pop("source_event_id")
    return doc
