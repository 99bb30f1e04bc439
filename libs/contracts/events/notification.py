"""Events produced by the ward-notification service."""

from __future__ import annotations

from datetime import date, datetime
from enum import IntEnum, StrEnum
from typing import ClassVar, Literal

from pydantic import Field

from libs.contracts import topics
from libs.contracts.envelope import EventPayload
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

    ward_code: WardCode
    level: ZoneLevel
    effective_at: datetime
    set_by: str


class WardNotified(EventPayload):
    TYPE: ClassVar[str] = topics.WARD_NOTIFIED

    notification_id: str
    ward_code: WardCode
    subject_id: SubjectId
    reason: NotifyReason
    declaration_id: str | None = None


class FollowupRecorded(EventPayload):
    TYPE: ClassVar[str] = topics.FOLLOWUP_RECORDED

    quarantine_id: str
    day: int = Field(ge=1)
    reached: bool
    symptoms: list[str] = Field(default_factory=list)
    temperature_c: float | None = Field(None, ge=30, le=45)
    by: str
    # Optional and additive: whom, where and when, so that a consumer needs no lookup.
    subject_id: SubjectId | None = None
    ward_code: WardCode | None = None
    on: date | None = Field(None, description="the quarantine day (Viet Nam date)")
    channel: Literal["visit", "call"] | None = None
