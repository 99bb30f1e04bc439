"""Webhook signatures, backoff and URLs; zone levels in force."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from libs.contracts.events.notification import ZoneLevel
from services.ward_notification.domain import webhooks as webhook_rules
from services.ward_notification.domain import zones as zone_rules
from services.ward_notification.domain.records import ZoneChange
from services.ward_notification.settings import Settings

NOW = datetime(2025, 10, 1, 12, 0, tzinfo=UTC)


def test_the_signature_is_hmac_sha256_of_timestamp_and_body() -> None:
    body = b'{"type":"ward.notified"}'
    expected = hmac.new(b"s3cret", b"1700000000." + body, hashlib.sha256).hexdigest()
    header = webhook_rules.signature("s3cret", 1700000000, body)
    assert header == "sha256=" + expected
    assert webhook_rules.verify("s3cret", 1700000000, body, header)
    assert not webhook_rules.verify("s3cret", 1700000001, body, header)  # replayed later
    assert not webhook_rules.verify("other", 1700000000, body, header)
    assert not webhook_rules.verify("s3cret", 1700000000, body + b" ", header)


def test_backoff_doubles_up_to_the_cap() -> None:
    waits = [webhook_rules.backoff_s(n, 2.0, 30.0) for n in range(1, 7)]
    assert waits == [2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


@pytest.mark.parametrize(("url", "https_only", "refused"), [
    ("http://127.0.0.1:8080/hook", False, False),
    ("https://ubnd.example/hook?x=1", True, False),
    ("http://ubnd.example/hook", True, True),
    ("ftp://ubnd.example/hook", False, True),
    ("http:///nohost", False, True),
    ("http://user:pw@ubnd.example/", False, True),
    ("http://ubnd.example:99999/", False, True),
    ("http://ubnd.example/#frag", False, True),
    ("http://ubnd.example/" + "a" * 3000, False, True),
    ("http://ubnd\x00.example/", False, True),
])
def test_subscription_urls(url: str, https_only: bool, refused: bool) -> None:
    assert (webhook_rules.url_problem(url, https_only) is not None) is refused


def test_production_requires_https_webhooks() -> None:
    settings = Settings(env="production", KHAIBAO_SUBJECT_SECRET="a-real-secret")
    assert settings.webhook_require_https is True
    with pytest.raises(ValueError, match="lease"):
        Settings(webhook_lease_s=1, webhook_timeout_s=5)


def _change(level: int, hours: float, set_minutes: float = 0) -> ZoneChange:
    return ZoneChange(change_id=f"c-{level}-{hours}", ward_code="00070", level=ZoneLevel(level),
                      effective_at=NOW + timedelta(hours=hours), set_by="admin",
                      set_at=NOW + timedelta(minutes=set_minutes))


def test_the_latest_effective_change_is_in_force() -> None:
    changes = [_change(2, -48), _change(3, -1), _change(4, 24)]
    assert zone_rules.in_force(changes, NOW).level == 3  # type: ignore[union-attr]
    assert zone_rules.upcoming(changes, NOW).level == 4  # type: ignore[union-attr]
    assert zone_rules.in_force([_change(4, 1)], NOW) is None
    assert [c.level for c in zone_rules.history(changes, 2)] == [4, 3]


def test_at_the_same_effective_time_the_later_setting_wins() -> None:
    changes = [_change(4, -1, set_minutes=5), _change(2, -1, set_minutes=1)]
    assert zone_rules.in_force(changes, NOW).level == 4  # type: ignore[union-attr]


def test_effective_times_need_an_offset_and_a_sane_range() -> None:
    assert zone_rules.effective_time_problem(NOW, NOW) is None
    assert "offset" in (zone_rules.effective_time_problem(NOW.replace(tzinfo=None), NOW) or "")
    assert zone_rules.effective_time_problem(NOW + timedelta(days=400), NOW)
    assert zone_rules.effective_time_problem(NOW - timedelta(days=400), NOW)
    stored = zone_rules.to_stored_precision(NOW.replace(microsecond=123456))
    assert stored.microsecond == 123000
