"""The casework's records, as the store hands them over: cases, quarantine orders and
their releases, declarations noted for the orders, suspected follow-ups. Subject ids
only, never names or national IDs (DESIGN.md §5)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class ConfirmedCase(Record):
    """A confirmed case (F0) and the window its contacts are searched in."""

    case_id: str
    subject_id: str
    positive_test_date: date
    confirmed_by: str
    confirmed_at: datetime
    confirmed_day: str = Field(description="Viet Nam day of the confirmation, YYYY-MM-DD")
    window_start: datetime
    window_end: datetime
    ward_code: str | None = None
    contacts: list[str] = Field(default_factory=list)


class QuarantineOrder(Record):
    quarantine_id: str
    subject_id: str
    start: date
    end: date = Field(description="release day: quarantined on start … end - 1")
    place: str
    reason: str
    evidence: list[str] = Field(default_factory=list)
    ward_code: str | None = None
    case_id: str | None = None
    ordered_by: str | None = None
    ordered_at: datetime | None = None
    ordered_day: str | None = Field(None, description="Viet Nam day of the order, YYYY-MM-DD")


class Release(Record):
    quarantine_id: str
    subject_id: str
    at: datetime
    early: bool = False
    released_by: str | None = None


class DeclaredTrip(Record):
    """What an order needs of a declaration: whose, where they stay, through which channel."""

    declaration_id: str
    subject_id: str
    ward_code: str
    channel: str


class SuspectReport(Record):
    """A follow-up that reported symptoms or fever (symptom codes, never the words)."""

    id: str = Field(description="the followup.recorded event's id")
    subject_id: str
    at: datetime
    day: str = Field(description="Viet Nam day of the follow-up, YYYY-MM-DD")
    quarantine_id: str
    ward_code: str | None = None
    on: date | None = None
    followup_day: int
    reached: bool
    symptoms: list[str] = Field(default_factory=list)
    temperature_c: float | None = None
    fever: bool


class MarkedCountry(Record):
    """A country whose arrivals are proposed for a quarantine."""

    country: str
    marked_by: str
    purpose: str
    marked_at: datetime


class AuditQuery(Record):
    """Which audit entries an admin asks for (every field optional)."""

    who: str | None = None
    role: str | None = None
    purpose: str | None = Field(None, description="words in the stated purpose")
    subject_id: str | None = None
    day: date | None = Field(None, description="a Viet Nam calendar day")
    kind: str | None = None


class AuditRecord(Record):
    """A trace query made here, or a reveal made at the declaration service."""

    id: str
    kind: str = "trace"
    who: str
    role: str
    unit: str | None = None
    purpose: str
    query: str
    subject_id: str | None = None
    at: datetime


class Pointer(Record):
    """Which generation of the projection serves reads, and which one a rebuild fills."""

    active: int = 0
    building: int | None = None
    previous: int | None = None

    @property
    def writes_to(self) -> list[int]:
        return [self.active] + ([self.building] if self.building is not None else [])

    @property
    def newest(self) -> int:
        return max(g for g in (self.active, self.building, self.previous) if g is not None)


class RebuildState(Record):
    """The last rebuild, as its lock document tells it."""

    state: str = "never"
    generation: int | None = None
    by: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    report: dict[str, int | float] | None = None
    error: str | None = None
