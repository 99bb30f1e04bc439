"""How every service reads a quarantine order (pure, shared by its consumers).

An order runs from `start` to `end`, both Viet Nam dates; `end` is the release
day (`end = start + days`), so the person is under quarantine on the days
start … end - 1 (day 1 … day N of the follow-up) and is released at term on
the end date. An early release ends it on the day it is recorded.
"""

from __future__ import annotations

from datetime import date, timedelta


def quarantine_end(start: date, days: int) -> date:
    """The release day of a quarantine of `days` days beginning on `start`."""
    if days < 1:
        raise ValueError("a quarantine lasts at least one day")
    return start + timedelta(days=days)


def under_quarantine(start: date, end: date, released_on: date | None, day: date) -> bool:
    """Whether `day` is a quarantine day: within start … end - 1 and before any release."""
    if released_on is not None and released_on <= day:
        return False
    return start <= day < end


def day_number(start: date, day: date) -> int:
    """Day 1 is the start date."""
    return (day - start).days + 1
