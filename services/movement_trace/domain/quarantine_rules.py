"""Cases and quarantine orders: ids, windows and evidence (pure, no I/O).

Ids are derived from what was decided, so that a repeated request (a retry, a
second click, two epidemiologists at once) can only produce the same order:
the case from (subject, test date), a quarantine from (subject, reason, start,
case). Evidence keeps checkpoint ids, times and subject ids, never names.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from libs.contracts.quarantine import under_quarantine
from libs.contracts.vietnam_time import VN_TZ, vn_day
from services.movement_trace.domain.contacts import Contact, Exposure
from services.movement_trace.domain.records import ConfirmedCase, QuarantineOrder, SuspectReport


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


@dataclass(frozen=True)
class SuspectedPerson:
    """A person's suspected follow-ups (newest first), the quarantine they were under, and
    their case if one was confirmed since the first report."""

    subject_id: str
    ward_code: str | None
    quarantine_id: str
    quarantine_reason: str | None
    source_case_id: str | None
    first_reported: datetime
    last_reported: datetime
    case_id: str | None
    reports: list[SuspectReport]


def suspected_people(reports: list[SuspectReport], orders: dict[str, QuarantineOrder],
                     cases: list[ConfirmedCase]) -> list[SuspectedPerson]:
    """Suspected follow-ups grouped by person: their reports (newest first), the quarantine
    they were under, and a case of theirs confirmed since the first report, if any.
    People not yet confirmed come first, the latest report first."""
    by_subject: dict[str, list[SuspectReport]] = {}
    for r in sorted(reports, key=lambda r: (r.at, r.id), reverse=True):
        by_subject.setdefault(r.subject_id, []).append(r)
    people = []
    for subject, theirs in by_subject.items():
        first = min(r.at for r in theirs)
        confirmed = sorted((c for c in cases if c.subject_id == subject
                            and c.confirmed_at >= first), key=lambda c: c.confirmed_at)
        order = orders.get(theirs[0].quarantine_id)
        people.append(SuspectedPerson(
            subject_id=subject, ward_code=theirs[0].ward_code,
            quarantine_id=theirs[0].quarantine_id,
            quarantine_reason=order.reason if order else None,
            source_case_id=order.case_id if order else None,
            first_reported=first, last_reported=theirs[0].at,
            case_id=confirmed[0].case_id if confirmed else None, reports=theirs))
    return sorted(people, key=lambda p: (p.case_id is not None,
                                         -p.last_reported.timestamp(), p.subject_id))


def unknown(requested: list[str], proposed: list[Contact]) -> list[str]:
    """Requested subjects that are not among the proposed contacts."""
    known = {c.subject_id for c in proposed}
    return [s for s in requested if s not in known]


def active_count(orders: list[QuarantineOrder], releases: dict[str, datetime],
                 today: date) -> int:
    """Orders under way today; `releases` maps quarantine ids to their release time."""
    return sum(1 for o in orders if under_quarantine(
        o.start, o.end,
        vn_day(releases[o.quarantine_id]) if o.quarantine_id in releases else None, today))


@dataclass
class DayCount:
    day: date
    f0: int = 0
    f1: int = 0
    arrival: int = 0
    red_zone: int = 0
    suspected: int = 0


def daily_counts(case_days: list[str], orders: list[QuarantineOrder],
                 days: list[date], suspects: list[SuspectReport] | None = None
                 ) -> list[DayCount]:
    """New F0 (by day confirmed), new orders by reason (by day ordered), and people
    suspected from a follow-up (by day reported, each person once a day), per day."""
    rows = {d.isoformat(): DayCount(d) for d in days}
    for day, _ in {(s.day, s.subject_id) for s in suspects or []}:
        if day in rows:
            rows[day].suspected += 1
    for day in case_days:
        if day in rows:
            rows[day].f0 += 1
    for o in orders:
        row = rows.get(o.ordered_day or "")
        if row is not None:
            if o.reason == "contact":
                row.f1 += 1
            elif o.reason == "arrival":
                row.arrival += 1
            elif o.reason == "red_zone":
                row.red_zone += 1
    return list(rows.values())
