"""Viet Nam's calendar: the days every service counts in (validity, buckets, quarantine)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

# Viet Nam has kept UTC+7 without daylight saving since 1975: a fixed offset is exact.
VN_TZ = timezone(timedelta(hours=7), "ICT")


def vn_day(moment: datetime) -> date:
    """The Viet Nam calendar day of a moment (naive moments are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VN_TZ).date()
