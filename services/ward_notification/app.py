"""Composition root of the ward-notification service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI

from libs.contracts.envelope import utcnow
from libs.contracts.topics import Topics
from libs.runtime.http import Service, create_app
from libs.runtime.kafka import make_broker
from libs.runtime.mongo import database, make_client
from libs.runtime.outbox import OutboxRelay
from services.ward_notification import consumers
from services.ward_notification.api import feed as feed_routes
from services.ward_notification.api import followups as followup_routes
from services.ward_notification.api import inbox as inbox_routes
from services.ward_notification.api import webhooks as webhook_routes
from services.ward_notification.api import zones as zone_routes
from services.ward_notification.service.delivery import DeliveryWorker
from services.ward_notification.service.feed import Feed
from services.ward_notification.service.followups import FollowupDesk
from services.ward_notification.service.inbox import Inbox
from services.ward_notification.service.notifier import Notifier
from services.ward_notification.service.subscriptions import Subscriptions
from services.ward_notification.service.zones import ZoneLevels
from services.ward_notification.settings import Settings
from services.ward_notification.store.followups import FollowupStore
from services.ward_notification.store.notifications import NotificationStore
from services.ward_notification.store.purge import purge_job, purge_once
from services.ward_notification.store.webhooks import WebhookStore
from services.ward_notification.store.zones import ZoneStore

WEB = Path(__file__).parent / "web"
RELAY_BATCH = 40


def build(settings: Settings | None = None,
          clock: Callable[[], datetime] = utcnow) -> FastAPI:
    """`clock` is the follow-up's "now" (which quarantine day it is); tests move it."""
    settings = settings or Settings()
    broker = make_broker(settings)
    mongo = make_client(settings)
    db = database(mongo, settings)
    store, webhooks, zones = NotificationStore(db), WebhookStore(db), ZoneStore(db)
    followups = FollowupStore(db)
    topics = Topics(settings.topic_prefix)
    # Batches under 100: FerretDB 1.24 (SQLite) keeps one pooled connection per statement of
    # an update command until it ends, and its pool has 100, so the relay's marking
    # bulk_write of >= 100 documents deadlocks the server (see docs/ward-notification.md).
    notices, zone_relay, followup_relay = (
        OutboxRelay(collection, broker, topics, poll_s=settings.outbox_poll_s, batch=RELAY_BATCH)
        for collection in (store.notifications, zones.changes, followups.followups))
    worker = DeliveryWorker(webhooks, settings)
    desk = FollowupDesk(followups, followup_relay, settings, clock)

    consumers.register(broker, settings,
                       Notifier(store, webhooks, settings, worker.wake, notices), desk)
    app = create_app(Service(
        settings=settings, broker=broker, mongo=mongo,
        title="khaibao — ward notification",
        description="Ward inboxes, live feed and webhooks for ward officials; epidemic zone "
                    "levels for everyone.",
        routers=[inbox_routes.build_router(Inbox(store)),
                 feed_routes.build_router(Feed(store, settings)),
                 webhook_routes.build_router(
                     Subscriptions(webhooks, settings, worker.resolver, worker.wake)),
                 zone_routes.build_router(ZoneLevels(zones, store, zone_relay, settings)),
                 followup_routes.build_router(desk)],
        startup=[store.create_indexes, webhooks.create_indexes, zones.create_indexes,
                 followups.create_indexes],
        background=[notices.run, zone_relay.run, worker.run, followup_relay.run,
                    purge_job(store, webhooks, followups, settings)],
        web_dir=WEB,
    ))
    # What the periodic purge runs, as of a given time (the retention test drives it).
    app.state.purge = lambda now: purge_once(store, webhooks, followups, settings, now)
    return app
