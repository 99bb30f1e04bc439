"""What the epidemiologists' API answers (also the rows of the exports)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from libs.contracts.values import ONE_DOCUMENT, Country, NationalIdInput, Passport
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


class NationalIdIn(BaseModel):
    """A citizen by CCCD or CMND, or a foreigner by passport and the country that issued it."""

    model_config = ConfigDict(json_schema_extra=ONE_DOCUMENT)

    national_id: NationalIdInput | None = Field(None, description="CCCD (12 digits) or CMND (9)",
                                                examples=["001085012345"])
    passport: Passport | None = None
    nationality: Country | None = Field(None, description="with `passport`")

    @model_validator(mode="after")
    def _one_document(self) -> NationalIdIn:
        if (self.national_id is None) == (self.passport is None) or \
                (self.passport is not None) != (self.nationality is not None):
            raise ValueError("give a national_id, or a passport with its nationality")
        return self


class Subject(BaseModel):
    subject_id: str = Field(description="the person's pseudonym in every service",
                            examples=["9f2c" + "0" * 60])
