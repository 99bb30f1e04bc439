"""Retention (DESIGN.md §5): a periodic job deletes movements past `retention_days`.

Buckets go whole, once the last UTC day they cover is past the cutoff (a week
bucket up to a week after its first movements expired); reads hide anything
older than the cutoff meanwhile, so what an epidemiologist sees is exact to
the second. The audit log is purged on its own,
much longer, clock and only once its `trace.accessed` event has been published.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from libs.contracts.envelope import utcnow
from libs.runtime.http import Hook
from libs.runtime.jobs import every
from services.movement_trace.domain import day_key
from services.movement_trace.settings import Settings
from services.movement_trace.store import TraceStore


async def purge_once(store: TraceStore, settings: Settings, now: datetime | None = None) -> dict[str, int]:
    now = now or utcnow()
    cutoff = now - timedelta(days=settings.retention_days)
    pointer = await store.generations.current(fresh=True)
    deleted = {"movements": 0, "subject_weeks": 0, "place_hours": 0, "audit": 0}
    for generation in {*pointer.writes_to, *([pointer.previous] if pointer.previous is not None else [])}:
        view = store.view(generation)
        deleted["movements"] += (await view.movements.delete_many({"at": {"$lt": cutoff}})).deleted_count
        for kind, collection in view.buckets.items():
            # A bucket's `day` is the last day it covers: it goes when that is before the cutoff's.
            result = await collection.delete_many({"day": {"$lt": day_key(cutoff)}})
            deleted[kind] += result.deleted_count
    audit_cutoff = now - timedelta(days=settings.audit_retention_days)
    result = await store.audit.delete_many({"at": {"$lt": audit_cutoff}, "outbox_pending": False})
    deleted["audit"] = result.deleted_count
    return deleted


def purge_job(store: TraceStore, settings: Settings) -> Hook:
    return every(settings.purge_interval_s, lambda: purge_once(store, settings),
                 "retention purge")
