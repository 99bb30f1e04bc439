"""The webhook delivery worker: bounded, leased, retried with exponential backoff.

Each pass claims at most `webhook_batch` due queue items and sends them with
at most `webhook_concurrency` requests in flight. A failed attempt (no 2xx,
timeout, refused connection) is logged and retried after base·2^(n-1)
seconds (capped); after `webhook_max_attempts` the delivery is given up;
after `webhook_disable_after` consecutive failures the subscription is
disabled and its waiting deliveries are paused until an official re-enables it.
Every connection goes through service/webhook_addresses.GuardedTransport: an address that is not
public (loopback, private, link-local …) is refused at connect time, whatever the host
resolved to when it was registered, and the attempt is logged as failed with an error
starting `address_refused` (no request is sent). The client reads no proxy settings from
the environment, so nothing bypasses that check.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import timedelta

import httpx

from libs.contracts.envelope import utcnow
from libs.runtime.logs import log_fields
from services.ward_notification.domain import webhooks as rules
from services.ward_notification.domain.records import PENDING, Delivery, DeliveryAttempt, Webhook
from services.ward_notification.service.ports import Webhooks
from services.ward_notification.service.webhook_addresses import (
    GuardedTransport,
    Resolver,
    resolve,
)
from services.ward_notification.settings import Settings

log = logging.getLogger(__name__)


def _honour_cancellation() -> None:
    # PyMongo's async cursor can swallow a cancellation (see libs/runtime/outbox.py).
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


class DeliveryWorker:
    def __init__(self, store: Webhooks, settings: Settings,
                 resolver: Resolver = resolve) -> None:
        self.store = store
        self.settings = settings
        self.resolver = resolver
        self._wake = asyncio.Event()
        self._limit = asyncio.Semaphore(settings.webhook_concurrency)

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        timeout = httpx.Timeout(self.settings.webhook_timeout_s)
        transport = GuardedTransport(self.settings.webhook_allowed, self.resolver)
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False,
                                     transport=transport) as client:
            while True:
                _honour_cancellation()
                try:
                    while await self.deliver_once(client) >= self.settings.webhook_batch:
                        pass  # a full batch: more may be due
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("webhook delivery pass failed; retrying")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.settings.webhook_poll_s)
                self._wake.clear()

    async def deliver_once(self, client: httpx.AsyncClient) -> int:
        """Send what is due now; return how many queue items were looked at."""
        now = utcnow()
        due = await self.store.due(now, self.settings.webhook_batch)
        lease = timedelta(seconds=self.settings.webhook_lease_s)
        claimed = [d for d in due if await self.store.claim(d, now, lease)]
        await asyncio.gather(*(self._guarded(client, d) for d in claimed))
        return len(due)

    async def _guarded(self, client: httpx.AsyncClient, delivery_id: str) -> None:
        async with self._limit:
            try:
                await self._attempt(client, delivery_id)
            except Exception:
                # The lease runs out and another pass tries again.
                log.exception("delivery attempt failed", extra=log_fields(delivery=delivery_id))

    async def _attempt(self, client: httpx.AsyncClient, delivery_id: str) -> None:
        delivery = await self.store.delivery(delivery_id)
        hook = await self.store.get(delivery.webhook_id) if delivery else None
        if delivery is None or delivery.state != PENDING or hook is None:
            await self.store.dequeue(delivery_id)
            return
        if not hook.enabled:
            await self.store.pause_all(hook.id)
            return
        attempt = await self._send(client, hook, delivery)
        if attempt.ok:
            await self._succeeded(delivery, attempt)
        else:
            await self._failed(hook, delivery, attempt)

    async def _send(self, client: httpx.AsyncClient, hook: Webhook,
                    delivery: Delivery) -> DeliveryAttempt:
        body = delivery.body.encode()
        timestamp = int(time.time())
        headers = {"content-type": "application/json", "user-agent": "khaibao-ward-notification",
                   rules.EVENT_HEADER: "ward.notified", rules.DELIVERY_HEADER: delivery.id,
                   rules.ATTEMPT_HEADER: str(delivery.attempts + 1),
                   rules.TIMESTAMP_HEADER: str(timestamp),
                   rules.SIGNATURE_HEADER: rules.signature(hook.secret, timestamp, body)}
        started = time.perf_counter()
        status, error = None, None
        try:
            response = await client.post(hook.url, content=body, headers=headers)
            status = response.status_code
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            refused = str(exc).startswith(rules.REFUSED)
            error = (str(exc) if refused else f"{type(exc).__name__}: {exc}")[:500]
            if refused:
                log.warning("webhook delivery refused", extra=log_fields(
                    webhook=hook.id, delivery=delivery.id, error=error))
        return DeliveryAttempt(at=utcnow(), status=status, error=error,
                               ms=round((time.perf_counter() - started) * 1000, 1))

    async def _succeeded(self, delivery: Delivery, attempt: DeliveryAttempt) -> None:
        latency = (attempt.at - delivery.notified_at).total_seconds() * 1000
        await self.store.delivered(delivery.id, attempt, round(latency, 1))
        await self.store.record_outcome(delivery.webhook_id, ok=True, now=attempt.at)
        await self.store.dequeue(delivery.id)

    async def _failed(self, hook: Webhook, delivery: Delivery, attempt: DeliveryAttempt) -> None:
        now = attempt.at
        attempts = delivery.attempts + 1
        gave_up = attempts >= self.settings.webhook_max_attempts
        await self.store.failed(delivery.id, attempt, gave_up)
        updated = await self.store.record_outcome(hook.id, ok=False, now=now)
        failures = updated.consecutive_failures if updated else 0
        if updated and updated.enabled and failures >= self.settings.webhook_disable_after:
            await self.store.set_enabled(hook.id, False, now,
                                         f"{failures} consecutive failed deliveries")
            await self.store.pause_all(hook.id)
            log.warning("webhook disabled", extra=log_fields(webhook=hook.id, failures=failures))
        elif gave_up:
            await self.store.dequeue(delivery.id)
        else:
            wait = rules.backoff_s(attempts, self.settings.webhook_backoff_base_s,
                                   self.settings.webhook_backoff_max_s)
            await self.store.retry_at(delivery.id, now + timedelta(seconds=wait))
