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
from typing import Any

from libs.contracts.envelope import Envelope, parse_event, utcnow
from libs.contracts.events.declaration import DeclarationSubmitted
from services.ward_notification.domain import (
    DeclarationView,
    Notification,
    feed_bucket,
    from_declaration,
    from_dependent,
    view_of,
)
from services.ward_notification.schemas import webhook_body
from services.ward_notification.settings import Settings
from services.ward_notification.store import NotificationStore
from services.ward_notification.store_webhooks import WebhookStore


class Notifier:
    def __init__(self, store: NotificationStore, webhooks: WebhookStore, settings: Settings,
                 wake: Callable[[], None], published: Callable[..., None]) -> None:
        self.store = store
        self.webhooks = webhooks
        self.settings = settings
        self.wake = wake  # the webhook worker: deliveries may be waiting
        self.published = published  # the outbox relay, told which notification to publish

    async def declaration(self, event: Envelope[DeclarationSubmitted]) -> None:
        view = view_of(event)
        await self.store.save_view(view, utcnow())
        for notification in from_declaration(view, event):
            await self.notify(notification)
        await self._resolve_parked(view)

    async def dependent(self, event: Envelope[Any]) -> None:
        """`checkpoint.passed`, `checkpoint.refused` or `identity.rejected`."""
        view = await self.store.view(event.payload.declaration_id)
        if view is not None:
            await self.notify(from_dependent(view, event))
            return
        await self.store.park(event, utcnow())
        view = await self.store.view(event.payload.declaration_id)
        if view is not None:  # the declaration landed while this event was being parked
            await self._resolve_parked(view)

    async def _resolve_parked(self, view: DeclarationView) -> None:
        for parked in await self.store.parked_for(view.declaration_id):
            await self.notify(from_dependent(view, parse_event(parked["value"])))
            await self.store.unpark(parked["_id"])

    async def notify(self, n: Notification) -> None:
        now = utcnow()
        if not await self.store.add(n, now):
            await self.store.add_fact(n, now)
        # Repeated on a redelivery on purpose: a crash may have come between these writes.
        await self.store.announce(n.ward_code, feed_bucket(now, self.settings.feed_bucket_s),
                                  n.notification_id)
        await self._fan_out(n, now)
        self.published(n.notification_id)
        self.wake()

    async def _fan_out(self, n: Notification, now: datetime) -> None:
        hooks = await self.webhooks.for_wards([n.ward_code])
        if not hooks:
            return
        doc = await self.store.get(n.notification_id)
        assert doc is not None, "the notification was stored just before"
        for hook in hooks:
            delivery_id = f"{hook['_id']}:{n.notification_id}"
            await self.webhooks.enqueue({
                "_id": delivery_id, "webhook_id": hook["_id"], "ward_code": n.ward_code,
                "notification_id": n.notification_id, "notified_at": doc["created_at"],
                "body": webhook_body(doc, delivery_id, hook["_id"]), "attempts": 0, "log": [],
                "created_at": now}, enabled=hook["enabled"], now=now)
