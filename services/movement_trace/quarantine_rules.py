"""Cases and quarantine orders: ids, windows and evidence (pure, no I/O).

Ids are derived from what was decided, so that a repeated request (a retry, a
second click, two epidemiologists at once) can only produce the same order:
the case from (subject, test date), a quarantine from (subject, reason, start,
case). Evidence keeps checkpoint ids, times and subject ids, never names.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta
from typing import Any

from libs.contracts.quarantine import under_quarantine
from libs.contracts.vietnam_time import VN_TZ, vn_day
from services.movement_trace.contacts import Contact, Exposure


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def case_id(subject_id: str, positive_test_date: date) -> str:
    return "case-" + _digest(subject_id, positive_test_date.isoformat())


def quarantine_id(subject_id: str, reason: str, start: date, case: str | None) -> str:
    return "q-" + _digest(subject_id, reason, start.isoformat(), case or "")


def contact_window(positive_test_date: date, days: int, now: datetime) -> tuple[datetime, datetime]:
    """The look-back of an F0's contacts: `days` before the positive test (Viet Nam
    midnight) until now; a test dated in the future is refused before this."""
    start = datetime.combine(positive_test_date - timedelta(days=days), time(0), VN_TZ)
    return start, now


def evidence_line(e: Exposure) -> str:
    """One exposure as an order carries it: where, when, which rule, whom they met."""
    return (f"checkpoint={e.checkpoint_id} at={e.start.isoformat()} rule={e.rule} "
            f"minutes={e.minutes:g} met={e.met}")


def evidence_of(contact: Contact) -> list[str]:
    return [evidence_line(e) for e in contact.exposures]


def unknown(requested: list[str], proposed: list[Contact]) -> list[str]:
    """Requested subjects that are not among the proposed contacts."""
    known = {c.subject_id for c in proposed}
    return [s for s in requested if s not in known]


def active_count(orders: list[dict[str, Any]], releases: dict[str, datetime], today: date) -> int:
    """Orders under way today; `releases` maps quarantine ids to their release time."""
    return sum(1 for o in orders if under_quarantine(
        date.fromisoformat(o["start"]), date.fromisoformat(o["end"]),
        vn_day(releases[o["_id"]]) if o["_id"] in releases else None, today))


def daily_counts(case_days: list[str], orders: list[dict[str, Any]],
                 days: list[date]) -> list[dict[str, Any]]:
    """New F0 (by day confirmed) and new orders by reason (by day ordered), per day."""
    rows: dict[str, dict[str, Any]] = {d.isoformat(): {"day": d, "f0": 0, "f1": 0,
                                                      "arrival": 0, "red_zone": 0} for d in days}
    for day in case_days:
        if day in rows:
            rows[day]["f0"] += 1
    column = {"contact": "f1", "arrival": "arrival", "red_zone": "red_zone"}
    for o in orders:
        row = rows.get(o.get("ordered_day", ""))
        if row is not None:
            row[column[o["reason"]]] += 1
    return list(rows.values())
