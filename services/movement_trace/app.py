"""Composition root of the movement-trace service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from libs.contracts.topics import Topics
from libs.runtime.http import Service, create_app
from libs.runtime.kafka import make_broker
from libs.runtime.mongo import database, make_client
from libs.runtime.outbox import OutboxRelay
from services.movement_trace import consumers
from services.movement_trace.api import admin, queries
from services.movement_trace.api.common import Auditor
from services.movement_trace.purge import purge_job
from services.movement_trace.queries import TraceQueries
from services.movement_trace.rebuild import Rebuilder
from services.movement_trace.settings import Settings
from services.movement_trace.store import TraceStore

WEB = Path(__file__).parent / "web"


def build(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    broker = make_broker(settings)
    mongo = make_client(settings)
    store = TraceStore(database(mongo, settings), settings.retention_days,
                       settings.generation_refresh_s)
    relay = OutboxRelay(store.audit, broker, Topics(settings.topic_prefix),
                        poll_s=settings.outbox_poll_s)
    runner = admin.RebuildRunner(Rebuilder(store, settings))
    consumers.register(broker, settings, store)
    return create_app(Service(
        settings=settings, broker=broker, mongo=mongo,
        title="khaibao — movement trace",
        description="Movement timelines, visits and contacts built from the event log, for "
                    "epidemiologists; every query audited.",
        routers=[queries.build_router(TraceQueries(store, settings), Auditor(store, relay), settings),
                 admin.build_router(store, runner, settings)],
        startup=[store.create_indexes],
        background=[relay.run, runner.run, purge_job(store, settings)],
        web_dir=WEB,
    ))
