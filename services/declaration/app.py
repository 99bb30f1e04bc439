"""Composition root of the declaration service."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from pathlib import Path

from fastapi import FastAPI

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import DeclarationSubmitted, PersonRevealed, VehicleDeclared
from libs.contracts.topics import Topics
from libs.runtime.auth import Authenticator, StaffTokens
from libs.runtime.http import Service, create_app
from libs.runtime.kafka import make_broker
from libs.runtime.mongo import database, make_client
from libs.runtime.outbox import OutboxRelay
from services.declaration import (
    api_citizen,
    api_officer,
    api_public,
    api_reveals,
    api_vehicles,
    citizen_tokens,
    consumers,
    keyring,
    notices,
)
from services.declaration.context import Context
from services.declaration.purge import purge_job, purge_once
from services.declaration.ratelimit import TokenBuckets
from services.declaration.reveals import Revealing, Windows
from services.declaration.settings import Settings
from services.declaration.store import DeclarationStore
from services.declaration.store_reveals import RevealStore

WEB = Path(__file__).parent / "web"


def build(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    broker = make_broker(settings)
    mongo = make_client(settings)
    store = DeclarationStore(database(mongo, settings))
    topics = Topics(settings.topic_prefix)
    ctx = Context(
        settings=settings, store=store,
        declarations_relay=OutboxRelay(store.declarations, broker, topics,
                                       poll_s=settings.outbox_poll_s),
        vehicles_relay=OutboxRelay(store.vehicles, broker, topics, poll_s=settings.outbox_poll_s),
        # Production never makes a key: a missing file stops the service here.
        keys=keyring.load(settings.key_file, create=settings.env != "production"),
        buckets=TokenBuckets(settings.rate_per_minute, settings.rate_burst))
    reveal_store = RevealStore(database(mongo, settings))
    revealing = Revealing(store, reveal_store,
                          OutboxRelay(reveal_store.reveals, broker, topics,
                                      poll_s=settings.outbox_poll_s),
                          Windows(settings.retention.window,
                                  timedelta(minutes=settings.reveal_scan_minutes)))
    messaging = notices.build(settings, database(mongo, settings), store)
    consumers.register(broker, settings, store, reveal_store,
                       messaging.notices if messaging.on else None)
    # The relays publish these; declared here so /asyncapi documents them too.
    for event in (DeclarationSubmitted, VehicleDeclared, PersonRevealed):
        broker.publisher(topics(event.TYPE), schema=Envelope[event],  # type: ignore[valid-type]
                         description=event.__doc__ or f"{event.TYPE}, from the outbox")
    authenticator = Authenticator(StaffTokens.from_settings(settings),
                                  {citizen_tokens.ISSUER: ctx.citizens.principal})
    app = create_app(Service(
        settings=settings, broker=broker, mongo=mongo, authenticator=authenticator,
        title="khaibao — declaration",
        description="Citizens' and officers' health declarations, green-lane vehicles, "
                    "signed QR codes.",
        routers=[api_citizen.build_router(ctx), api_officer.build_router(ctx),
                 api_vehicles.build_router(ctx), api_public.build_router(ctx),
                 api_reveals.build_router(ctx, revealing)],
        startup=[store.create_indexes, reveal_store.create_indexes,
                 messaging.store.create_indexes],
        background=[ctx.declarations_relay.run, ctx.vehicles_relay.run, revealing.relay.run,
                    purge_job(store, reveal_store, messaging.store, settings.retention,
                              settings.purge_interval_s), *messaging.background()],
        web_dir=WEB,
    ))
    # What the periodic purge runs, as of a given time (the retention test drives it).
    app.state.purge = partial(purge_once, store, reveal_store, messaging.store,
                              settings.retention)
    # Messages to citizens: the sender, and the daily reminders as of a given time (tests).
    app.state.messaging = messaging
    return app
