"""In-memory stand-ins for the ports of `services.ward_notification.service.ports`.

Each keeps what the real store keeps, in plain Python, and answers the same way (a
replayed notification, view, delivery or order is not stored twice; a fact is added
once; a paused delivery leaves the queue), so a use case runs against it as against
FerretDB; what they cannot show (indexes, FerretDB's lost updates, leases across
replicas) the integration tier proves on the real stores.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from libs.contracts.envelope import Envelope
from libs.contracts.events.notification import (
    FollowupRecorded,
    NotifyReason,
    WardNotified,
    ZoneLevelChanged,
)
from libs.contracts.events.trace import CaseConfirmed, QuarantineOrdered, QuarantineReleased
from libs.contracts.vietnam_time import vn_day
from services.ward_notification.domain.followups import Attempt, Quarantined
from services.ward_notification.domain.notifications import (
    DeclarationView,
    Notification,
    ward_notified,
)
from services.ward_notification.domain.records import (
    CANCELLED,
    DELIVERED,
    FAILED,
    PAUSED,
    PENDING,
    DayGroup,
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    DependentEvent,
    Fact,
    Followup,
    NewDelivery,
    ParkedEvent,
    StoredNotification,
    Webhook,
    ZoneChange,
)


class FakeNotifications:
    """`Notifications`: notifications with their `ward.notified`, the declaration view,
    parked events and the feed buckets."""

    def __init__(self) -> None:
        self.stored: dict[str, StoredNotification] = {}
        self.events: list[Envelope[WardNotified]] = []  # what the outbox holds, in order
        self.views: dict[str, DeclarationView] = {}
        self.parked: dict[str, ParkedEvent] = {}  # in the order they were parked
        self.buckets: dict[tuple[str, int], list[str]] = {}

    async def save_views(self, views: list[DeclarationView], now: datetime) -> set[str]:
        new = {v.declaration_id for v in views if v.declaration_id not in self.views}
        for view in views:
            self.views.setdefault(view.declaration_id, view)
        return new

    async def view(self, declaration_id: str) -> DeclarationView | None:
        return self.views.get(declaration_id)

    async def park(self, event: DependentEvent, now: datetime) -> None:
        self.parked.setdefault(event.event_id, ParkedEvent(
            event_id=event.event_id, declaration_id=event.payload.declaration_id, event=event))

    async def parked_for(self, declaration_ids: list[str]) -> list[ParkedEvent]:
        return [p for p in self.parked.values() if p.declaration_id in declaration_ids]

    async def unpark(self, event_id: str) -> None:
        self.parked.pop(event_id, None)

    async def add_many(self, ns: list[Notification], now: datetime) -> set[str]:
        new: set[str] = set()
        for n in ns:
            if n.notification_id in self.stored:
                continue
            self.stored[n.notification_id] = StoredNotification(
                id=n.notification_id, ward_code=n.ward_code, reason=n.reason, cause=n.cause,
                subject_id=n.subject_id, declaration_id=n.declaration_id, detail=n.detail,
                facts=[Fact(fact_id=n.fact_id, at=now, detail=n.detail)], created_at=now,
                day=vn_day(now).isoformat(), read=False)
            self.events.append(ward_notified(n))
            new.add(n.notification_id)
        return new

    async def add_fact(self, n: Notification, now: datetime) -> bool:
        stored = self.stored.get(n.notification_id)
        if stored is None or any(f.fact_id == n.fact_id for f in stored.facts):
            return False
        fact = Fact(fact_id=n.fact_id, at=now, detail=n.detail)
        self.stored[n.notification_id] = stored.model_copy(update={"facts": [*stored.facts, fact]})
        return True

    async def get(self, notification_id: str) -> StoredNotification | None:
        return self.stored.get(notification_id)

    async def many(self, ids: list[str]) -> list[StoredNotification]:
        return [self.stored[i] for i in ids if i in self.stored]

    async def page(self, wards: list[str], days: list[date], unread: bool | None,
                   reason: NotifyReason | None, after: tuple[datetime, str] | None,
                   limit: int) -> list[StoredNotification]:
        found = [n for n in self._on(wards, days)
                 if (unread is None or n.read is not unread)
                 and (reason is None or n.reason == reason)
                 and (after is None or (n.created_at, n.id) < after)]
        return sorted(found, key=lambda n: (n.created_at, n.id), reverse=True)[:limit]

    async def acknowledge(self, ids: list[str], by: str, now: datetime) -> int:
        unread = [i for i in ids if i in self.stored and not self.stored[i].read]
        for i in unread:
            self.stored[i] = self.stored[i].model_copy(update={
                "read": True, "acknowledged_at": now, "acknowledged_by": by})
        return len(unread)

    async def counts(self, wards: list[str], days: list[date]) -> list[DayGroup]:
        groups: dict[tuple[str, str, str, bool], int] = {}
        for n in self._on(wards, days):
            key = (n.ward_code, n.day, n.reason.value, n.read)
            groups[key] = groups.get(key, 0) + 1
        return [DayGroup(ward_code=w, day=d, reason=r, read=read, count=count)
                for (w, d, r, read), count in groups.items()]

    async def arrivals(self, ward_code: str, days: list[date]) -> int:
        return sum(1 for n in self._on([ward_code], days) if n.reason == NotifyReason.arriving)

    async def announce(self, bucket: int, notifications: list[tuple[str, str]]) -> None:
        for ward_code, notification_id in notifications:
            items = self.buckets.setdefault((ward_code, bucket), [])
            if notification_id not in items:
                items.append(notification_id)

    async def bucket(self, ward_code: str, bucket: int) -> list[str]:
        return list(self.buckets.get((ward_code, bucket), []))

    def _on(self, wards: list[str], days: list[date]) -> list[StoredNotification]:
        keys = {d.isoformat() for d in days}
        return [n for n in self.stored.values() if n.ward_code in wards and n.day in keys]


@dataclass
class _Queued:
    webhook_id: str
    next_attempt_at: datetime
    lease_until: datetime


class FakeWebhooks:
    """`Webhooks`: subscriptions, the delivery log and the queue of what is to be tried."""

    def __init__(self) -> None:
        self.webhooks: dict[str, Webhook] = {}
        self.deliveries: dict[str, Delivery] = {}
        self.queue: dict[str, _Queued] = {}

    async def add(self, webhook: Webhook) -> None:
        self.webhooks[webhook.id] = webhook

    async def get(self, webhook_id: str) -> Webhook | None:
        return self.webhooks.get(webhook_id)

    async def for_wards(self, wards: list[str] | None) -> list[Webhook]:
        found = [w for w in self.webhooks.values() if wards is None or w.ward_code in wards]
        return sorted(found, key=lambda w: w.created_at)

    async def count_for_ward(self, ward_code: str) -> int:
        return sum(1 for w in self.webhooks.values() if w.ward_code == ward_code)

    async def set_secret(self, webhook_id: str, secret: str, now: datetime, by: str) -> None:
        if webhook_id in self.webhooks:
            self.webhooks[webhook_id] = self.webhooks[webhook_id].model_copy(
                update={"secret": secret})

    async def set_enabled(self, webhook_id: str, enabled: bool, now: datetime,
                          reason: str | None = None) -> None:
        if webhook_id not in self.webhooks:
            return
        update: dict[str, object] = (
            {"enabled": True, "consecutive_failures": 0, "disabled_at": None,
             "disabled_reason": None} if enabled else
            {"enabled": False, "disabled_at": now, "disabled_reason": reason})
        self.webhooks[webhook_id] = self.webhooks[webhook_id].model_copy(update=update)

    async def delete(self, webhook_id: str) -> None:
        self.webhooks.pop(webhook_id, None)
        self.queue = {i: q for i, q in self.queue.items() if q.webhook_id != webhook_id}
        for d in self._of(webhook_id, PENDING, PAUSED):
            self._set(d.id, state=CANCELLED)

    async def record_outcome(self, webhook_id: str, ok: bool, now: datetime) -> Webhook | None:
        hook = self.webhooks.get(webhook_id)
        if hook is None:
            return None
        failures = 0 if ok else hook.consecutive_failures + 1
        self.webhooks[webhook_id] = hook.model_copy(update={"consecutive_failures": failures})
        return self.webhooks[webhook_id]

    async def enqueue(self, delivery: NewDelivery, enabled: bool, now: datetime) -> None:
        existing = self.deliveries.get(delivery.id)
        if existing is None:
            self.deliveries[delivery.id] = Delivery(
                id=delivery.id, webhook_id=delivery.webhook_id,
                notification_id=delivery.notification_id, notified_at=delivery.notified_at,
                state=PENDING if enabled else PAUSED, attempts=0,
                created_at=delivery.created_at, body=delivery.body)
        elif existing.state != PENDING:
            return
        if enabled:
            self._queue(delivery.id, delivery.webhook_id, now)

    async def delivery(self, delivery_id: str) -> Delivery | None:
        return self.deliveries.get(delivery_id)

    async def log(self, webhook_id: str, state: DeliveryState | None,
                  limit: int) -> list[Delivery]:
        found = [d.model_copy(update={"body": ""}) for d in self.deliveries.values()
                 if d.webhook_id == webhook_id and (state is None or d.state == state)]
        return sorted(found, key=lambda d: d.created_at, reverse=True)[:limit]

    async def delivered(self, delivery_id: str, attempt: DeliveryAttempt,
                        latency_ms: float) -> None:
        self._attempted(delivery_id, attempt, state=DELIVERED, delivered_at=attempt.at,
                        latency_ms=latency_ms)

    async def failed(self, delivery_id: str, attempt: DeliveryAttempt, gave_up: bool) -> None:
        if gave_up:
            self._attempted(delivery_id, attempt, state=FAILED)
        else:
            self._attempted(delivery_id, attempt)

    async def pause_all(self, webhook_id: str) -> None:
        self.queue = {i: q for i, q in self.queue.items() if q.webhook_id != webhook_id}
        for d in self._of(webhook_id, PENDING):
            self._set(d.id, state=PAUSED)

    async def resume_all(self, webhook_id: str, now: datetime) -> int:
        for d in self._of(webhook_id, PAUSED):
            self._set(d.id, state=PENDING, attempts=0)
        waiting = self._of(webhook_id, PENDING)
        for d in waiting:
            self._queue(d.id, webhook_id, now)
        return len(waiting)

    async def due(self, now: datetime, limit: int) -> list[str]:
        return [i for i, q in self.queue.items()
                if q.next_attempt_at <= now and q.lease_until <= now][:limit]

    async def claim(self, delivery_id: str, now: datetime, lease: timedelta) -> bool:
        queued = self.queue.get(delivery_id)
        if queued is None or queued.lease_until > now:
            return False
        queued.lease_until = now + lease
        return True

    async def retry_at(self, delivery_id: str, when: datetime) -> None:
        if delivery_id in self.queue:
            self.queue[delivery_id].next_attempt_at = when
            self.queue[delivery_id].lease_until = when

    async def dequeue(self, delivery_id: str) -> None:
        self.queue.pop(delivery_id, None)

    def _queue(self, delivery_id: str, webhook_id: str, now: datetime) -> None:
        self.queue.setdefault(delivery_id, _Queued(webhook_id, now, now))

    def _of(self, webhook_id: str, *states: DeliveryState) -> list[Delivery]:
        return [d for d in self.deliveries.values()
                if d.webhook_id == webhook_id and d.state in states]

    def _set(self, delivery_id: str, **fields: object) -> None:
        self.deliveries[delivery_id] = self.deliveries[delivery_id].model_copy(update=fields)

    def _attempted(self, delivery_id: str, attempt: DeliveryAttempt, **fields: object) -> None:
        d = self.deliveries.get(delivery_id)
        if d is not None:
            self._set(delivery_id, log=[*d.log, attempt], attempts=d.attempts + 1, **fields)


class FakeZones:
    """`Zones`: the changes of ward levels, each with its `zone.level_changed`."""

    def __init__(self) -> None:
        self.changes: list[ZoneChange] = []
        self.events: list[Envelope[ZoneLevelChanged]] = []

    async def add(self, event: Envelope[ZoneLevelChanged], note: str | None) -> ZoneChange:
        p = event.payload
        change = ZoneChange(change_id=event.event_id, ward_code=p.ward_code, level=p.level,
                            effective_at=p.effective_at, set_by=p.set_by,
                            set_at=event.occurred_at, note=note)
        self.changes.append(change)
        self.events.append(event)
        return change

    async def for_ward(self, ward_code: str) -> list[ZoneChange]:
        return [c for c in self.changes if c.ward_code == ward_code]


class FakeFollowups:
    """`Followups`: the views of quarantine orders, releases and cases, and follow-ups
    with their `followup.recorded`."""

    def __init__(self) -> None:
        self.orders: dict[str, tuple[Quarantined, str]] = {}  # with the day it was ordered
        self.released: dict[str, date] = {}
        self.cases: dict[str, tuple[str | None, str]] = {}  # (ward, day confirmed)
        self.recorded: dict[str, Followup] = {}
        self.events: list[Envelope[FollowupRecorded]] = []

    async def put_order(self, event: Envelope[QuarantineOrdered]) -> bool:
        p = event.payload
        if p.quarantine_id in self.orders:
            return False
        self.orders[p.quarantine_id] = (Quarantined(
            quarantine_id=p.quarantine_id, subject_id=p.subject_id, ward_code=p.ward_code or "",
            start=p.start, end=p.end, place=p.place.value, reason=p.reason.value),
            vn_day(event.occurred_at).isoformat())
        return True

    async def put_release(self, event: Envelope[QuarantineReleased]) -> bool:
        p = event.payload
        if p.quarantine_id in self.released:
            return False
        self.released[p.quarantine_id] = vn_day(p.at)
        return True

    async def put_case(self, event: Envelope[CaseConfirmed]) -> bool:
        p = event.payload
        case_id = p.case_id or event.event_id
        if case_id in self.cases:
            return False
        self.cases[case_id] = (p.ward_code, vn_day(event.occurred_at).isoformat())
        return True

    async def in_wards(self, wards: list[str] | None) -> list[Quarantined]:
        return [self._with_release(q) for q, _ in self.orders.values()
                if wards is None or q.ward_code in wards]

    async def quarantine(self, quarantine_id: str) -> Quarantined | None:
        found = self.orders.get(quarantine_id)
        return self._with_release(found[0]) if found else None

    async def attempts(self, quarantine_ids: list[str]) -> dict[str, list[Attempt]]:
        found: dict[str, list[Attempt]] = {}
        for f in self.recorded.values():
            if f.quarantine_id in quarantine_ids:
                found.setdefault(f.quarantine_id, []).append(Attempt(
                    f.on, f.reached, at=f.at, channel=f.channel, temperature_c=f.temperature_c,
                    symptoms=tuple(f.symptoms), by=f.by))
        return found

    async def case_days(self, wards: list[str] | None) -> list[str]:
        return [day for ward, day in self.cases.values() if wards is None or ward in wards]

    async def order_days(self, wards: list[str] | None) -> list[tuple[str, str]]:
        return [(day, q.reason) for q, day in self.orders.values()
                if wards is None or q.ward_code in wards]

    async def add_followup(self, followup_id: str, event: Envelope[FollowupRecorded],
                           at: datetime) -> bool:
        if followup_id in self.recorded:
            return False
        p = event.payload
        self.recorded[followup_id] = Followup(
            followup_id=followup_id, quarantine_id=p.quarantine_id, on=p.on or vn_day(at),
            day=p.day, reached=p.reached, channel=p.channel or "call", symptoms=p.symptoms,
            temperature_c=p.temperature_c, by=p.by, at=at)
        self.events.append(event)
        return True

    async def followup(self, followup_id: str) -> Followup | None:
        return self.recorded.get(followup_id)

    def _with_release(self, q: Quarantined) -> Quarantined:
        released = self.released.get(q.quarantine_id)
        return q if released is None else Quarantined(**{**q.__dict__, "released_on": released})


class FakeOutbox:
    """`Outbox`: records which documents it was told to publish."""

    def __init__(self) -> None:
        self.woken: list[str] = []
        self.sweeps = 0  # wakes without ids: the next pass sweeps the collection

    def wake(self, *ids: str) -> None:
        self.woken.extend(ids)
        if not ids:
            self.sweeps += 1


class FakeWorker:
    """The delivery worker's `wake`, counted."""

    def __init__(self) -> None:
        self.wakes = 0

    def wake(self) -> None:
        self.wakes += 1
