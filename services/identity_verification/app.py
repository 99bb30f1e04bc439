"""Composition root of the identity-verification service."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fastapi import FastAPI

from libs.contracts.envelope import utcnow
from libs.contracts.topics import Topics
from libs.runtime.http import Service, create_app
from libs.runtime.jobs import every
from libs.runtime.kafka import make_broker
from libs.runtime.mongo import database, make_client
from services.identity_verification import consumers
from services.identity_verification.api.routes import build_router
from services.identity_verification.service.verifying import Verifier
from services.identity_verification.settings import Settings
from services.identity_verification.store.arrivals import ArrivalStore
from services.identity_verification.store.registry import RegistryStore
from services.identity_verification.store.relay import VerdictRelay
from services.identity_verification.store.verifications import VerificationStore

WEB = Path(__file__).parent / "web"
ARRIVAL_CHECK_S = 15.0  # how often passport declarations past their grace are decided
RELAY_BATCH = 200  # documents a relay pass publishes; it marks them with one statement


def build(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    broker = make_broker(settings)
    mongo = make_client(settings)
    db = database(mongo, settings)
    registry = RegistryStore(db, settings.registry_partitions)
    verifications = VerificationStore(db)
    relay = VerdictRelay(verifications.verifications, broker, Topics(settings.topic_prefix),
                         poll_s=settings.outbox_poll_s, batch=RELAY_BATCH)
    arrivals = ArrivalStore(db)
    verifier = Verifier(registry, verifications, relay, settings, arrivals)
    consumers.register(broker, settings, verifier)

    async def purge(now: datetime) -> dict[str, int]:
        cutoff = now - settings.retention.window
        return {"verifications": await verifications.purge(cutoff),
                "arrivals": await arrivals.purge(cutoff)}

    app = create_app(Service(
        settings=settings, broker=broker, mongo=mongo,
        title="khaibao — identity verification",
        description="Checks every declaration against the population registry.",
        routers=[build_router(registry, verifications, settings)],
        # The registry's layout first: every lookup needs its partition count.
        startup=[registry.open, verifications.create_indexes, arrivals.create_indexes],
        background=[relay.run, every(settings.purge_interval_s, lambda: purge(utcnow()),
                                     "retention purge"),
                    every(ARRIVAL_CHECK_S, lambda: verifier.reject_overdue(utcnow()),
                          "passports without an arrival")],
        web_dir=WEB,
    ))
    app.state.purge = purge  # what the periodic job runs, as of a given time (tests drive it)
    return app
