"""Composition root of the checkpoint service: the only place that creates the stores and
hands them to the use cases and routes."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from pathlib import Path

from fastapi import FastAPI

from libs.contracts.topics import Topics
from libs.runtime.http import Service, create_app
from libs.runtime.kafka import make_broker
from libs.runtime.mongo import database, make_client
from libs.runtime.outbox import OutboxRelay
from services.checkpoint import consumers
from services.checkpoint.api import checkpoints, passages, scans
from services.checkpoint.service.deciding import Deciding
from services.checkpoint.service.qr_keys import KeyCache, KeySource, http_source
from services.checkpoint.service.registry import CheckpointRegistry
from services.checkpoint.service.scan_details import ScanDetails
from services.checkpoint.service.scanning import Scanning
from services.checkpoint.service.venue_stays import VenueStays
from services.checkpoint.service.view_updates import ViewUpdates
from services.checkpoint.settings import Settings
from services.checkpoint.store.passages import PassageStore
from services.checkpoint.store.registry import CheckpointStore
from services.checkpoint.store.retention import purge_job, purge_once
from services.checkpoint.store.views import ViewStore

WEB = Path(__file__).parent / "web"


def build(settings: Settings | None = None, key_source: KeySource | None = None) -> FastAPI:
    """`key_source` replaces the HTTP fetch of the QR public keys (tests)."""
    settings = settings or Settings()
    broker = make_broker(settings)
    mongo = make_client(settings)
    db = database(mongo, settings)
    registry, views, store = CheckpointStore(db), ViewStore(db), PassageStore(db)
    relay = OutboxRelay(store.passages, broker, Topics(settings.topic_prefix),
                        poll_s=settings.outbox_poll_s)
    # `checkpoint.scanned`, from the scan documents: the officer's reveal window.
    scan_relay = OutboxRelay(store.scans, broker, Topics(settings.topic_prefix),
                             poll_s=settings.outbox_poll_s)
    keys = KeyCache(key_source or http_source(settings.keys_url, settings.keys_timeout_s),
                    min_refresh_s=settings.keys_min_refresh_s,
                    max_age_s=settings.keys_max_age_s, save=views.save_jwks)
    scanning = Scanning(registry, views, store, keys,
                        ScanDetails(views, settings.earlier_refusals_shown, settings.zone_cache_s),
                        settings.subject_secret_bytes, scan_relay)
    stays = VenueStays(store, store, timedelta(seconds=settings.venue_stay_max_s),
                       settings.autocheckout_interval_s, relay)
    deciding = Deciding(scanning, store, store, views, stays, relay,
                        timedelta(hours=settings.offline_max_age_h))
    consumers.register(broker, settings, ViewUpdates(views, settings.subject_secret_bytes))

    async def load_keys() -> None:
        await keys.start(await views.load_jwks())

    app = create_app(Service(
        settings=settings, broker=broker, mongo=mongo,
        title="khaibao — checkpoint",
        description="Checkpoints and venues: scan the QR, see the masked declaration, "
                    "pass or refuse; green-lane depot checks; venue check-in/out.",
        routers=[scans.build_router(scanning, keys), passages.build_router(deciding),
                 checkpoints.build_router(CheckpointRegistry(registry))],
        startup=[registry.create_indexes, views.create_indexes, store.create_indexes,
                 load_keys],
        background=[relay.run, scan_relay.run, keys.run, stays.run,
                    purge_job(store, views, settings.retention, settings.purge_interval_s)],
        web_dir=WEB,
    ))
    app.state.stays = stays  # tests drive the automatic check-out directly
    app.state.purge = partial(purge_once, store, views, settings.retention)
    app.state.keys = keys
    return app
