"""Request and response bodies of the HTTP API (their schemas are the OpenAPI document)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from libs.contracts.events.notification import ZoneLevel
from libs.contracts.patterns import Documented
from libs.contracts.values import Identifier, PlainText, WardCode, ZonedMoment
from services.ward_notification.domain import webhooks as webhook_rules
from services.ward_notification.domain.followups import Due
from services.ward_notification.domain.records import (
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    Followup,
    StoredNotification,
    Webhook,
    ZoneChange,
)

# --- the inbox ---


class NotificationOut(StoredNotification):
    @classmethod
    def of(cls, stored: StoredNotification) -> NotificationOut:
        return cls.model_validate(stored.model_dump())


class Page(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None = Field(None, description="pass as `cursor` for the next page")


class AckRequest(BaseModel):
    ids: list[Identifier] = Field(min_length=1, max_length=200)


class AckResult(BaseModel):
    acknowledged: list[str] = Field(description="acknowledged now")
    already: list[str] = Field(description="were acknowledged before")
    not_found: list[str] = Field(description="unknown, or of a ward outside the token")


# --- zones ---


class LevelRequest(BaseModel):
    level: ZoneLevel = Field(description="1 green, 2 yellow, 3 orange, 4 red")
    effective_at: ZonedMoment | None = Field(None, description="with a UTC offset; default: now")
    note: PlainText | None = Field(None, max_length=500, examples=["Ổ dịch tại chợ Đồng Xuân"])


class Change(BaseModel):
    level: ZoneLevel
    level_name: str
    effective_at: datetime
    set_at: datetime
    note: str | None = None

    @classmethod
    def of(cls, change: ZoneChange) -> Change:
        return cls(level=change.level, level_name=change.level.name,
                   effective_at=change.effective_at, set_at=change.set_at, note=change.note)


class Arrivals(BaseModel):
    days: int
    count: int = Field(description="arrivals declared for this ward in the last `days` days")


class ZoneStatus(BaseModel):
    ward_code: str
    ward_name: str
    province_name: str
    level: ZoneLevel
    level_name: str
    level_name_vi: str
    declared: bool = Field(description="false: nobody classified it yet (shown as green)")
    since: datetime | None
    next: Change | None = Field(None, description="a change scheduled for later")
    history: list[Change]
    recent_arrivals: Arrivals


# --- follow-ups ---


class LatestToday(BaseModel):
    """The day's last visit or call."""

    reached: bool
    channel: str | None
    temperature_c: float | None
    symptoms: list[str]
    at: datetime | None
    by: str | None = Field(description="the ward official who recorded it")


class DueOut(BaseModel):
    quarantine_id: str
    subject_id: str
    ward_code: str
    place: str
    reason: str
    start: date
    end: date = Field(description="release day")
    day: int = Field(description="day of the quarantine (day 1 = start)")
    attempts_today: int
    reached_today: bool
    missed_days: int = Field(description="days in a row, up to yesterday, not reached")
    lost_to_followup: bool
    latest_today: LatestToday | None = Field(None, description="the day's last visit or "
                                             "call, if one: what it found and who recorded it")

    @classmethod
    def of(cls, d: Due) -> DueOut:
        q, last = d.quarantine, d.latest_today
        return cls(quarantine_id=q.quarantine_id, subject_id=q.subject_id,
                   ward_code=q.ward_code, place=q.place, reason=q.reason, start=q.start,
                   end=q.end, day=d.day, attempts_today=d.attempts_today,
                   reached_today=d.reached_today, missed_days=d.missed_days,
                   lost_to_followup=d.lost, latest_today=None if last is None else LatestToday(
                       reached=last.reached, channel=last.channel,
                       temperature_c=last.temperature_c, symptoms=list(last.symptoms),
                       at=last.at, by=last.by))


class FollowupIn(BaseModel):
    quarantine_id: Identifier
    reached: bool
    channel: Literal["visit", "call"] = "call"
    symptoms: list[Annotated[PlainText, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=20)
    temperature_c: float | None = Field(None, ge=30, le=45)
    followup_id: Identifier | None = Field(None, min_length=8, max_length=64, description="client "
                                           "id: a retry with the same id records nothing new")


class FollowupOut(BaseModel):
    followup_id: str
    quarantine_id: str
    on: date
    day: int
    reached: bool
    channel: str
    symptoms: list[str]
    temperature_c: float | None
    by: str
    at: datetime

    @classmethod
    def of(cls, followup: Followup) -> FollowupOut:
        return cls.model_validate(followup.model_dump())


class FollowupCounts(BaseModel):
    day: date
    wards: list[str] | None = Field(description="null: every ward")
    active_quarantines: int
    due_today: int
    lost_to_followup: int
    new_f0: dict[str, int] = Field(description="confirmed cases per day (last 14)")
    new_f1: dict[str, int] = Field(description="contact quarantines ordered per day (last 14)")


# --- webhooks ---

State = DeliveryState


class WebhookRequest(BaseModel):
    ward_code: WardCode
    url: Annotated[PlainText, Documented(format=None, pattern=webhook_rules.URL_PATTERN)] = Field(
        min_length=1, max_length=webhook_rules.MAX_URL_LENGTH,
        examples=["https://ubnd-hoankiem.example/khaibao"])
    description: PlainText | None = Field(None, max_length=200)


class WebhookOut(BaseModel):
    id: str
    ward_code: str
    url: str
    description: str | None
    enabled: bool
    consecutive_failures: int
    disabled_at: datetime | None = None
    disabled_reason: str | None = None
    created_at: datetime

    @classmethod
    def of(cls, webhook: Webhook) -> WebhookOut:
        return cls.model_validate(webhook.model_dump())


class WebhookCreated(WebhookOut):
    secret: str = Field(description="HMAC key of the signatures; shown only once, keep it safe")


class Attempt(DeliveryAttempt):
    pass


class DeliveryOut(BaseModel):
    id: str
    notification_id: str
    state: State
    attempts: int
    created_at: datetime
    delivered_at: datetime | None = None
    latency_ms: float | None = Field(None, description="notification stored → receiver's 2xx")
    log: list[Attempt]

    @classmethod
    def of(cls, delivery: Delivery) -> DeliveryOut:
        return cls.model_validate(delivery.model_dump())
