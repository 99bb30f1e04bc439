"""Pure quarantine rules: end date, active days, lost to follow-up, the due list, counts."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta

import pytest

from libs.contracts.quarantine import day_number, quarantine_end, under_quarantine
from libs.contracts.vietnam_time import vn_day
from services.movement_trace.domain import quarantine_rules as trace_rules
from services.movement_trace.domain.records import QuarantineOrder, SuspectReport
from services.ward_notification.domain.followups import (
    Attempt,
    Quarantined,
    due_list,
    is_lost,
    missed_streak,
    ward_counts,
)

START = date(2026, 11, 20)


def order(qid: str = "q1", start: date = START, days: int = 14,
          released_on: date | None = None) -> Quarantined:
    return Quarantined(qid, "s" * 64, "00070", start, quarantine_end(start, days), "home",
                       "contact", released_on)


def test_the_end_date_is_the_release_day_start_plus_the_configured_days() -> None:
    assert quarantine_end(START, 14) == date(2026, 12, 4)
    assert quarantine_end(START, 1) == date(2026, 11, 21)
    with pytest.raises(ValueError):
        quarantine_end(START, 0)


def test_a_quarantine_covers_start_to_the_day_before_its_end_unless_released() -> None:
    end = quarantine_end(START, 14)
    assert under_quarantine(START, end, None, START)
    assert under_quarantine(START, end, None, end - timedelta(days=1))
    assert not under_quarantine(START, end, None, end), "released at term on the end date"
    assert not under_quarantine(START, end, None, START - timedelta(days=1))
    assert not under_quarantine(START, end, START + timedelta(days=3), START + timedelta(days=3))
    assert under_quarantine(START, end, START + timedelta(days=3), START + timedelta(days=2))
    assert day_number(START, START) == 1 and day_number(START, end - timedelta(days=1)) == 14


def test_days_are_viet_nam_days() -> None:
    assert vn_day(datetime(2026, 11, 20, 16, 59, tzinfo=UTC)) == date(2026, 11, 20)
    assert vn_day(datetime(2026, 11, 20, 17, 0, tzinfo=UTC)) == date(2026, 11, 21)


def test_two_missed_days_running_make_a_person_lost_to_follow_up() -> None:
    q = order()
    day3 = START + timedelta(days=2)
    assert missed_streak(q, set(), START) == 0 and not is_lost(q, set(), START)
    assert missed_streak(q, set(), START + timedelta(days=1)) == 1
    assert not is_lost(q, set(), START + timedelta(days=1))
    assert missed_streak(q, set(), day3) == 2 and is_lost(q, set(), day3)
    assert not is_lost(q, {START + timedelta(days=1)}, day3), "reached yesterday"
    assert not is_lost(q, {day3}, day3), "reached today clears the flag"
    assert is_lost(q, {START}, START + timedelta(days=3)), "days 2 and 3 missed"
    assert is_lost(q, set(), day3, lost_after=3) is False


def test_the_due_list_holds_active_quarantines_lost_first() -> None:
    today = START + timedelta(days=2)
    quarantines = [order("q-reached"), order("q-lost"), order("q-later", START + timedelta(days=5)),
                   order("q-over", START - timedelta(days=20)),
                   order("q-released", released_on=today)]
    attempts = {"q-reached": [Attempt(START + timedelta(days=1), True), Attempt(today, True)],
                "q-lost": [Attempt(START + timedelta(days=1), False)]}
    due = due_list(quarantines, attempts, today)
    assert [d.quarantine.quarantine_id for d in due] == ["q-lost", "q-reached"]
    lost, reached = due
    assert (lost.lost, lost.day, lost.missed_days, lost.attempts_today) == (True, 3, 2, 0)
    assert (reached.lost, reached.reached_today, reached.attempts_today) == (False, True, 1)
    assert reached.latest_today == Attempt(today, True) and lost.latest_today is None
    assert ward_counts(due) == {"active_quarantines": 2, "due_today": 1, "lost_to_followup": 1}


def test_the_latest_attempt_of_the_day_is_the_last_by_time() -> None:
    at = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
    first = Attempt(START, False, at=at, channel="call")
    second = Attempt(START, True, at=at + timedelta(hours=2), temperature_c=38.2)
    [due] = due_list([order("q-1")], {"q-1": [second, first]}, START)
    assert due.latest_today == second and due.attempts_today == 2


def test_case_and_quarantine_ids_are_derived_so_repeats_change_nothing() -> None:
    subject = "a" * 64
    assert trace_rules.case_id(subject, START) == trace_rules.case_id(subject, START)
    assert trace_rules.case_id(subject, START) != trace_rules.case_id(subject, date(2026, 11, 21))
    one = trace_rules.quarantine_id(subject, "contact", START, "case-1")
    assert one == trace_rules.quarantine_id(subject, "contact", START, "case-1")
    assert one != trace_rules.quarantine_id(subject, "contact", START, "case-2")


def test_the_contact_window_reaches_back_from_the_test_day_in_viet_nam() -> None:
    now = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
    start, end = trace_rules.contact_window(START, 14, now)
    assert start == datetime(2026, 11, 5, 17, 0, tzinfo=UTC) and end == now


def test_daily_counts_and_active_quarantines() -> None:
    days = [START, START - timedelta(days=1)]
    orders = [_order("a", "contact", "2026-11-20", date(2026, 11, 20), date(2026, 12, 4)),
              _order("b", "arrival", "2026-11-19", date(2026, 11, 19), date(2026, 12, 3)),
              _order("c", "contact", "2026-10-01", date(2026, 10, 1), date(2026, 10, 15))]
    # Suspected from follow-up: people a day, however many reports.
    suspects = [_suspect("r1", "2026-11-20", "s1"), _suspect("r2", "2026-11-20", "s1"),
                _suspect("r3", "2026-11-20", "s2"), _suspect("r4", "2026-11-01", "s3")]
    rows = trace_rules.daily_counts(["2026-11-20", "2026-11-20", "2026-11-01"], orders, days,
                                    suspects)
    assert [asdict(r) for r in rows] == [
        {"day": START, "f0": 2, "f1": 1, "arrival": 0, "red_zone": 0, "suspected": 2},
        {"day": date(2026, 11, 19), "f0": 0, "f1": 0, "arrival": 1, "red_zone": 0,
         "suspected": 0}]
    released = {"b": datetime(2026, 11, 20, 2, 0, tzinfo=UTC)}
    assert trace_rules.active_count(orders, released, START) == 1


def _order(qid: str, reason: str, ordered_day: str, start: date, end: date) -> QuarantineOrder:
    return QuarantineOrder(quarantine_id=qid, subject_id="s" * 64, start=start, end=end,
                           place="home", reason=reason, ordered_day=ordered_day)


def _suspect(rid: str, day: str, subject_id: str) -> SuspectReport:
    return SuspectReport(id=rid, subject_id=subject_id, day=day, quarantine_id="q1",
                         at=datetime.fromisoformat(f"{day}T03:00:00+00:00"), followup_day=2,
                         reached=True, symptoms=["cough"], fever=False)
