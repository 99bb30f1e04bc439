"""Composition root of the movement-trace service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path

from fastapi import FastAPI

from libs.contracts.envelope import utcnow
from libs.contracts.topics import Topics
from libs.runtime.http import Service, create_app
from libs.runtime.kafka import make_broker
from libs.runtime.mongo import database, make_client
from libs.runtime.outbox import OutboxRelay
from services.movement_trace import consumers
from services.movement_trace.api import admin, audit, cases, dashboard, queries
from services.movement_trace.api import arrivals as api_arrivals
from services.movement_trace.rebuild import rebuilder
from services.movement_trace.service.arrivals import ArrivalDesk
from services.movement_trace.service.auditing import Auditor
from services.movement_trace.service.casework import Casework, Relays, release_job
from services.movement_trace.service.dashboard import Dashboard
from services.movement_trace.service.queries import TraceQueries
from services.movement_trace.service.rebuild import RebuildRunner
from services.movement_trace.service.recording import Recorder
from services.movement_trace.settings import Settings
from services.movement_trace.store.arrivals import ArrivalStore
from services.movement_trace.store.cases import CaseStore
from services.movement_trace.store.purge import purge_job, purge_once
from services.movement_trace.store.trace import TraceStore

WEB = Path(__file__).parent / "web"


def build(settings: Settings | None = None,
          clock: Callable[[], datetime] = utcnow) -> FastAPI:
    """`clock` is the casework's "now" (today's date, release at term); tests move it."""
    settings = settings or Settings()
    broker = make_broker(settings)
    mongo = make_client(settings)
    store = TraceStore(database(mongo, settings), settings.retention.window,
                       settings.generation_refresh_s)
    relay = OutboxRelay(store.audit, broker, Topics(settings.topic_prefix),
                        poll_s=settings.outbox_poll_s)
    runner = RebuildRunner(rebuilder(store, settings))
    case_store = CaseStore(database(mongo, settings))
    topics = Topics(settings.topic_prefix)
    case_relays = [OutboxRelay(c, broker, topics, poll_s=settings.outbox_poll_s, batch=40)
                   for c in (case_store.cases, case_store.quarantines, case_store.releases)]
    relays = Relays(*case_relays)
    queries_ = TraceQueries(store, settings)
    desk = Casework(case_store, queries_, relays, settings, clock)
    auditor = Auditor(store, relay)
    arrivals = ArrivalStore(database(mongo, settings))
    consumers.register(broker, settings, Recorder(store, case_store, arrivals, store, settings))
    # One purge for the periodic job, the admins' "purge now" and the retention test.
    purge = partial(purge_once, store, case_store, settings, arrivals=arrivals)
    app = create_app(Service(
        settings=settings, broker=broker, mongo=mongo,
        title="khaibao — movement trace",
        description="Movement timelines, visits and contacts built from the event log, for "
                    "epidemiologists; every query audited.",
        routers=[queries.build_router(queries_, auditor, settings),
                 cases.build_router(desk, auditor, settings),
                 admin.build_router(store.generations, runner, purge),
                 audit.build_router(auditor),
                 dashboard.build_router(Dashboard(case_store, store, arrivals, clock), auditor),
                 api_arrivals.build_router(ArrivalDesk(arrivals, case_store, desk.today), auditor)],
        startup=[store.create_indexes, case_store.create_indexes, arrivals.create_indexes],
        background=[relay.run, runner.run, purge_job(store, case_store, settings, arrivals),
                    *(r.run for r in case_relays),
                    release_job(desk, settings.release_interval_s)],
        web_dir=WEB,
    ))
    app.state.purge = purge
    return app
