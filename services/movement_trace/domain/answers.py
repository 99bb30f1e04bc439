"""What the trace answers about people and places: timelines, visits, contacts (the
API's bodies and the rows of the exports)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from services.movement_trace.domain.contacts import Contact
from services.movement_trace.domain.movements import Movement, Whereabouts


class TimelineEntry(Whereabouts):
    id: str = Field(description="the source event's id")
    fever: bool | None = Field(None, description="followed_up: a temperature at or above the "
                               "fever threshold, or fever reported")

    @classmethod
    def of(cls, movement: Movement) -> TimelineEntry:
        fields = movement.model_dump(exclude={"source_event_id", "subject_id"})
        return cls(id=movement.source_event_id, **fields)


class Timeline(BaseModel):
    subject_id: str
    start: datetime
    end: datetime
    movements: list[TimelineEntry]


class Visit(BaseModel):
    subject_id: str
    start: datetime
    end: datetime
    stay: bool = Field(description="an in/out stay; false: a moment (passage, refusal)")
    end_inferred: bool = Field(False, description="no check-out: capped at the maximum stay")
    ward_code: str | None = None
    checkpoint_kind: str | None = None


class Visits(BaseModel):
    checkpoint_id: str
    start: datetime
    end: datetime
    visits: list[Visit]


class Contacts(BaseModel):
    subject_id: str
    start: datetime
    end: datetime
    window_minutes: int
    max_stay_minutes: int
    degree: int
    truncated: bool = Field(description="degree 2 expanded only the first max_expand contacts")
    journey_rules: dict[str, str] = Field(default_factory=dict, description="the seat rule of "
                                          "each mode traced by shared journey, e.g. "
                                          "{\"plane\": \"rows±2\"}")
    contacts: list[Contact]
