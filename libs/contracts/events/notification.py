"""Events produced by the ward-notification service."""

from __future__ import annotations

from datetime import date, datetime
from enum import IntEnum, StrEnum
from typing import ClassVar, Literal

from pydantic import Field

from libs.contracts import topics
from libs.contracts.envelope import EventPayload
from libs.contracts.events.common import (
    MOMENT_EXAMPLE,
    SUBJECT_EXAMPLE,
    SUBJECT_TEXT,
    StaffAccount,
    Subject,
)
from libs.contracts.values import SubjectId, WardCode


class ZoneLevel(IntEnum):
    green = 1
    yellow = 2
    orange = 3
    red = 4


class NotifyReason(StrEnum):
    arriving = "arriving"
    departing = "departing"
    passed = "passed"
    alert = "alert"


class ZoneLevelChanged(EventPayload):
    TYPE: ClassVar[str] = topics.ZONE_LEVEL_CHANGED

    ward_code: WardCode = Field(description="the ward whose level changes", examples=["00070"])
    level: ZoneLevel = Field(description="the new level: 1 green, 2 yellow, 3 orange, 4 red",
                             examples=[3])
    effective_at: datetime = Field(description="UTC moment the level applies from (to the "
                                               "millisecond); at most a year back or ahead of "
                                               "when it was set", examples=[MOMENT_EXAMPLE])
    set_by: StaffAccount = Field(description="the health authority's (admin) account that set "
                                             "it", examples=["quantri"])


class WardNotified(EventPayload):
    TYPE: ClassVar[str] = topics.WARD_NOTIFIED

    notification_id: str = Field(description="32 hex digits derived from the person, the "
                                             "declaration, the ward and the reason: one "
                                             "notification per fact, however often it is "
                                             "redelivered",
                                 examples=["9c1e5a7b3d2f4e6a8b0c1d2e3f4a5b6c"])
    ward_code: WardCode = Field(description="the ward notified", examples=["26506"])
    subject_id: Subject = Field(description="the person the ward is told about")
    reason: NotifyReason = Field(description="arriving: the trip's destination ward; departing: "
                                             "its origin ward; passed: the destination ward, "
                                             "once the person passed a checkpoint; alert: the "
                                             "ward of current stay, after a refusal at a "
                                             "checkpoint or a rejected identity",
                                 examples=["arriving"])
    declaration_id: str | None = Field(None, description="the declaration it is about",
                                       examples=["0198c1d2-7a3b-7c4d-8e5f-0123456789ab"])


class FollowupRecorded(EventPayload):
    TYPE: ClassVar[str] = topics.FOLLOWUP_RECORDED

    quarantine_id: str = Field(description="the quarantine order followed up",
                               examples=["q-4b7e0d2a9c1f3e5a7b9d0c2e4f6a8b1d"])
    day: int = Field(ge=1, description="day of the quarantine: 1 is its start date",
                     examples=[3])
    reached: bool = Field(description="whether the visit or call reached the person (two days "
                                      "in a row not reached: lost to follow-up)",
                          examples=[True])
    symptoms: list[str] = Field(default_factory=list, examples=[["ho", "sốt nhẹ"]],
                                description="symptoms reported, in the official's words; "
                                            "empty: none")
    temperature_c: float | None = Field(None, ge=30, le=45, examples=[37.2],
                                        description="body temperature in °C, if measured")
    by: StaffAccount = Field(description="the ward official who followed up",
                             examples=["phuong.hoankiem"])
    # Optional and additive: whom, where and when, so that a consumer needs no lookup.
    subject_id: SubjectId | None = Field(None, description=SUBJECT_TEXT + " (the person under "
                                         "quarantine)", examples=[SUBJECT_EXAMPLE])
    ward_code: WardCode | None = Field(None, description="the ward following them up (of "
                                                         "current stay)", examples=["00070"])
    on: date | None = Field(None, description="the quarantine day (Viet Nam date)",
                            examples=["2026-11-24"])
    channel: Literal["visit", "call"] | None = Field(None, description="a home visit or a "
                                                                      "phone call",
                                                     examples=["call"])
