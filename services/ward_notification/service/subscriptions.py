"""Webhook subscriptions of a ward's own systems, and their delivery log.

`visible` is the caller's ward check: another ward's subscription is "not found"."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from libs.contracts.envelope import new_event_id, utcnow
from services.ward_notification.domain import webhooks as rules
from services.ward_notification.domain.errors import (
    TooManyWebhooks,
    UrlInvalid,
    UrlNotPublic,
    WebhookNotFound,
)
from services.ward_notification.domain.records import Delivery, DeliveryState, Webhook
from services.ward_notification.service.ports import Visible, Webhooks
from services.ward_notification.service.webhook_addresses import Resolver, destination_problem
from services.ward_notification.settings import Settings

log = logging.getLogger(__name__)


class Subscriptions:
    def __init__(self, store: Webhooks, settings: Settings, resolver: Resolver,
                 wake: Callable[[], None]) -> None:
        self.store = store
        self.settings = settings
        self.resolver = resolver  # the delivery worker's, so both resolve alike
        self.wake = wake  # the delivery worker: resumed deliveries are waiting

    async def create(self, ward_code: str, url: str, description: str | None,
                     by: str) -> Webhook:
        """A new subscription with its signing secret; its URL must be well formed and
        reach public addresses only (unless the operator allow-lists its host)."""
        s = self.settings
        problem = rules.url_problem(url, s.webhook_require_https)
        if problem:
            raise UrlInvalid(problem)
        problem = await destination_problem(url, s.webhook_allowed, self.resolver,
                                            s.webhook_timeout_s)
        if problem:
            raise UrlNotPublic(problem)
        if await self.store.count_for_ward(ward_code) >= s.webhooks_per_ward:
            raise TooManyWebhooks(s.webhooks_per_ward)
        webhook = Webhook(id=new_event_id(), ward_code=ward_code, url=url,
                          description=description, secret=secrets.token_urlsafe(32),
                          enabled=True, consecutive_failures=0, created_at=utcnow(),
                          created_by=by)
        await self.store.add(webhook)
        return webhook

    async def for_wards(self, wards: list[str]) -> list[Webhook]:
        return await self.store.for_wards(wards)

    async def one(self, webhook_id: str, visible: Visible) -> Webhook:
        found = await self.store.get(webhook_id)
        if found is None or not visible(found.ward_code):
            raise WebhookNotFound(webhook_id)
        return found

    async def enable(self, webhook_id: str, visible: Visible) -> Webhook:
        """Deliveries paused meanwhile are sent again."""
        await self.one(webhook_id, visible)
        await self.store.set_enabled(webhook_id, True, utcnow())
        await self.store.resume_all(webhook_id, utcnow())
        self.wake()
        return await self.one(webhook_id, visible)

    async def disable(self, webhook_id: str, by: str, visible: Visible) -> Webhook:
        """Notifications meanwhile wait for it to be enabled."""
        await self.one(webhook_id, visible)
        await self.store.set_enabled(webhook_id, False, utcnow(), f"disabled by {by}")
        await self.store.pause_all(webhook_id)
        return await self.one(webhook_id, visible)

    async def rotate_secret(self, webhook_id: str, by: str, visible: Visible) -> Webhook:
        """A new signing secret (the old one may have leaked); the answer holds it, the only
        time it is shown. Deliveries from now on, retries included, are signed with it."""
        await self.one(webhook_id, visible)
        await self.store.set_secret(webhook_id, secrets.token_urlsafe(32), utcnow(), by)
        rotated = await self.one(webhook_id, visible)
        log.info("webhook %s of ward %s: signing secret rotated by %s", webhook_id,
                 rotated.ward_code, by)
        return rotated

    async def delete(self, webhook_id: str, visible: Visible) -> None:
        """Its waiting deliveries are cancelled."""
        await self.one(webhook_id, visible)
        await self.store.delete(webhook_id)

    async def deliveries(self, webhook_id: str, state: DeliveryState | None, limit: int,
                         visible: Visible) -> list[Delivery]:
        await self.one(webhook_id, visible)
        return await self.store.log(webhook_id, state, limit)
