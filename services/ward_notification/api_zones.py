"""Epidemic zone levels: set by the health authority, read by everyone."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from libs.contracts.envelope import Envelope, utcnow
from libs.contracts.events.notification import ZoneLevel, ZoneLevelChanged
from libs.contracts.values import PlainText, WardCode, ZonedMoment
from libs.contracts.vietnam_time import vn_day
from libs.runtime.errors import ApiError
from libs.runtime.logs import correlation_id
from libs.runtime.mongo import Document
from libs.runtime.openapi import beyond_schema
from libs.runtime.outbox import OutboxRelay
from services.ward_notification import zone_rules
from services.ward_notification.domain import PRODUCER, days_between, ward_day
from services.ward_notification.scope import Admin
from services.ward_notification.settings import Settings
from services.ward_notification.store import NotificationStore
from services.ward_notification.store_zones import ZoneStore
from services.ward_notification.wards import ward_names

Ward = Annotated[WardCode, Path(description="5-digit ward code")]


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
    def of(cls, doc: Document) -> Change:
        level = ZoneLevel(doc["level"])
        return cls(level=level, level_name=level.name, effective_at=doc["effective_at"],
                   set_at=doc["set_at"], note=doc.get("note"))


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


def build_router(zones: ZoneStore, notifications: NotificationStore, relay: OutboxRelay,
                 settings: Settings) -> APIRouter:
    router = APIRouter(prefix="/v1/zones", tags=["zones"])
    arrivals_cache: dict[tuple[str, int], tuple[float, int]] = {}

    async def arrivals(ward: str, days: int) -> int:
        cached = arrivals_cache.get((ward, days))
        if cached and cached[0] > time.monotonic():
            return cached[1]
        today = vn_day(utcnow())
        keys = [ward_day(ward, d) for d in days_between(today - timedelta(days=days - 1), today)]
        count = await notifications.arrivals(keys)
        arrivals_cache[(ward, days)] = (time.monotonic() + settings.arrivals_cache_s, count)
        return count

    @router.post("/{ward_code}/levels", status_code=201, response_model=Change,
                 responses=beyond_schema(effective_at_invalid="an `effective_at` more than a "
                                                              "year back or ahead of now"))
    async def set_level(ward_code: Ward, body: LevelRequest, who: Admin) -> Change:
        """Set a ward's zone level from a time on (health authority); publishes the change."""
        now = zone_rules.to_stored_precision(utcnow())
        effective_at = body.effective_at or now
        problem = zone_rules.effective_time_problem(effective_at, now)
        if problem:
            raise ApiError(422, "effective_at_invalid", "Thời điểm hiệu lực không hợp lệ",
                           problem, {"effective_at": [{"code": "invalid", "message": problem}]})
        event = Envelope.wrap(ZoneLevelChanged(
            ward_code=ward_code, level=body.level, set_by=who.subject,
            effective_at=zone_rules.to_stored_precision(effective_at)),
                              producer=PRODUCER, correlation_id=correlation_id.get(),
                              occurred_at=now)
        doc = await zones.add(event, body.note)
        relay.wake()
        return Change.of(doc)

    @router.get("/{ward_code}", response_model=ZoneStatus)
    async def status(ward_code: Ward, days: Annotated[int | None, Query(ge=1, le=28)] = None,
                     history_limit: Annotated[int, Query(ge=1, le=200)] = 50) -> ZoneStatus:
        """Public: a ward's level now, its history, the next scheduled change, recent arrivals."""
        now = utcnow()
        changes = await zones.for_ward(ward_code)
        current, scheduled = zone_rules.in_force(changes, now), zone_rules.upcoming(changes, now)
        level = ZoneLevel(current["level"]) if current else zone_rules.DEFAULT_LEVEL
        ward_name, province_name = ward_names(ward_code)
        window = days or settings.arrivals_window_days
        return ZoneStatus(
            ward_code=ward_code, ward_name=ward_name, province_name=province_name, level=level,
            level_name=level.name, level_name_vi=zone_rules.LEVEL_NAMES_VI[level],
            declared=current is not None, since=current["effective_at"] if current else None,
            next=Change.of(scheduled) if scheduled else None,
            history=[Change.of(c) for c in zone_rules.history(changes, history_limit)],
            recent_arrivals=Arrivals(days=window, count=await arrivals(ward_code, window)))

    return router

