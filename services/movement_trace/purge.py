"""Retention (DESIGN.md §5): a periodic job deletes movements past `retention_days`.

Buckets go by whole UTC days (a bucket of day D goes once all of D is past the
cutoff); reads hide anything older than the cutoff meanwhile, so what an
epidemiologist sees is exact to the second. The audit log is purged on its own,
much longer, clock and only once its `trace.accessed` event has been published.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from libs.contracts.envelope import utcnow
from libs.runtime.http import Hook
from libs.runtime.logs import log_fields
from services.movement_trace.domain import day_key
from services.movement_trace.settings import Settings
from services.movement_trace.store import TraceStore

log = logging.getLogger(__name__)


async def purge_once(store: TraceStore, settings: Settings, now: datetime | None = None) -> dict[str, int]:
    now = now or utcnow()
    cutoff = now - timedelta(days=settings.retention_days)
    pointer = await store.generations.current(fresh=True)
    deleted = {"movements": 0, "subject_days": 0, "place_hours": 0, "audit": 0}
    for generation in {*pointer.writes_to, *([pointer.previous] if pointer.previous is not None else [])}:
        view = store.view(generation)
        deleted["movements"] += (await view.movements.delete_many({"at": {"$lt": cutoff}})).deleted_count
        for kind, collection in view.buckets.items():
            # A bucket of day D holds times up to the end of D: it goes when D < the cutoff's day.
            result = await collection.delete_many({"day": {"$lt": day_key(cutoff)}})
            deleted[kind] += result.deleted_count
    audit_cutoff = now - timedelta(days=settings.audit_retention_days)
    result = await store.audit.delete_many({"at": {"$lt": audit_cutoff}, "outbox_pending": False})
    deleted["audit"] = result.deleted_count
    return deleted


def purge_job(store: TraceStore, settings: Settings) -> Hook:
    async def run() -> None:
        while True:
            try:
                deleted = await purge_once(store, settings)
                log.info("retention purge", extra=log_fields(**deleted))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("retention purge failed; next time")
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise asyncio.CancelledError  # PyMongo may have swallowed it mid-query
            await asyncio.sleep(settings.purge_interval_s)

    return run
