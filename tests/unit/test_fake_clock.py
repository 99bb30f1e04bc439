"""`make test-clock`'s choice of moment and the environment it hands libfaketime."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.fake_clock import environment, target

EVENING = datetime(2026, 12, 6, 21, 7, tzinfo=UTC)
MORNING = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)


def test_a_time_of_day_is_the_last_one_so_the_clock_only_moves_back() -> None:
    assert target("20:00", EVENING) == datetime(2026, 12, 6, 20, 0, tzinfo=UTC)
    assert target("20:00", MORNING) == datetime(2026, 12, 5, 20, 0, tzinfo=UTC)
    assert target("08:30", MORNING) == datetime(2026, 12, 6, 8, 30, tzinfo=UTC)


def test_an_iso_moment_is_taken_as_given_naive_ones_as_utc() -> None:
    assert target("2026-12-06T23:30:00Z", MORNING) == datetime(2026, 12, 6, 23, 30, tzinfo=UTC)
    assert target("2026-12-06T23:30:00", MORNING) == datetime(2026, 12, 6, 23, 30, tzinfo=UTC)


def test_the_offset_is_signed_seconds_and_the_moment_is_announced() -> None:
    env = environment(datetime(2026, 12, 6, 20, 0, tzinfo=UTC), EVENING, "/lib/f.so.1")
    assert env["FAKETIME"] == "-4020"
    assert env["LD_PRELOAD"] == "/lib/f.so.1"
    assert env["KHAIBAO_TEST_CLOCK"] == "2026-12-06T20:00:00+00:00"
