"""Pairing check-ins with check-outs, and the contact rule, at their edges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.movement_trace.domain.movements import Movement, MovementKind, hours_between
from services.movement_trace.domain.presences import Presence, is_contact, presences

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
CAP = timedelta(hours=4)
W = timedelta(minutes=15)
_n = iter(range(10_000))


def ev(minutes: float, direction: str, who: str = "s1", kind: MovementKind = MovementKind.passed,
       where: str = "cp-1") -> Movement:
    return Movement(source_event_id=f"e{next(_n)}", subject_id=who, at=T0 + timedelta(minutes=minutes),
                    kind=kind, checkpoint_id=where, direction=direction)


def spans(found: list[Presence]) -> list[tuple[float, float, bool, bool]]:
    return [((p.start - T0).total_seconds() / 60, (p.end - T0).total_seconds() / 60, p.stay,
             p.inferred_end) for p in found]


def test_in_and_out_pair_into_a_stay_whatever_the_arrival_order() -> None:
    assert spans(presences([ev(30, "out"), ev(0, "in")], CAP)) == [(0, 30, True, False)]


def test_in_without_out_is_capped_and_an_out_too_late_is_a_moment() -> None:
    found = presences([ev(0, "in"), ev(300, "out")], CAP)
    assert spans(found) == [(0, 240, True, True), (300, 300, False, False)]


def test_a_second_in_closes_the_first_stay() -> None:
    assert spans(presences([ev(0, "in"), ev(60, "in"), ev(90, "out")], CAP)) == [
        (0, 60, True, True), (60, 90, True, False)]


def test_out_and_in_at_the_same_instant_close_then_open() -> None:
    found = presences([ev(0, "in"), ev(60, "in"), ev(60, "out"), ev(120, "out")], CAP)
    assert spans(found) == [(0, 60, True, False), (60, 120, True, False)]


def test_refusals_and_through_are_moments_and_duplicates_count_once() -> None:
    refused = ev(10, "in", kind=MovementKind.refused)
    found = presences([ev(0, "through"), refused, refused], CAP)
    assert spans(found) == [(0, 0, False, False), (10, 10, False, False)]


def p(start: float, end: float, stay: bool, who: str = "x", where: str = "cp-1") -> Presence:
    return Presence(who, where, None, None, T0 + timedelta(minutes=start),
                    T0 + timedelta(minutes=end), stay)


@pytest.mark.parametrize(("other", "expected"), [
    (p(15, 15, False), True),            # exactly W after
    (p(15.01, 15.01, False), False),     # just beyond W
    (p(-15, -15, False), True),          # exactly W before
    (p(0, 0, False, where="cp-2"), False),  # another checkpoint
    (p(0, 0, False, who="me"), False),   # oneself
])
def test_moments_meet_within_the_window(other: Presence, expected: bool) -> None:
    assert is_contact(p(0, 0, False, who="me"), other, W) is expected


@pytest.mark.parametrize(("other", "expected"), [
    (p(60, 120, True), False),   # arrives as I leave: touching
    (p(-60, 0, True), False),    # leaves as I arrive: touching
    (p(59, 120, True), True),    # one minute together
    (p(75, 75, False), True),    # a moment W after my stay
    (p(76, 76, False), False),
    (p(30, 30, True), True),     # in and out at once, during my stay: they were there
])
def test_stays_must_overlap_and_moments_come_within_w_of_a_stay(other: Presence, expected: bool) -> None:
    assert is_contact(p(0, 60, True, who="me"), other, W) is expected


def test_hour_buckets_cover_the_span_inclusively() -> None:
    assert hours_between(T0 - timedelta(minutes=1), T0 + timedelta(hours=1)) == [
        "2026-03-01T07", "2026-03-01T08", "2026-03-01T09"]
