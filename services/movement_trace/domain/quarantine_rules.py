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
from services.movement_trace.domain.contacts import Contact, Exposure


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
    if (j := e.journey) is not None:
        return (f"journey={j.mode}:{j.number}:{j.departure_date.isoformat()} "
                f"seat={j.seat or '?'} met_seat={j.met_seat or '?'} rule={e.rule} "
                f"seat_rule={j.seat_rule}{' seat_unknown' if j.seat_unknown else ''} met={e.met}")
    return (f"checkpoint={e.checkpoint_id} at={e.start.isoformat()} rule={e.rule} "
            f"minutes={e.minutes:g} met={e.met}")


def evidence_of(contact: Contact) -> list[str]:
    return [evidence_line(e) for e in contact.exposures]


def suspected_people(reports: list[dict[str, Any]], orders: dict[str, dict[str, Any]],
                     cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Suspected follow-ups grouped by person: their reports (newest first), the quarantine
    they were under, and a case of theirs confirmed since the first report, if any.
    People not yet confirmed come first, the latest report first."""
    by_subject: dict[str, list[dict[str, Any]]] = {}
    for r in sorted(reports, key=lambda r: (r["at"], r["_id"]), reverse=True):
        by_subject.setdefault(r["subject_id"], []).append(r)
    people = []
    for subject, theirs in by_subject.items():
        first = min(r["at"] for r in theirs)
        confirmed = sorted((c for c in cases if c["subject_id"] == subject
                            and c["confirmed_at"] >= first), key=lambda c: c["confirmed_at"])
        order = orders.get(theirs[0]["quarantine_id"], {})
        people.append({
            "subject_id": subject, "ward_code": theirs[0].get("ward_code"),
            "quarantine_id": theirs[0]["quarantine_id"],
            "quarantine_reason": order.get("reason"), "source_case_id": order.get("case_id"),
            "first_reported": first, "last_reported": theirs[0]["at"],
            "case_id": confirmed[0]["_id"] if confirmed else None,
            "reports": [{**r, "id": r["_id"]} for r in theirs]})
    return sorted(people, key=lambda p: (p["case_id"] is not None,
                                         -p["last_reported"].timestamp(), p["subject_id"]))


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
                 days: list[date], suspects: list[dict[str, Any]] | None = None
                 ) -> list[dict[str, Any]]:
    """New F0 (by day confirmed), new orders by reason (by day ordered), and people
    suspected from a follow-up (by day reported, each person once a day), per day."""
    rows: dict[str, dict[str, Any]] = {d.isoformat(): {"day": d, "f0": 0, "f1": 0,
                                                      "arrival": 0, "red_zone": 0,
                                                      "suspected": 0} for d in days}
    for day, _ in {(s["day"], s["subject_id"]) for s in suspects or []}:
        if day in rows:
            rows[day]["suspected"] += 1
    for day in case_days:
        if day in rows:
            rows[day]["f0"] += 1
    column = {"contact": "f1", "arrival": "arrival", "red_zone": "red_zone"}
    for o in orders:
        row = rows.get(o.get("ordered_day", ""))
        if row is not None:
            row[column[o["reason"]]] += 1
    return list(rows.values())
