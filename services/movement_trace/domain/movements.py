"""Movements, and the UTC weeks and hours the trace is read by: pure, no I/O, no names or
national IDs.

A movement is one fact about one person (a declaration, a verdict, a passage, a
follow-up), identified by the event that caused it. The store files each one by the
person's UTC week and, for a presence, by the checkpoint's UTC hour (store/layout.py),
so a question names the weeks or hours it needs (`weeks_between`, `hours_between`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field

from services.movement_trace.domain.journeys import JOURNEY_MODES, journey_id


class MovementKind(StrEnum):
    declared = "declared"
    identity_verified = "identity_verified"
    identity_rejected = "identity_rejected"
    passed = "passed"
    refused = "refused"
    ward_notified = "ward_notified"
    followed_up = "followed_up"


PRESENCE_KINDS = frozenset({MovementKind.passed, MovementKind.refused})


class Whereabouts(BaseModel):
    """What a movement tells: the stored movement and the API's timeline entry share it."""

    at: datetime
    kind: MovementKind
    declaration_id: str | None = None
    ward_code: str | None = None
    province_code: int | None = None
    destination_ward: str | None = None
    checkpoint_id: str | None = None
    checkpoint_kind: str | None = None
    direction: str | None = None
    reason: str | None = None
    lat: float | None = None
    lon: float | None = None
    # declared: the trip's transport; the number and seat only for public transport
    # (journeys.JOURNEY_MODES): a car's or a truck's number is a private plate.
    transport_mode: str | None = None
    transport_number: str | None = None
    seat: str | None = None
    departure_date: str | None = Field(None, description="YYYY-MM-DD, Viet Nam date")
    # followed_up: the ward's visit or call during a quarantine, without free text.
    quarantine_id: str | None = None
    followup_day: int | None = Field(None, description="day of the quarantine (day 1 = start)")
    reached: bool | None = None
    symptoms: list[str] | None = Field(None, description="symptom codes (declaration "
                                       "catalogue); anything else as `other`")
    temperature_c: float | None = None


class Movement(Whereabouts):
    source_event_id: str
    subject_id: str

    @property
    def is_presence(self) -> bool:
        """Being at a checkpoint: what contacts are made of."""
        return self.kind in PRESENCE_KINDS and self.checkpoint_id is not None

    @property
    def journey(self) -> str | None:
        """The journey bucket a declaration goes into (public transport with a number)."""
        if (self.kind != MovementKind.declared or self.transport_mode not in JOURNEY_MODES
                or not self.transport_number or not self.departure_date):
            return None
        return journey_id(self.transport_mode, self.transport_number, self.departure_date)


def utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def day_key(moment: datetime) -> str:
    return utc(moment).strftime("%Y-%m-%d")


def hour_key(moment: datetime) -> str:
    return utc(moment).strftime("%Y-%m-%dT%H")


def week_key(moment: datetime) -> str:
    """The Monday of the UTC week `moment` falls in."""
    day = utc(moment).date()
    return (day - timedelta(days=day.weekday())).isoformat()


def weeks_between(start: datetime, end: datetime) -> list[str]:
    """Every UTC week (by its Monday) touched by [start, end]."""
    first, last = as_date(week_key(start)), as_date(week_key(end))
    return [(first + timedelta(weeks=i)).isoformat() for i in range((last - first).days // 7 + 1)]


def hours_between(start: datetime, end: datetime) -> list[str]:
    """Every UTC hour touched by [start, end]."""
    hour = utc(start).replace(minute=0, second=0, microsecond=0)
    keys = []
    while hour <= end:
        keys.append(hour_key(hour))
        hour += timedelta(hours=1)
    return keys


def is_expired(at: datetime, now: datetime, window: timedelta) -> bool:
    return utc(at) < now - window


def as_date(day: str) -> date:
    return date.fromisoformat(day)
