"""Turning consumed events into notifications, whatever order they arrive in.

`checkpoint.*` and `identity.rejected` name only a declaration id. When that
declaration has not been seen yet (topics are not ordered with each other),
the event is parked; the declaration resolves it when it arrives. Parking
re-reads the view afterwards, so a declaration stored in between is not
missed. Every step is idempotent, so a redelivery simply runs it again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from libs.contracts.envelope import Envelope, utcnow
from libs.contracts.events.declaration import DeclarationSubmitted
from services.ward_notification.domain.notifications import (
    DeclarationView,
    Notification,
    feed_bucket,
    from_declaration,
    from_dependent,
    view_of,
)
from services.ward_notification.domain.records import DependentEvent, NewDelivery, Webhook
from services.ward_notification.domain.webhooks import webhook_body
from services.ward_notification.service.ports import Notifications, Outbox, Webhooks
from services.ward_notification.settings import Settings


class Notifier:
    def __init__(self, store: Notifications, webhooks: Webhooks, settings: Settings,
                 wake: Callable[[], None], outbox: Outbox) -> None:
        self.store = store
        self.webhooks = webhooks
        self.settings = settings
        self.wake = wake  # the webhook worker: deliveries may be waiting
        self.outbox = outbox  # the relay, told which notifications to publish

    async def declarations(self, events: list[Envelope[DeclarationSubmitted]]) -> None:
        """A batch of declarations, with one write per collection for the whole batch."""
        now = utcnow()
        views = [view_of(event) for event in events]
        await self.store.save_views(views, now)
        await self.notify_all([n for view, event in zip(views, events, strict=True)
                               for n in from_declaration(view, event)], now)
        await self._resolve_parked(views)

    async def dependent(self, event: DependentEvent) -> None:
        """`checkpoint.passed`, `checkpoint.refused` or `identity.rejected`."""
        view = await self.store.view(event.payload.declaration_id)
        if view is not None:
            await self.notify_all([from_dependent(view, event)], utcnow())
            return
        await self.store.park(event, utcnow())
        view = await self.store.view(event.payload.declaration_id)
        if view is not None:  # the declaration landed while this event was being parked
            await self._resolve_parked([view])

    async def _resolve_parked(self, views: list[DeclarationView]) -> None:
        by_id = {view.declaration_id: view for view in views}
        for parked in await self.store.parked_for(list(by_id)):
            view = by_id[parked.declaration_id]
            await self.notify_all([from_dependent(view, parked.event)], utcnow())
            await self.store.unpark(parked.event_id)

    async def notify_all(self, ns: list[Notification], now: datetime) -> None:
        """Store, announce on the live feed, queue webhooks, hand to the outbox relay.
        Repeated in full on a redelivery on purpose: a crash may have come between writes."""
        if not ns:
            return
        new = await self.store.add_many(ns, now)
        for n in ns:
            if n.notification_id not in new:
                await self.store.add_fact(n, now)
        await self.store.announce(feed_bucket(now, self.settings.feed_bucket_s),
                                  [(n.ward_code, n.notification_id) for n in ns])
        hooks = await self.webhooks.for_wards(sorted({n.ward_code for n in ns}))
        for n in ns:
            await self._fan_out(n, now, [h for h in hooks if h.ward_code == n.ward_code])
        self.outbox.wake(*(n.notification_id for n in ns))
        self.wake()

    async def _fan_out(self, n: Notification, now: datetime, hooks: list[Webhook]) -> None:
        if not hooks:
            return
        stored = await self.store.get(n.notification_id)
        assert stored is not None, "the notification was stored just before"
        for hook in hooks:
            delivery_id = f"{hook.id}:{n.notification_id}"
            await self.webhooks.enqueue(NewDelivery(
                id=delivery_id, webhook_id=hook.id, ward_code=n.ward_code,
                notification_id=n.notification_id, notified_at=stored.created_at,
                body=webhook_body(stored, delivery_id, hook.id), created_at=now),
                enabled=hook.enabled, now=now)
