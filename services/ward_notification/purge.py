"""Retention (DESIGN §5): a periodic job deletes notification data past its days."""

from __future__ import annotations

from datetime import timedelta

from libs.contracts.envelope import utcnow
from libs.runtime.http import Hook
from libs.runtime.jobs import every
from services.ward_notification.settings import Settings
from services.ward_notification.store import NotificationStore
from services.ward_notification.store_webhooks import WebhookStore


async def purge_once(store: NotificationStore, webhooks: WebhookStore,
                     settings: Settings) -> dict[str, int]:
    now = utcnow()
    retention = timedelta(days=settings.retention_days)
    feed_keep = settings.feed_max_replay_s + 3600
    deleted = await store.purge(now, retention, feed_keep)
    deleted["webhook_deliveries"] = await webhooks.purge(now - retention)
    return deleted


def purge_job(store: NotificationStore, webhooks: WebhookStore,
              settings: Settings) -> Hook:
    return every(settings.purge_interval_s, lambda: purge_once(store, webhooks, settings),
                 "retention purge")
