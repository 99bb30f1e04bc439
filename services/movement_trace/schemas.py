"""What the epidemiologists' API answers (also the rows of the exports)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from libs.contracts.values import PlainText
from services.movement_trace.contacts import Contact
from services.movement_trace.domain import Movement, Whereabouts


class TimelineEntry(Whereabouts):
    id: str = Field(description="the source event's id")

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
    contacts: list[Contact]


class NationalIdIn(BaseModel):
    national_id: PlainText = Field(max_length=20, description="CCCD (12 digits) or CMND (9)",
                             examples=["001085012345"])


class Subject(BaseModel):
    subject_id: str = Field(description="the person's pseudonym in every service",
                            examples=["9f2c" + "0" * 60])
