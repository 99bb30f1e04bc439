"""Daily follow-up of quarantined people, for the ward official of their ward of stay.

The list of a day holds every person under quarantine in the ward that day;
the official records each visit or call (→ `followup.recorded`); people not
reached two days running are flagged lost to follow-up. (No `from __future__
import annotations`: FastAPI resolves the dependency aliases at import.)
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from libs.contracts.envelope import Envelope, new_event_id
from libs.contracts.events.notification import FollowupRecorded
from libs.contracts.quarantine import day_number
from libs.contracts.values import Day, Identifier, PlainText
from libs.contracts.vietnam_time import vn_day
from libs.runtime.auth import Principal, Role, require
from libs.runtime.errors import ApiError
from libs.runtime.logs import correlation_id
from libs.runtime.outbox import OutboxRelay
from services.ward_notification import followup_rules as rules
from services.ward_notification.domain import PRODUCER
from services.ward_notification.scope import WardOfficial, WardsQuery, check_wards, wards_for
from services.ward_notification.settings import Settings
from services.ward_notification.store_followups import FollowupStore

# Counts carry no personal data: epidemiologists see them for any ward, or all wards.
CountReader = Annotated[Principal, require(Role.ward_official, Role.admin, Role.epidemiologist)]
DayQuery = Annotated[Day | None, Query(description="local day (default: today)")]


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


class FollowupCounts(BaseModel):
    day: date
    wards: list[str] | None = Field(description="null: every ward")
    active_quarantines: int
    due_today: int
    lost_to_followup: int
    new_f0: dict[str, int] = Field(description="confirmed cases per day (last 14)")
    new_f1: dict[str, int] = Field(description="contact quarantines ordered per day (last 14)")


def _due_out(d: rules.Due) -> DueOut:
    q = d.quarantine
    return DueOut(quarantine_id=q.quarantine_id, subject_id=q.subject_id, ward_code=q.ward_code,
                  place=q.place, reason=q.reason, start=q.start, end=q.end, day=d.day,
                  attempts_today=d.attempts_today, reached_today=d.reached_today,
                  missed_days=d.missed_days, lost_to_followup=d.lost)


def build_router(store: FollowupStore, relay: OutboxRelay, settings: Settings,
                 clock: Callable[[], datetime]) -> APIRouter:
    router = APIRouter(prefix="/v1/followups", tags=["follow-up"])

    def day_of(day: date | None) -> date:
        # Any day of the calendar (`Day`: 1900–2199) is answered, for what it holds: a day
        # far off holds no quarantine, and its date arithmetic stays within bounds.
        return day or vn_day(clock())

    async def due(wards: list[str] | None, day: date) -> list[rules.Due]:
        quarantines = await store.in_wards(wards)
        attempts = await store.attempts([q.quarantine_id for q in quarantines])
        return rules.due_list(quarantines, attempts, day, settings.lost_after_days)

    @router.get("", response_model=list[DueOut])
    async def follow_up_list(who: WardOfficial, ward: WardsQuery = None,
                             day: DayQuery = None) -> list[DueOut]:
        """Everyone under quarantine in the ward(s) on the day: lost to follow-up first."""
        return [_due_out(d) for d in await due(wards_for(who, ward), day_of(day))]

    @router.post("", status_code=201, response_model=FollowupOut, responses={
        404: {"description": "no such quarantine (quarantine_not_found)"},
        409: {"description": "not under quarantine today (not_under_quarantine)"}})
    async def record(body: FollowupIn, who: WardOfficial) -> FollowupOut:
        """A visit or call today (reached or not, symptoms, temperature) →
        `followup.recorded`. Only for a person under quarantine in the official's ward."""
        q = await store.quarantine(body.quarantine_id)
        if q is None:
            raise ApiError(404, "quarantine_not_found", "Không tìm thấy người cách ly",
                           "No such quarantine here (yet)")
        check_wards(who, [q.ward_code])
        now = clock()
        today = vn_day(now)
        if not rules.is_active(q, today):
            raise ApiError(409, "not_under_quarantine", "Người này không cách ly hôm nay",
                           "This person is not under quarantine today")
        followup_id = body.followup_id or new_event_id()
        event = Envelope.wrap(FollowupRecorded(
            quarantine_id=q.quarantine_id, day=day_number(q.start, today), reached=body.reached,
            symptoms=body.symptoms, temperature_c=body.temperature_c, by=who.subject,
            subject_id=q.subject_id, ward_code=q.ward_code or None, on=today,
            channel=body.channel), producer=PRODUCER, correlation_id=correlation_id.get())
        await store.add_followup(followup_id, event, now)
        relay.wake()
        doc = await store.followup(followup_id)
        assert doc is not None, "just written"
        return FollowupOut(followup_id=followup_id, **doc)

    @router.get("/stats", response_model=FollowupCounts)
    async def counts(who: CountReader, ward: WardsQuery = None,
                     day: DayQuery = None) -> FollowupCounts:
        """Active quarantines, follow-ups still due, lost to follow-up; new F0/F1 per day."""
        wards = None if who.role == Role.epidemiologist and not ward else wards_for(who, ward)
        today = day_of(day)
        recent = [(today - timedelta(days=n)).isoformat() for n in range(14)]
        f0 = {d: 0 for d in recent}
        for d in await store.case_days(wards):
            if d in f0:
                f0[d] += 1
        f1 = {d: 0 for d in recent}
        for d, reason in await store.order_days(wards):
            if d in f1 and reason == "contact":
                f1[d] += 1
        return FollowupCounts(day=today, wards=wards, new_f0=f0, new_f1=f1,
                              **rules.ward_counts(await due(wards, today)))

    return router
