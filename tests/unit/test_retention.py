"""The retention policy's arithmetic: topic configs and the days a purge asks for."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from libs.runtime.retention import CATCH_UP_DAYS, Retention, day_of, days_to_purge

POLICY = Retention(timedelta(days=28), timedelta(days=730))


def test_event_topics_outlive_the_window_by_a_declarations_life_audit_topics_by_the_audit() -> None:
    day_ms = 86_400_000
    assert POLICY.topic_configs("declaration.submitted") == {
        "retention.ms": str(45 * day_ms), "segment.ms": str(day_ms), "cleanup.policy": "delete"}
    assert POLICY.topic_configs("declaration.submitted.dlq")["retention.ms"] == str(45 * day_ms)
    assert POLICY.topic_configs("person.revealed")["retention.ms"] == str(730 * day_ms)
    assert POLICY.topic_configs("trace.accessed.dlq")["retention.ms"] == str(730 * day_ms)


def test_a_short_window_gets_short_segments_so_records_go_soon_after_it() -> None:
    minute = Retention(timedelta(seconds=60), timedelta(seconds=60), timedelta(0))
    assert minute.topic_configs("ward.notified") == {
        "retention.ms": "60000", "segment.ms": "6000", "cleanup.policy": "delete"}


def test_days_are_viet_nams_and_a_purge_looks_back_for_missed_days() -> None:
    # 20:00 UTC is already the next day in Viet Nam.
    cutoff = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)
    assert day_of(cutoff) == "2026-12-07"
    days = days_to_purge(cutoff)
    assert days[-1] == date(2026, 12, 7) and len(days) == CATCH_UP_DAYS + 1
    assert days == sorted(days)
