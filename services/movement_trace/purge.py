"""Retention (docs/retention.md): the movement trace's collections past their window.

- movements (every generation being written or kept): the window after their time;
- buckets go whole, once the last UTC day they cover is past the cutoff (a week
  bucket up to a week after its first entries expired); reads hide anything older
  than the cutoff meanwhile, so what an epidemiologist sees is exact to the second;
- where people stay and which declaration said so: the window after that
  declaration's validity;
- cases: the window after confirmation; quarantine orders and their releases: the
  window after the order's end;
- the audit: its own, longer window, once its event is published.
Every delete is bounded (libs/runtime/retention.py): by day, in chunks, by `_id`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from libs.contracts.envelope import utcnow
from libs.runtime.http import Hook
from libs.runtime.jobs import every
from libs.runtime.retention import CATCH_UP_DAYS, CHUNK, PUBLISHED, delete_ids, purge_by_day
from services.movement_trace.domain import day_key, utc
from services.movement_trace.settings import Settings
from services.movement_trace.store import TraceStore
from services.movement_trace.store_cases import CaseStore


async def purge_once(store: TraceStore, cases: CaseStore, settings: Settings,
                     now: datetime | None = None) -> dict[str, int]:
    now = now or utcnow()
    cutoff = now - settings.retention.window
    deleted = {"movements": 0, "subject_weeks": 0, "place_hours": 0}
    pointer = await store.generations.current(fresh=True)
    for generation in {*pointer.writes_to, *([pointer.previous] if pointer.previous is not None else [])}:
        view = store.view(generation)
        deleted["movements"] += len(await purge_by_day(view.movements, "at", cutoff))
        for kind, collection in view.buckets.items():
            for day in _whole_days_before(cutoff):
                while ids := [d["_id"] for d in await collection.find(
                        {"day": day}, {"_id": 1}).limit(CHUNK).to_list()]:
                    if not (gone := await delete_ids(collection, ids)):
                        break
                    deleted[kind] += gone
    orders = await purge_by_day(cases.quarantines, "until", cutoff, PUBLISHED)
    await delete_ids(cases.releases, orders)
    deleted |= {
        "quarantines": len(orders),
        "cases": len(await purge_by_day(cases.cases, "confirmed_at", cutoff, PUBLISHED)),
        "stays": len(await purge_by_day(cases.stays, "valid_until", cutoff)),
        "declared": len(await purge_by_day(cases.declared, "valid_until", cutoff)),
        "audit": len(await purge_by_day(store.audit, "at", now - settings.retention.audit,
                                        PUBLISHED)),
    }
    return deleted


def _whole_days_before(cutoff: datetime) -> list[str]:
    """The UTC days (a bucket's `day` is the last it covers) wholly before the cutoff."""
    return [day_key(utc(cutoff) - timedelta(days=n)) for n in range(CATCH_UP_DAYS + 7, 0, -1)]


def purge_job(store: TraceStore, cases: CaseStore, settings: Settings) -> Hook:
    return every(settings.purge_interval_s, lambda: purge_once(store, cases, settings),
                 "retention purge")
