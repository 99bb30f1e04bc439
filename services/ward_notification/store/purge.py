"""Retention (DESIGN §5): a periodic job deletes notification data past its days."""

from __future__ import annotations

from datetime import datetime

from libs.contracts.envelope import utcnow
from libs.runtime.http import Hook
from libs.runtime.jobs import every
from services.ward_notification.settings import Settings
from services.ward_notification.store.followups import FollowupStore
from services.ward_notification.store.notifications import NotificationStore
from services.ward_notification.store.webhooks import WebhookStore


async def purge_once(store: NotificationStore, webhooks: WebhookStore,
                     followups: FollowupStore, settings: Settings,
                     now: datetime | None = None) -> dict[str, int]:
    now = now or utcnow()
    window = settings.retention.window
    deleted = await store.purge(now, window, settings.feed_max_replay_s + 3600)
    deleted["webhook_deliveries"] = await webhooks.purge(now - window)
    return deleted | await followups.purge(now - window)


def purge_job(store: NotificationStore, webhooks: WebhookStore, followups: FollowupStore,
              settings: Settings) -> Hook:
    return every(settings.purge_interval_s,
                 lambda: purge_once(store, webhooks, followups, settings), "retention purge")
