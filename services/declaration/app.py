"""Composition root of the declaration service."""

from __future__ import annotations

from fastapi import FastAPI

from libs.contracts.topics import Topics
from libs.runtime.http import Service, create_app
from libs.runtime.kafka import make_broker
from libs.runtime.mongo import database, make_client
from libs.runtime.outbox import OutboxRelay
from services.declaration.api import build_router
from services.declaration.settings import Settings
from services.declaration.store import DeclarationStore


def build(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    broker = make_broker(settings)
    mongo = make_client(settings)
    store = DeclarationStore(database(mongo, settings))
    relay = OutboxRelay(store.declarations, broker, Topics(settings.topic_prefix),
                        poll_s=settings.outbox_poll_s)
    return create_app(Service(
        settings=settings, broker=broker, mongo=mongo,
        title="khaibao — declaration",
        description="Citizens' and officers' health declarations; signed QR codes.",
        routers=[build_router(store, relay, settings)],
        startup=[store.create_indexes],
        background=[relay.run],
    ))
