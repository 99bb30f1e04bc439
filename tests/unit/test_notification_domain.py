"""Pure rules of the ward-notification service: who is told what, ids, days, buckets."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from libs.contracts.events.notification import NotifyReason
from libs.contracts.vietnam_time import vn_day
from services.ward_notification.domain.notifications import (
    days_between,
    feed_bucket,
    from_declaration,
    from_dependent,
    notification_id,
    view_of,
    ward_notified,
)
from services.ward_notification.domain.records import AlertCause
from services.ward_notification.service.feed import resume_bucket
from services.ward_notification.settings import Settings
from services.ward_notification.store.notifications import ward_day
from tests.support.notification_kit import BEN_THANH, declaration, passage, rejection
from tests.support.samples import HOAN_KIEM, VUNG_TAU


def test_a_declaration_tells_the_destination_and_the_origin() -> None:
    event = declaration()
    arriving, departing = from_declaration(view_of(event), event)
    assert (arriving.reason, arriving.ward_code) == (NotifyReason.arriving, VUNG_TAU)
    assert (departing.reason, departing.ward_code) == (NotifyReason.departing, HOAN_KIEM)
    assert arriving.detail["expected_date"] == event.payload.trip.departure_date.isoformat()
    assert arriving.detail["origin_ward_name"] == "Phường Hoàn Kiếm, Thành phố Hà Nội"
    assert arriving.source_event_id == event.event_id


def test_the_view_keeps_no_name_and_no_national_id() -> None:
    event = declaration("001085012345")
    stored = json.dumps(view_of(event).model_dump(mode="json"), ensure_ascii=False)
    assert "001085012345" not in stored and "Nguyễn" not in stored
    assert event.payload.subject_id in stored


def test_ids_are_deterministic_per_subject_declaration_ward_reason() -> None:
    event = declaration()
    again = from_declaration(view_of(event), event)
    assert [n.notification_id for n in again] == [
        n.notification_id for n in from_declaration(view_of(event), event)]
    ids = {notification_id("s", "d", "w", reason) for reason in NotifyReason}
    assert len(ids) == len(NotifyReason)
    assert notification_id("s", "d", "w", NotifyReason.alert) != notification_id(
        "s", "d2", "w", NotifyReason.alert)


def test_checkpoint_and_identity_events_go_to_the_right_ward() -> None:
    event = declaration(current=BEN_THANH)
    view = view_of(event)
    passed = from_dependent(view, passage(event, "p-1", "cp-7"))
    refused = from_dependent(view, passage(event, "p-2", refused="symptoms"))
    rejected_event = rejection(event)
    rejected = from_dependent(view, rejected_event)
    assert (passed.reason, passed.ward_code, passed.fact_id) == (NotifyReason.passed, VUNG_TAU, "p-1")
    assert passed.detail["checkpoint_id"] == "cp-7"
    assert (refused.reason, refused.ward_code, refused.cause) == (
        NotifyReason.alert, BEN_THANH, AlertCause.checkpoint_refused)
    assert refused.detail["refusal_reason"] == "symptoms"
    assert (rejected.ward_code, rejected.cause) == (BEN_THANH, AlertCause.identity_rejected)
    assert rejected.fact_id == rejected_event.event_id
    # Both alerts are the same notification: one per (subject, declaration, ward, reason).
    assert refused.notification_id == rejected.notification_id


def test_ward_notified_is_caused_by_the_source_event() -> None:
    event = declaration()
    arriving = from_declaration(view_of(event), event)[0]
    published = ward_notified(arriving)
    assert published.payload.notification_id == arriving.notification_id
    assert published.causation_id == event.event_id
    assert published.type == "ward.notified"


def test_days_are_vietnamese_local_days() -> None:
    late_evening_utc = datetime(2025, 10, 1, 18, 30, tzinfo=UTC)  # 01:30 on the 2nd in Hà Nội
    assert vn_day(late_evening_utc) == date(2025, 10, 2)
    assert ward_day("00070", date(2025, 10, 2)) == "00070:2025-10-02"
    assert days_between(date(2025, 9, 30), date(2025, 10, 2)) == [
        date(2025, 9, 30), date(2025, 10, 1), date(2025, 10, 2)]


@pytest.mark.parametrize(("seconds", "bucket"), [(100, 100), (104, 100), (105, 105)])
def test_feed_buckets(seconds: int, bucket: int) -> None:
    assert feed_bucket(datetime.fromtimestamp(seconds, UTC), 5) == bucket


def test_the_feed_resumes_from_last_event_id_within_the_replay_limit() -> None:
    settings = Settings(feed_bucket_s=5, feed_lookback_buckets=3, feed_max_replay_s=600)
    now = 10_000
    assert resume_bucket(None, now, settings) == now - 15
    assert resume_bucket("garbage", now, settings) == now - 15
    assert resume_bucket(str(now - 100), now, settings) == now - 100
    assert resume_bucket(str(now - 5000), now, settings) == now - 600  # no unbounded replay
    assert resume_bucket(str(now), now, settings) == now - 15  # still covers late announces
