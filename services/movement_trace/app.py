"""Composition root of the movement-trace service."""

from __future__ import annotations

from fastapi import FastAPI

from libs.contracts.topics import Topics
from libs.runtime.http import Service, create_app
from libs.runtime.kafka import make_broker
from libs.runtime.mongo import database, make_client
from libs.runtime.outbox import OutboxRelay
from services.movement_trace import consumers
from services.movement_trace.api import build_router
from services.movement_trace.settings import Settings
from services.movement_trace.store import TraceStore


def build(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    broker = make_broker(settings)
    mongo = make_client(settings)
    store = TraceStore(database(mongo, settings))
    relay = OutboxRelay(store.audit, broker, Topics(settings.topic_prefix),
                        poll_s=settings.outbox_poll_s)
    consumers.register(broker, settings, store)
    return create_app(Service(
        settings=settings, broker=broker, mongo=mongo,
        title="khaibao — movement trace",
        description="Movement timelines built from the event log, for epidemiologists.",
        routers=[build_router(store, relay, settings)],
        startup=[store.create_indexes],
        background=[relay.run],
    ))
