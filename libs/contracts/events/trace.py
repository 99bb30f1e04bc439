"""Events produced by the movement-trace service."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from libs.contracts import topics
from libs.contracts.envelope import EventPayload
from libs.contracts.events.common import (
    MOMENT_EXAMPLE,
    SUBJECT_EXAMPLE,
    StaffAccount,
    Subject,
)
from libs.contracts.values import SubjectId, WardCode

CASE_EXAMPLE = "case-7d3f9b1e5a2c4e6f8a0b1c3d5e7f9a2b"
QUARANTINE_EXAMPLE = "q-4b7e0d2a9c1f3e5a7b9d0c2e4f6a8b1d"


class TraceAccessed(EventPayload):
    TYPE: ClassVar[str] = topics.TRACE_ACCESSED

    who: StaffAccount = Field(description="the staff account that asked",
                              examples=["dichte.hoa"])
    role: str = Field(description="the staff member's role (the widest of their roles)",
                      examples=["epidemiologist"])
    purpose: str = Field(min_length=3, description="why, as the staff member stated it",
                         examples=["cluster 7"])
    query: str = Field(description="what was asked, e.g. 'timeline subject=… from=… to=…'",
                       examples=[f"timeline subject={SUBJECT_EXAMPLE} "
                                 "from=2026-11-19T17:00:00+00:00 to=2026-12-03T17:00:00+00:00"])
    at: datetime = Field(description="UTC moment of the access, recorded before the answer "
                                     "was read", examples=[MOMENT_EXAMPLE])
    # Optional and additive: whose data was asked about, and from which unit, so that the
    # person can see who looked (DESIGN.md §5).
    subject_id: SubjectId | None = Field(None, description="the person asked about, if one",
                                         examples=[SUBJECT_EXAMPLE])
    unit: str | None = Field(None, description="the staff member's unit",
                             examples=["CDC Hà Nội"])


class CaseConfirmed(EventPayload):
    TYPE: ClassVar[str] = topics.CASE_CONFIRMED

    subject_id: Subject = Field(description="the confirmed case (F0)")
    positive_test_date: date = Field(description="day of the positive test (Viet Nam date); "
                                                 "contacts are looked for from some days "
                                                 "before it", examples=["2026-11-20"])
    confirmed_by: StaffAccount = Field(description="the epidemiologist who confirmed it",
                                       examples=["dichte.hoa"])
    # Optional and additive (v1 stays readable): the ward of current stay, for ward counts.
    case_id: str | None = Field(None, description="the case's id in the movement-trace service: "
                                "derived from the person and the test date",
                                examples=[CASE_EXAMPLE])
    ward_code: WardCode | None = Field(None, description="ward of current stay, if known",
                                       examples=["00070"])
    contacts: list[SubjectId] = Field(default_factory=list, description="the degree-1 contacts "
                                      "proposed with the case (epidemiologists may call them)",
                                      examples=[[SUBJECT_EXAMPLE]])


class QuarantinePlace(StrEnum):
    home = "home"
    facility = "facility"


class QuarantineReason(StrEnum):
    contact = "contact"
    arrival = "arrival"
    red_zone = "red_zone"


class QuarantineOrdered(EventPayload):
    TYPE: ClassVar[str] = topics.QUARANTINE_ORDERED

    quarantine_id: str = Field(description="the order: derived from the person, the reason, "
                                           "the start and the case, so that a repeated "
                                           "request orders nothing new",
                               examples=[QUARANTINE_EXAMPLE])
    subject_id: Subject = Field(description="the person ordered into quarantine")
    start: date = Field(description="first day of quarantine (Viet Nam date)",
                        examples=["2026-11-21"])
    end: date = Field(description="the release day (Viet Nam date): quarantined on start … "
                                  "end − 1", examples=["2026-12-05"])
    place: QuarantinePlace = Field(description="at home or in a facility", examples=["home"])
    reason: QuarantineReason = Field(description="a contact of a case, an arrival from a "
                                                 "marked country, or a red zone",
                                     examples=["contact"])
    evidence: list[str] = Field(default_factory=list, description="why, one line per "
                                "exposure or arrival: checkpoint ids, times and subject ids, "
                                "never names", examples=[[
                                    "checkpoint=cp-hn-noibai-airport at=2026-11-19T01:30:00+00:00"
                                    f" rule=overlapping_stays minutes=25 met={SUBJECT_EXAMPLE}"]])
    # Optional and additive: where the person serves it, so that the ward of current stay
    # follows them up; `end` is the release day (quarantined on start … end - 1).
    ward_code: WardCode | None = Field(None, description="ward of current stay (follow-up)",
                                       examples=["00070"])
    case_id: str | None = Field(None, description="the F0 case a contact order comes from",
                                examples=[CASE_EXAMPLE])
    ordered_by: str | None = Field(None, description="the epidemiologist's account",
                                   examples=["dichte.hoa"])


class QuarantineReleased(EventPayload):
    TYPE: ClassVar[str] = topics.QUARANTINE_RELEASED

    quarantine_id: str = Field(description="the order released", examples=[QUARANTINE_EXAMPLE])
    subject_id: Subject = Field(description="the person released")
    at: datetime = Field(description="UTC moment of release: when an epidemiologist released "
                                     "it early, or the start of the end day in Viet Nam at term",
                         examples=["2026-12-04T17:00:00Z"])
    early: bool = Field(False, description="released before its end day", examples=[False])
    released_by: str | None = Field(None, description="who released it early; none at term",
                                    examples=["dichte.hoa"])
