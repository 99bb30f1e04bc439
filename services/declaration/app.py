"""Composition root of the declaration service."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from libs.contracts.envelope import Envelope, utcnow
from libs.contracts.events.declaration import DeclarationSubmitted, PersonRevealed, VehicleDeclared
from libs.contracts.topics import Topics
from libs.runtime.auth import Authenticator, StaffTokens
from libs.runtime.http import Service, create_app
from libs.runtime.jobs import every
from libs.runtime.kafka import make_broker
from libs.runtime.mongo import database, make_client
from libs.runtime.outbox import OutboxRelay
from services.declaration import citizen_tokens, consumers, keyring, notices
from services.declaration.api import citizen, keys, officer, public, reveals, vehicles
from services.declaration.api.deps import Deps
from services.declaration.api.ratelimit import TokenBuckets
from services.declaration.domain.reveals import Windows
from services.declaration.notices.store.notices import NoticeStore
from services.declaration.service.keys import KeyAdmin
from services.declaration.service.lookups import Lookups
from services.declaration.service.projections import Projections
from services.declaration.service.retention import Purge
from services.declaration.service.revealing import Revealing
from services.declaration.service.submitting import Submitting
from services.declaration.service.vehicles import GreenLane
from services.declaration.settings import Settings
from services.declaration.store.declarations import DeclarationStore
from services.declaration.store.quarantines import QuarantineStore
from services.declaration.store.reveals import RevealStore
from services.declaration.store.vehicles import VehicleStore
from services.declaration.store.zones import ZoneLevelStore

WEB = Path(__file__).parent / "web"


def build(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    broker = make_broker(settings)
    mongo = make_client(settings)
    db = database(mongo, settings)
    topics = Topics(settings.topic_prefix)
    declarations, vehicle_store = DeclarationStore(db), VehicleStore(db)
    zones, quarantines, reveal_store = ZoneLevelStore(db), QuarantineStore(db), RevealStore(db)
    relays = [OutboxRelay(collection, broker, topics, poll_s=settings.outbox_poll_s)
              for collection in (declarations.declarations, vehicle_store.vehicles,
                                 reveal_store.reveals)]
    declarations_relay, vehicles_relay, reveals_relay = relays
    ctx = Deps(
        settings=settings,
        # Production never makes a key: a missing file stops the service here.
        keys=keyring.KeyFile(settings.key_file, create=settings.env != "production"),
        buckets=TokenBuckets(settings.rate_per_minute, settings.rate_burst),
        submitting=Submitting(declarations, declarations_relay, settings),
        lookups=Lookups(declarations, zones, quarantines, reveal_store),
        green_lane=GreenLane(declarations, vehicle_store, declarations_relay, vehicles_relay,
                             settings),
        revealing=Revealing(declarations, reveal_store, reveals_relay,
                            Windows(settings.retention.window,
                                    timedelta(minutes=settings.reveal_scan_minutes))))
    messaging = notices.build(settings, NoticeStore(db), declarations, quarantines)
    consumers.register(broker, settings,
                       Projections(declarations, zones, quarantines, reveal_store),
                       messaging.notices if messaging.on else None)
    # The relays publish these; declared here so /asyncapi documents them too.
    for event in (DeclarationSubmitted, VehicleDeclared, PersonRevealed):
        broker.publisher(topics(event.TYPE), schema=Envelope[event],  # type: ignore[valid-type]
                         description=event.__doc__ or f"{event.TYPE}, from the outbox")
    authenticator = Authenticator(StaffTokens.from_settings(settings),
                                  {citizen_tokens.ISSUER: ctx.citizens.principal})
    purge = Purge(declarations, vehicle_store, quarantines, reveal_store, messaging.store,
                  settings.retention)
    app = create_app(Service(
        settings=settings, broker=broker, mongo=mongo, authenticator=authenticator,
        title="khaibao — declaration",
        description="Citizens' and officers' health declarations, green-lane vehicles, "
                    "signed QR codes.",
        routers=[citizen.build_router(ctx), officer.build_router(ctx),
                 vehicles.build_router(ctx), public.build_router(ctx),
                 reveals.build_router(ctx), keys.build_router(KeyAdmin(ctx.keys))],
        startup=[store.create_indexes for store in (
            declarations, vehicle_store, quarantines, reveal_store, messaging.store)],
        background=[*(relay.run for relay in relays),
                    every(settings.purge_interval_s, lambda: purge.once(utcnow()),
                          "retention purge"), *messaging.background()],
        web_dir=WEB,
    ))
    # The officers' console (web/officer/) and the keys page (web/keys/, rotating and
    # retiring through /v1/admin/keys) are served at /officer/ and /keys/ like every page
    # folder (libs/runtime/http.py).
    # What the periodic purge runs, as of a given time (the retention test drives it).
    app.state.purge = purge.once
    # Messages to citizens: the sender, and the daily reminders as of a given time (tests).
    app.state.messaging = messaging
    return app
