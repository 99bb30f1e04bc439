"""Epidemic zone levels of a ward: which change is in force at a given time. Pure."""

from __future__ import annotations

from datetime import datetime, timedelta

from libs.contracts.events.notification import ZoneLevel
from services.ward_notification.domain.records import ZoneChange

LEVEL_NAMES_VI = {ZoneLevel.green: "Vùng xanh", ZoneLevel.yellow: "Vùng vàng",
                  ZoneLevel.orange: "Vùng cam", ZoneLevel.red: "Vùng đỏ"}
# A ward nobody has classified is treated as green (no restriction), and said so.
DEFAULT_LEVEL = ZoneLevel.green
MAX_SCHEDULE_AHEAD = timedelta(days=366)
MAX_BACKDATE = timedelta(days=366)


def _order(change: ZoneChange) -> tuple[datetime, datetime]:
    # Two changes effective at the same moment: the one set later wins.
    return change.effective_at, change.set_at


def in_force(changes: list[ZoneChange], now: datetime) -> ZoneChange | None:
    """The change in force at `now`: the latest effective one, or None."""
    effective = [c for c in changes if c.effective_at <= now]
    return max(effective, key=_order) if effective else None


def upcoming(changes: list[ZoneChange], now: datetime) -> ZoneChange | None:
    """The next scheduled change, if one is set for later."""
    later = [c for c in changes if c.effective_at > now]
    return min(later, key=_order) if later else None


def history(changes: list[ZoneChange], limit: int) -> list[ZoneChange]:
    return sorted(changes, key=_order, reverse=True)[:limit]


def to_stored_precision(moment: datetime) -> datetime:
    """BSON dates hold milliseconds: round here so the event, the answer and the store agree."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def effective_time_problem(effective_at: datetime, now: datetime) -> str | None:
    """Why an effective time is refused (English), or None when it is acceptable."""
    if effective_at.tzinfo is None:
        return "effective_at needs a UTC offset, e.g. 2025-10-01T08:00:00+07:00"
    if effective_at - now > MAX_SCHEDULE_AHEAD:
        return "effective_at may be at most a year ahead"
    if now - effective_at > MAX_BACKDATE:
        return "effective_at may be at most a year back"
    return None
