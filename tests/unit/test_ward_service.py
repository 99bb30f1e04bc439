"""The ward-notification service's use cases and Kafka handlers, on in-memory fakes of
its ports (tests/support/fakes/ward.py).

The same rules as tests/integration/test_notification_*.py, without servers: what the
fakes cannot show (FerretDB's answers, indexes, leases across replicas, SSE over HTTP)
the integration tier proves.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from ipaddress import ip_address

import httpx
import pytest
from faststream.kafka import TestKafkaBroker

from libs.contracts.envelope import Envelope, utcnow
from libs.contracts.events.notification import NotifyReason, ZoneLevel
from libs.contracts.events.trace import (
    CaseConfirmed,
    QuarantineOrdered,
    QuarantinePlace,
    QuarantineReason,
    QuarantineReleased,
)
from libs.contracts.topics import (
    CASE_CONFIRMED,
    CHECKPOINT_PASSED,
    DECLARATION_SUBMITTED,
    IDENTITY_REJECTED,
    QUARANTINE_ORDERED,
    QUARANTINE_RELEASED,
    Topics,
)
from libs.contracts.vietnam_time import vn_day
from libs.runtime.kafka import make_broker
from services.ward_notification import consumers
from services.ward_notification.domain import webhooks as webhook_rules
from services.ward_notification.domain.errors import (
    CursorInvalid,
    EffectiveAtInvalid,
    NotificationNotFound,
    NotUnderQuarantine,
    QuarantineNotFound,
    RangeInvalid,
    RangeTooLong,
    TooManyWebhooks,
    UrlInvalid,
    UrlNotPublic,
    WardForbidden,
    WebhookNotFound,
)
from services.ward_notification.domain.notifications import feed_bucket, notification_id
from services.ward_notification.domain.records import (
    DELIVERED,
    FAILED,
    PAUSED,
    PENDING,
    AlertCause,
    StoredNotification,
)
from services.ward_notification.domain.webhooks import IPAddress
from services.ward_notification.service.delivery import DeliveryWorker
from services.ward_notification.service.feed import Announced, Feed, Ready
from services.ward_notification.service.followups import FollowupDesk
from services.ward_notification.service.inbox import Inbox
from services.ward_notification.service.notifier import Notifier
from services.ward_notification.service.subscriptions import Subscriptions
from services.ward_notification.service.webhook_addresses import Resolver
from services.ward_notification.service.zones import ZoneLevels
from services.ward_notification.settings import Settings
from tests.support.fakes.ward import (
    FakeFollowups,
    FakeNotifications,
    FakeOutbox,
    FakeWebhooks,
    FakeWorker,
    FakeZones,
)
from tests.support.notification_kit import declaration, passage, rejection
from tests.support.samples import HOAN_KIEM, VUNG_TAU


def resolver_to(address: str) -> Resolver:
    """A DNS that answers `address` for every host."""
    async def resolve(host: str, port: int) -> list[IPAddress]:
        return [ip_address(address)]
    return resolve


public_resolver = resolver_to("93.184.216.34")


class Service:
    """The use cases wired to fakes, as app.py wires them to the stores."""

    def __init__(self, max_attempts: int = 3, disable_after: int = 5, per_ward: int = 10) -> None:
        self.settings = Settings(webhook_max_attempts=max_attempts,
                                 webhook_disable_after=disable_after, webhooks_per_ward=per_ward)
        self.notifications, self.webhooks = FakeNotifications(), FakeWebhooks()
        self.zones, self.followups = FakeZones(), FakeFollowups()
        self.notices, self.zone_outbox, self.followup_outbox = (
            FakeOutbox(), FakeOutbox(), FakeOutbox())
        self.worker = FakeWorker()
        self.now = datetime(2025, 10, 1, 3, 0, tzinfo=UTC)  # 10:00 in Viet Nam
        self.notifier = Notifier(self.notifications, self.webhooks, self.settings,
                                 self.worker.wake, self.notices)
        self.inbox = Inbox(self.notifications)
        self.feed = Feed(self.notifications, self.settings)
        self.levels = ZoneLevels(self.zones, self.notifications, self.zone_outbox,
                                 self.settings)
        self.desk = FollowupDesk(self.followups, self.followup_outbox, self.settings,
                                 lambda: self.now)
        self.subscriptions = Subscriptions(self.webhooks, self.settings, public_resolver,
                                           self.worker.wake)
        self.delivery = DeliveryWorker(self.webhooks, self.settings, public_resolver)

    def of_ward(self, ward: str) -> list[StoredNotification]:
        return [n for n in self.notifications.stored.values() if n.ward_code == ward]


@pytest.fixture
def service() -> Service:
    return Service()


def everyone(ward: str) -> bool:
    return True


def only(*wards: str) -> Callable[[str], bool]:
    return lambda ward: ward in wards


# --- the notifier ---

async def test_a_declaration_tells_its_destination_and_its_origin(service: Service) -> None:
    event = declaration()
    await service.notifier.declarations([event])
    [arriving] = service.of_ward(VUNG_TAU)
    [departing] = service.of_ward(HOAN_KIEM)
    assert (arriving.reason, departing.reason) == (NotifyReason.arriving, NotifyReason.departing)
    assert arriving.detail["origin_ward"] == HOAN_KIEM
    assert event.payload.declaration_id in service.notifications.views
    assert sorted(service.notices.woken) == sorted([arriving.id, departing.id])
    assert [e.payload.notification_id for e in service.notifications.events] == [
        arriving.id, departing.id]
    bucket = feed_bucket(arriving.created_at, service.settings.feed_bucket_s)
    assert await service.notifications.bucket(VUNG_TAU, bucket) == [arriving.id]
    assert service.worker.wakes == 1


async def test_a_redelivered_declaration_changes_nothing(service: Service) -> None:
    event = declaration()
    await service.notifier.declarations([event])
    await service.notifier.declarations([event])
    assert len(service.notifications.stored) == 2
    assert len(service.notifications.events) == 2
    assert all(len(n.facts) == 1 for n in service.notifications.stored.values())


async def test_a_passage_before_its_declaration_waits_for_it(service: Service) -> None:
    decl = declaration()
    await service.notifier.dependent(passage(decl))
    assert service.notifications.stored == {}
    assert len(service.notifications.parked) == 1
    await service.notifier.declarations([decl])
    passed = [n for n in service.of_ward(VUNG_TAU) if n.reason == NotifyReason.passed]
    assert len(passed) == 1 and passed[0].detail["passage_id"] == "p-1"
    assert service.notifications.parked == {}


async def test_a_second_passage_adds_a_fact_to_the_same_notification(service: Service) -> None:
    decl = declaration()
    await service.notifier.declarations([decl])
    await service.notifier.dependent(passage(decl, "p-1"))
    await service.notifier.dependent(passage(decl, "p-2", checkpoint_id="cp-hn-02"))
    await service.notifier.dependent(passage(decl, "p-2", checkpoint_id="cp-hn-02"))  # again
    passed_id = notification_id(decl.payload.subject_id, decl.payload.declaration_id,
                                VUNG_TAU, NotifyReason.passed)
    assert [f.fact_id for f in service.notifications.stored[passed_id].facts] == ["p-1", "p-2"]


async def test_refusals_and_rejections_alert_the_ward_of_stay(service: Service) -> None:
    decl = declaration()
    await service.notifier.declarations([decl])
    await service.notifier.dependent(passage(decl, "p-9", refused="symptoms"))
    await service.notifier.dependent(rejection(decl))
    alerts = [n for n in service.of_ward(HOAN_KIEM) if n.reason == NotifyReason.alert]
    # One alert per (subject, declaration, ward): the rejection is a second fact of it.
    assert len(alerts) == 1
    assert alerts[0].cause == AlertCause.checkpoint_refused
    assert len(alerts[0].facts) == 2


async def test_notifications_are_queued_for_the_wards_webhooks(service: Service) -> None:
    hook = await service.subscriptions.create(VUNG_TAU, "https://ubnd.example/hook", None, "o")
    paused = await service.subscriptions.create(VUNG_TAU, "https://other.example/", None, "o")
    await service.subscriptions.disable(paused.id, "o", everyone)
    await service.notifier.declarations([declaration()])
    [arriving] = service.of_ward(VUNG_TAU)
    sent = service.webhooks.deliveries[f"{hook.id}:{arriving.id}"]
    assert sent.state == PENDING and f"{hook.id}:{arriving.id}" in service.webhooks.queue
    body = json.loads(sent.body)
    assert (body["type"], body["webhook_id"]) == ("ward.notified", hook.id)
    assert body["notification"]["id"] == arriving.id
    assert service.webhooks.deliveries[f"{paused.id}:{arriving.id}"].state == PAUSED
    assert f"{paused.id}:{arriving.id}" not in service.webhooks.queue


# --- the handlers, through FastStream's in-memory broker ---

def subject(name: str) -> str:
    """A subject id (64 hex digits) standing for `name`."""
    return hashlib.sha256(name.encode()).hexdigest()


def order(quarantine_id: str, ward: str, start: date, end: date,
          reason: QuarantineReason = QuarantineReason.contact) -> Envelope[QuarantineOrdered]:
    return Envelope.wrap(QuarantineOrdered(
        quarantine_id=quarantine_id, subject_id=subject(quarantine_id), start=start, end=end,
        place=QuarantinePlace.home, reason=reason, ward_code=ward), producer="test",
        occurred_at=datetime.combine(start, datetime.min.time(), UTC))


async def test_the_handlers_notify_and_feed_the_follow_up_lists(service: Service) -> None:
    broker, topics = make_broker(service.settings), Topics(service.settings.topic_prefix)
    consumers.register(broker, service.settings, service.notifier, service.desk)
    decl = declaration()
    today = vn_day(service.now)
    case = Envelope.wrap(CaseConfirmed(subject_id=subject("f0"), positive_test_date=today,
                                       confirmed_by="epi", case_id="c-1", ward_code=HOAN_KIEM),
                         producer="test")
    released = Envelope.wrap(QuarantineReleased(quarantine_id="q-2", subject_id=subject("q-2"),
                                                at=service.now), producer="test")
    async with TestKafkaBroker(broker, connect_only=False) as test_broker:
        await test_broker.publish(passage(decl).to_bytes(), topic=topics(CHECKPOINT_PASSED))
        await test_broker.publish_batch(decl.to_bytes(), topic=topics(DECLARATION_SUBMITTED))
        await test_broker.publish(rejection(decl).to_bytes(), topic=topics(IDENTITY_REJECTED))
        await test_broker.publish_batch(
            order("q-1", HOAN_KIEM, today, today + timedelta(days=14)).to_bytes(),
            order("q-2", HOAN_KIEM, today, today + timedelta(days=14)).to_bytes(),
            topic=topics(QUARANTINE_ORDERED))
        await test_broker.publish(released.to_bytes(), topic=topics(QUARANTINE_RELEASED))
        await test_broker.publish(case.to_bytes(), topic=topics(CASE_CONFIRMED))
    reasons = sorted(n.reason.value for n in service.notifications.stored.values())
    assert reasons == ["alert", "arriving", "departing", "passed"]
    assert service.notifications.parked == {}
    assert set(service.followups.orders) == {"q-1", "q-2"}
    assert service.followups.released == {"q-2": today}
    assert list(service.followups.cases) == ["c-1"]


# --- the inbox ---

async def test_the_inbox_pages_newest_first_with_a_cursor(service: Service) -> None:
    for n in range(3):
        await service.notifier.declarations([declaration(f"00108501234{n}")])
    first, cursor = await service.inbox.page([VUNG_TAU], None, None, None, None, None, 2)
    assert len(first) == 2 and cursor is not None
    rest, end = await service.inbox.page([VUNG_TAU], None, None, None, None, cursor, 2)
    assert len(rest) == 1 and end is None
    assert {n.id for n in first + rest} == {n.id for n in service.of_ward(VUNG_TAU)}
    departing, _ = await service.inbox.page([HOAN_KIEM], None, None, None,
                                            NotifyReason.arriving, None, 10)
    assert departing == []


async def test_the_inbox_refuses_bad_ranges_and_cursors(service: Service) -> None:
    today = vn_day(utcnow())
    with pytest.raises(RangeInvalid):
        await service.inbox.page([VUNG_TAU], today, today - timedelta(days=1), None, None,
                                 None, 10)
    with pytest.raises(RangeTooLong):
        await service.inbox.counts([VUNG_TAU], today - timedelta(days=31), today)
    with pytest.raises(CursorInvalid):
        await service.inbox.page([VUNG_TAU], None, None, None, None, "not-a-cursor", 10)


async def test_counts_and_acknowledging(service: Service,
                                       caplog: pytest.LogCaptureFixture) -> None:
    await service.notifier.declarations([declaration("001085012340"),
                                         declaration("001085012341")])
    ids = [n.id for n in service.of_ward(VUNG_TAU)]
    with caplog.at_level("INFO", logger="services.ward_notification.service.inbox"):
        now, before, missing = await service.inbox.acknowledge([ids[0], ids[0], "nope"], "o",
                                                               only(VUNG_TAU))
    assert (now, before, missing) == ([ids[0]], [], ["nope"])
    # Who did it is in the service's log.
    assert [r.__dict__["fields"] for r in caplog.records] == [{"by": "o", "ids": [ids[0]]}]
    assert await service.inbox.acknowledge([ids[0]], "o", only(VUNG_TAU)) == ([], [ids[0]], [])
    # Another ward's notification is not found.
    assert (await service.inbox.acknowledge([ids[1]], "o", only(HOAN_KIEM)))[2] == [ids[1]]
    [row] = await service.inbox.counts([VUNG_TAU], None, None)
    assert (row.ward_code, row.total, row.unread, row.by_reason) == (
        VUNG_TAU, 2, 1, {"arriving": 2})
    read = await service.inbox.acknowledge_one(ids[1], "o", only(VUNG_TAU))
    assert read.read and read.acknowledged_by == "o"
    with pytest.raises(NotificationNotFound):
        await service.inbox.one(ids[1], only(HOAN_KIEM))
    assert (await service.inbox.one(ids[1], everyone)).read


# --- the live feed ---

async def test_the_feed_starts_ready_then_sends_what_was_announced(service: Service) -> None:
    await service.notifier.declarations([declaration()])
    stream = service.feed.stream([VUNG_TAU], None)
    try:
        assert await anext(stream) == Ready([VUNG_TAU])
        item = await anext(stream)
    finally:
        await stream.aclose()
    assert isinstance(item, Announced)
    assert item.notification.ward_code == VUNG_TAU
    assert item.bucket == feed_bucket(item.notification.created_at, service.settings.feed_bucket_s)


# --- the delivery worker ---

def receiver(statuses: list[int], seen: list[httpx.Request]) -> httpx.AsyncClient:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(statuses.pop(0) if statuses else 200)
    return httpx.AsyncClient(transport=httpx.MockTransport(answer))


async def subscribed(service: Service) -> tuple[str, str]:
    """A subscription of the destination ward and one notification queued for it."""
    hook = await service.subscriptions.create(VUNG_TAU, "https://ubnd.example/hook", None, "o")
    await service.notifier.declarations([declaration()])
    [arriving] = service.of_ward(VUNG_TAU)
    return hook.id, f"{hook.id}:{arriving.id}"


async def test_a_delivery_is_signed_sent_and_logged(service: Service) -> None:
    hook_id, delivery_id = await subscribed(service)
    seen: list[httpx.Request] = []
    async with receiver([], seen) as client:
        assert await service.delivery.deliver_once(client) == 1
    [request] = seen
    secret = service.webhooks.webhooks[hook_id].secret
    timestamp = int(request.headers[webhook_rules.TIMESTAMP_HEADER])
    assert webhook_rules.verify(secret, timestamp, request.content,
                                request.headers[webhook_rules.SIGNATURE_HEADER])
    assert request.headers[webhook_rules.DELIVERY_HEADER] == delivery_id
    done = service.webhooks.deliveries[delivery_id]
    assert (done.state, done.attempts, done.log[0].status) == (DELIVERED, 1, 200)
    assert done.latency_ms is not None and delivery_id not in service.webhooks.queue


async def test_a_rotated_secret_signs_the_deliveries_from_then_on(service: Service) -> None:
    hook_id, _ = await subscribed(service)
    old = service.webhooks.webhooks[hook_id].secret
    rotated = await service.subscriptions.rotate_secret(hook_id, "quantri", everyone)
    assert rotated.secret != old and len(rotated.secret) > 30
    seen: list[httpx.Request] = []
    async with receiver([], seen) as client:
        assert await service.delivery.deliver_once(client) == 1
    [request] = seen
    timestamp = int(request.headers[webhook_rules.TIMESTAMP_HEADER])
    signed = request.headers[webhook_rules.SIGNATURE_HEADER]
    assert webhook_rules.verify(rotated.secret, timestamp, request.content, signed)
    assert not webhook_rules.verify(old, timestamp, request.content, signed)


async def test_a_failed_delivery_is_retried_later_then_given_up(service: Service) -> None:
    _, delivery_id = await subscribed(service)
    seen: list[httpx.Request] = []
    async with receiver([500, 503, 500], seen) as client:
        await service.delivery.deliver_once(client)
        queued = service.webhooks.queue[delivery_id]
        assert queued.next_attempt_at > utcnow()  # backed off
        for _ in range(2):
            queued.next_attempt_at = queued.lease_until = utcnow()
            await service.delivery.deliver_once(client)
    failed = service.webhooks.deliveries[delivery_id]
    assert (failed.state, failed.attempts) == (FAILED, 3)  # webhook_max_attempts
    assert [a.status for a in failed.log] == [500, 503, 500]
    assert delivery_id not in service.webhooks.queue


async def test_consecutive_failures_disable_the_subscription() -> None:
    service = Service(max_attempts=8, disable_after=2)
    hook_id, delivery_id = await subscribed(service)
    async with receiver([500, 500], []) as client:
        await service.delivery.deliver_once(client)
        queued = service.webhooks.queue[delivery_id]
        queued.next_attempt_at = queued.lease_until = utcnow()
        await service.delivery.deliver_once(client)
    hook = service.webhooks.webhooks[hook_id]
    assert not hook.enabled and hook.disabled_reason == "2 consecutive failed deliveries"
    assert service.webhooks.deliveries[delivery_id].state == PAUSED
    assert service.webhooks.queue == {}
    # Enabled again: the paused delivery is sent, with a fresh retry budget.
    await service.subscriptions.enable(hook_id, everyone)
    assert service.webhooks.deliveries[delivery_id].attempts == 0
    async with receiver([], []) as client:
        await service.delivery.deliver_once(client)
    assert service.webhooks.deliveries[delivery_id].state == DELIVERED


async def test_a_disabled_subscription_pauses_what_it_had_queued(service: Service) -> None:
    hook_id, delivery_id = await subscribed(service)
    await service.webhooks.set_enabled(hook_id, False, utcnow(), "by hand")
    seen: list[httpx.Request] = []
    async with receiver([], seen) as client:
        await service.delivery.deliver_once(client)
    assert seen == [] and service.webhooks.deliveries[delivery_id].state == PAUSED


# --- webhook subscriptions ---

async def test_subscriptions_need_a_good_public_url_and_a_free_slot() -> None:
    service = Service(per_ward=1)
    with pytest.raises(UrlInvalid):
        await service.subscriptions.create(VUNG_TAU, "ftp://ubnd.example/", None, "o")
    local = Subscriptions(service.webhooks, service.settings,
                          resolver_to("127.0.0.1"), service.worker.wake)
    with pytest.raises(UrlNotPublic, match="loopback"):
        await local.create(VUNG_TAU, "https://rebound.example/", None, "o")
    made = await service.subscriptions.create(VUNG_TAU, "https://ubnd.example/", "x", "o")
    assert (made.enabled, made.created_by, len(made.secret) > 30) == (True, "o", True)
    with pytest.raises(TooManyWebhooks):
        await service.subscriptions.create(VUNG_TAU, "https://ubnd.example/2", None, "o")


async def test_subscriptions_of_another_ward_are_not_found(service: Service) -> None:
    made = await service.subscriptions.create(VUNG_TAU, "https://ubnd.example/", None, "o")
    other = only(HOAN_KIEM)
    for call in (service.subscriptions.one(made.id, other),
                 service.subscriptions.enable(made.id, other),
                 service.subscriptions.disable(made.id, "o", other),
                 service.subscriptions.delete(made.id, other),
                 service.subscriptions.rotate_secret(made.id, "o", other),
                 service.subscriptions.deliveries(made.id, None, 10, other)):
        with pytest.raises(WebhookNotFound):
            await call
    assert [w.id for w in await service.subscriptions.for_wards([VUNG_TAU])] == [made.id]


async def test_disabling_pauses_and_deleting_cancels(service: Service) -> None:
    hook_id, delivery_id = await subscribed(service)
    disabled = await service.subscriptions.disable(hook_id, "o", everyone)
    assert (disabled.enabled, disabled.disabled_reason) == (False, "disabled by o")
    [logged] = await service.subscriptions.deliveries(hook_id, PAUSED, 10, everyone)
    assert logged.id == delivery_id and logged.body == ""  # the log leaves the body out
    enabled = await service.subscriptions.enable(hook_id, everyone)
    assert enabled.enabled and delivery_id in service.webhooks.queue
    await service.subscriptions.delete(hook_id, everyone)
    assert service.webhooks.deliveries[delivery_id].state == "cancelled"
    assert service.webhooks.queue == {} and hook_id not in service.webhooks.webhooks


# --- zone levels ---

async def test_setting_a_level_stores_and_publishes_the_change(service: Service) -> None:
    change = await service.levels.set_level(HOAN_KIEM, ZoneLevel.red, None, "ổ dịch", "admin",
                                            "corr-1")
    assert (change.level, change.note, change.effective_at) == (
        ZoneLevel.red, "ổ dịch", change.set_at)
    assert change.set_at.microsecond % 1000 == 0  # BSON's millisecond precision
    [event] = service.zones.events
    assert (event.payload.level, event.correlation_id) == (ZoneLevel.red, "corr-1")
    assert service.zone_outbox.sweeps == 1
    with pytest.raises(EffectiveAtInvalid, match="a year ahead"):
        await service.levels.set_level(HOAN_KIEM, ZoneLevel.red,
                                       utcnow() + timedelta(days=400), None, "admin", None)


async def test_a_wards_overview_has_its_level_history_and_arrivals(service: Service) -> None:
    plain = await service.levels.overview(VUNG_TAU, None, 50)
    assert (plain.level, plain.in_force, plain.arrivals) == (ZoneLevel.green, None, 0)
    await service.levels.set_level(VUNG_TAU, ZoneLevel.orange, utcnow() - timedelta(hours=1),
                                   None, "admin", None)
    await service.levels.set_level(VUNG_TAU, ZoneLevel.green, utcnow() + timedelta(days=2),
                                   None, "admin", None)
    await service.notifier.declarations([declaration()])
    zone = await service.levels.overview(VUNG_TAU, 7, 50)
    assert zone.level == ZoneLevel.orange
    assert zone.upcoming is not None and zone.upcoming.level == ZoneLevel.green
    assert [c.level for c in zone.history] == [ZoneLevel.green, ZoneLevel.orange]
    assert (zone.arrivals_days, zone.arrivals) == (7, 1)


# --- follow-ups ---

async def test_the_due_list_and_recording_a_follow_up(service: Service,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    today = vn_day(service.now)
    await service.desk.quarantine_ordered(order("q-1", HOAN_KIEM, today - timedelta(days=3),
                                                today + timedelta(days=11)))
    await service.desk.quarantine_ordered(order("q-2", VUNG_TAU, today, today + timedelta(days=14)))
    [due] = await service.desk.due([HOAN_KIEM], None)
    assert (due.quarantine.quarantine_id, due.day, due.lost) == ("q-1", 4, True)
    with caplog.at_level("INFO", logger="services.ward_notification.service.followups"):
        recorded = await service.desk.record("q-1", True, "visit", ["ho"], 37.5, "client-id-1",
                                             "o", only(HOAN_KIEM), "corr")
    [line] = [r.__dict__["fields"] for r in caplog.records]
    assert (line["by"], line["quarantine_id"], line["followup_id"]) == ("o", "q-1", "client-id-1")
    assert (recorded.on, recorded.day, recorded.by, recorded.channel) == (today, 4, "o", "visit")
    again = await service.desk.record("q-1", True, "visit", [], None, "client-id-1", "o",
                                      only(HOAN_KIEM), None)
    assert again == recorded and len(service.followups.events) == 1  # a retry records nothing
    assert service.followup_outbox.sweeps == 2
    [due] = await service.desk.due([HOAN_KIEM], today)
    assert (due.reached_today, due.lost, due.attempts_today) == (True, False, 1)
    # What the day's last attempt found, and who recorded it: the list and its export show it.
    assert due.latest_today is not None
    assert (due.latest_today.temperature_c, due.latest_today.symptoms, due.latest_today.by,
            due.latest_today.channel) == (37.5, ("ho",), "o", "visit")


async def test_recording_needs_a_quarantine_of_the_callers_ward_today(service: Service) -> None:
    today = vn_day(service.now)
    await service.desk.quarantine_ordered(order("q-1", HOAN_KIEM, today - timedelta(days=20),
                                                today - timedelta(days=6)))
    await service.desk.quarantine_ordered(order("q-2", VUNG_TAU, today, today + timedelta(days=14)))
    with pytest.raises(QuarantineNotFound):
        await service.desk.record("q-0", True, "call", [], None, None, "o", everyone, None)
    with pytest.raises(WardForbidden) as denied:
        await service.desk.record("q-2", True, "call", [], None, None, "o", only(HOAN_KIEM), None)
    assert denied.value.wards == [VUNG_TAU]
    with pytest.raises(NotUnderQuarantine):
        await service.desk.record("q-1", True, "call", [], None, None, "o", everyone, None)


async def test_a_release_ends_the_follow_up_and_counts_add_up(service: Service) -> None:
    today = vn_day(service.now)
    await service.desk.quarantine_ordered(order("q-1", HOAN_KIEM, today, today + timedelta(days=14)))
    await service.desk.quarantine_ordered(order("q-2", HOAN_KIEM, today, today + timedelta(days=14),
                                                QuarantineReason.arrival))
    await service.desk.quarantine_released(Envelope.wrap(QuarantineReleased(
        quarantine_id="q-2", subject_id=subject("q-2"), at=service.now - timedelta(days=1),
        early=True), producer="test"))
    await service.desk.case_confirmed(Envelope.wrap(CaseConfirmed(
        subject_id=subject("f0"), positive_test_date=today, confirmed_by="epi", ward_code=HOAN_KIEM),
        producer="test", occurred_at=service.now))
    counts = await service.desk.counts([HOAN_KIEM], None)
    assert (counts.day, counts.active_quarantines, counts.due_today, counts.lost_to_followup) == (
        today, 1, 1, 0)
    assert counts.new_f0[today.isoformat()] == 1
    assert counts.new_f1[today.isoformat()] == 1  # contact orders only
    assert len(counts.new_f0) == 14
    everywhere = await service.desk.counts(None, today)
    assert everywhere.wards is None and everywhere.active_quarantines == 1
