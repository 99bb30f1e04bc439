"""Events produced by the movement-trace service."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from libs.contracts import topics
from libs.contracts.envelope import EventPayload
from libs.contracts.values import SubjectId, WardCode


class TraceAccessed(EventPayload):
    TYPE: ClassVar[str] = topics.TRACE_ACCESSED

    who: str
    role: str
    purpose: str = Field(min_length=3)
    query: str = Field(description="what was asked, e.g. 'timeline subject=… from=… to=…'")
    at: datetime
    # Optional and additive: whose data was asked about, and from which unit, so that the
    # person can see who looked (DESIGN.md §5).
    subject_id: SubjectId | None = Field(None, description="the person asked about, if one")
    unit: str | None = Field(None, description="the staff member's unit")


class CaseConfirmed(EventPayload):
    TYPE: ClassVar[str] = topics.CASE_CONFIRMED

    subject_id: SubjectId
    positive_test_date: date
    confirmed_by: str
    # Optional and additive (v1 stays readable): the ward of current stay, for ward counts.
    case_id: str | None = Field(None, description="the case's id in the movement-trace service")
    ward_code: WardCode | None = Field(None, description="ward of current stay, if known")
    contacts: list[SubjectId] = Field(default_factory=list, description="the degree-1 contacts "
                                      "proposed with the case (epidemiologists may call them)")


class QuarantinePlace(StrEnum):
    home = "home"
    facility = "facility"


class QuarantineReason(StrEnum):
    contact = "contact"
    arrival = "arrival"
    red_zone = "red_zone"


class QuarantineOrdered(EventPayload):
    TYPE: ClassVar[str] = topics.QUARANTINE_ORDERED

    quarantine_id: str
    subject_id: SubjectId
    start: date
    end: date
    place: QuarantinePlace
    reason: QuarantineReason
    evidence: list[str] = Field(default_factory=list)
    # Optional and additive: where the person serves it, so that the ward of current stay
    # follows them up; `end` is the release day (quarantined on start … end - 1).
    ward_code: WardCode | None = Field(None, description="ward of current stay (follow-up)")
    case_id: str | None = Field(None, description="the F0 case a contact order comes from")
    ordered_by: str | None = None


class QuarantineReleased(EventPayload):
    TYPE: ClassVar[str] = topics.QUARANTINE_RELEASED

    quarantine_id: str
    subject_id: SubjectId
    at: datetime
    early: bool = False
    released_by: str | None = Field(None, description="who released it early; none at term")
