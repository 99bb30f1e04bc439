"""Daily follow-up of quarantined people (pure, no I/O).

A person under quarantine is due a visit or call every quarantine day (start …
end - 1, see libs/contracts/quarantine.py). A day is *missed* once it is over
without an attempt that reached them. Someone whose last `lost_after` days
(default 2) were all missed, and who has not been reached today, is *lost to
follow-up*: the ward must find them. Reaching them clears the flag.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from libs.contracts.quarantine import day_number, under_quarantine


@dataclass(frozen=True)
class Quarantined:
    """What the ward-notification service keeps of an order (no names)."""

    quarantine_id: str
    subject_id: str
    ward_code: str
    start: date
    end: date
    place: str
    reason: str
    released_on: date | None = None


@dataclass(frozen=True)
class Attempt:
    """A visit or call: the day and whether it reached the person are what the rules use;
    the rest is what the ward's list shows of the day's latest."""

    on: date
    reached: bool
    at: datetime | None = None
    channel: str | None = None
    temperature_c: float | None = None
    symptoms: tuple[str, ...] = ()
    by: str | None = None


@dataclass(frozen=True)
class Due:
    quarantine: Quarantined
    day: int
    attempts_today: int
    reached_today: bool
    missed_days: int  # quarantine days in a row, up to yesterday, without reaching them
    lost: bool
    latest_today: Attempt | None = None  # the day's last attempt, for the list and its export


def latest(attempts: list[Attempt]) -> Attempt | None:
    """The last attempt by time (one recorded without a time counts as earliest)."""
    return max(attempts, key=lambda a: a.at.timestamp() if a.at else float("-inf"),
               default=None)


def is_active(q: Quarantined, day: date) -> bool:
    return under_quarantine(q.start, q.end, q.released_on, day)


def missed_streak(q: Quarantined, reached_on: set[date], today: date) -> int:
    """Quarantine days in a row, ending yesterday, that passed without reaching the person."""
    streak, day = 0, today - timedelta(days=1)
    while day >= q.start and is_active(q, day) and day not in reached_on:
        streak += 1
        day -= timedelta(days=1)
    return streak


def is_lost(q: Quarantined, reached_on: set[date], today: date, lost_after: int = 2) -> bool:
    return today not in reached_on and missed_streak(q, reached_on, today) >= lost_after


def due_list(quarantines: Iterable[Quarantined], attempts: dict[str, list[Attempt]],
             today: date, lost_after: int = 2) -> list[Due]:
    """Who is due a follow-up today, lost ones first, then by quarantine day."""
    found = []
    for q in quarantines:
        if not is_active(q, today):
            continue
        mine = attempts.get(q.quarantine_id, [])
        reached_on = {a.on for a in mine if a.reached}
        todays = [a for a in mine if a.on == today]
        found.append(Due(q, day_number(q.start, today), len(todays), today in reached_on,
                         missed_streak(q, reached_on, today),
                         is_lost(q, reached_on, today, lost_after), latest(todays)))
    return sorted(found, key=lambda d: (not d.lost, d.reached_today, -d.day,
                                        d.quarantine.quarantine_id))


def ward_counts(due: list[Due]) -> dict[str, int]:
    """Active quarantines, follow-ups still due today, lost to follow-up."""
    return {"active_quarantines": len(due),
            "due_today": sum(1 for d in due if not d.reached_today),
            "lost_to_followup": sum(1 for d in due if d.lost)}
