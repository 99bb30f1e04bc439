"""Viet Nam's calendar: the days every service, page, tool and test counts in.

The services live in Viet Nam time (validity, buckets, quarantine days); the
machines they run on, and the phones of travellers, may not. Between 17:00 and
24:00 UTC the UTC date is still yesterday in Viet Nam, so a calendar date is
never taken from the machine (`date.today()`, `datetime.now().date()`, or the
UTC date): it comes from here. `tests/unit/test_calendar_rule.py` enforces it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

# Viet Nam has kept UTC+7 without daylight saving since 1975: a fixed offset is exact.
VN_TZ = timezone(timedelta(hours=7), "ICT")


def vn_day(moment: datetime) -> date:
    """The Viet Nam calendar day of a moment (naive moments are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VN_TZ).date()


def vn_now() -> datetime:
    """Now, on Viet Nam's clock (an aware datetime, UTC+7)."""
    return datetime.now(VN_TZ)


def vn_today(offset_days: int = 0) -> date:
    """Viet Nam's date today, or `offset_days` from it (1 = tomorrow)."""
    return vn_now().date() + timedelta(days=offset_days)

