"""Building `checkpoint.passed` / `checkpoint.refused` (pure)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from libs.contracts.envelope import Envelope
from libs.contracts.events.checkpoint import (
    CheckpointKind,
    CheckpointPassed,
    CheckpointRefused,
    Direction,
    RefusalReason,
)

PRODUCER = "checkpoint"
_CREW_PASSAGES = uuid.UUID("9b7d2f4c-1e35-4a8b-8c6d-5f0e2a71b3d4")


@dataclass(frozen=True)
class Place:
    """Where a passage happened: the checkpoint as the registry describes it."""

    checkpoint_id: str
    kind: CheckpointKind
    ward_code: str
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Traveller:
    declaration_id: str
    subject_id: str


def crew_passage_id(scan_id: str, declaration_id: str) -> str:
    """One passage per crew member of a vehicle scan, stable across retries."""
    return str(uuid.uuid5(_CREW_PASSAGES, f"{scan_id}|{declaration_id}"))


def passage_event(passage_id: str, who: Traveller, place: Place, *, direction: Direction,
                  officer_id: str, at: datetime, plate: str | None,
                  refusal: RefusalReason | None, correlation_id: str | None = None
                  ) -> Envelope[CheckpointPassed] | Envelope[CheckpointRefused]:
    passed = CheckpointPassed(
        passage_id=passage_id, declaration_id=who.declaration_id, subject_id=who.subject_id,
        checkpoint_id=place.checkpoint_id, kind=place.kind, ward_code=place.ward_code,
        direction=direction, officer_id=officer_id, at=at, vehicle_plate=plate,
        latitude=place.latitude, longitude=place.longitude)
    if refusal is not None:
        refused = CheckpointRefused(**passed.model_dump(), reason=refusal)
        return Envelope.wrap(refused, producer=PRODUCER, correlation_id=correlation_id,
                             occurred_at=at)
    return Envelope.wrap(passed, producer=PRODUCER, correlation_id=correlation_id,
                         occurred_at=at)
