"""Retention (docs/retention.md): the movement trace's collections past their window.

- movements (every generation being written or kept): the window after their time;
- buckets go whole, once the last UTC day they cover is past the cutoff; the buckets
  still running across the cutoff (a person's week, a place's hour of the cutoff's day)
  lose their expired entries at each run, so nothing outlives the window by more than
  the purge interval; reads hide anything older than the cutoff meanwhile, so what an
  epidemiologist sees is exact to the second;
- where people stay and which declaration said so: the window after that
  declaration's validity;
- journeys (who declared which flight, train, coach or ship, and the seat) are buckets
  too: a journey bucket goes whole once the later of its day and its declarations' days
  is past; each entry is hidden once its declaration is older than the window;
- the dashboard's counters (store/tallies.py) of a Viet Nam day go once the whole day is
  past (`until`, its end); the day the cutoff falls in keeps its counters until then,
  and the dashboard counts that day from its movements meanwhile (TraceStore.day_tallies);
- cases: the window after confirmation; quarantine orders and their releases: the
  window after the order's end; suspected follow-ups: the window after the follow-up;
- the audit: its own, longer window, once its event is published.
Every delete is bounded (libs/runtime/retention.py): by day, in chunks, by `_id`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pymongo import DeleteOne, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection

from libs.contracts.envelope import utcnow
from libs.runtime.http import Hook
from libs.runtime.jobs import every
from libs.runtime.mongo import Document, bulk_write_chunked
from libs.runtime.retention import CATCH_UP_DAYS, CHUNK, PUBLISHED, delete_ids, purge_by_day
from services.movement_trace.domain.movements import day_key, utc
from services.movement_trace.settings import Settings
from services.movement_trace.store.arrivals import ArrivalStore
from services.movement_trace.store.cases import CaseStore
from services.movement_trace.store.generation import BUCKET_FIELD
from services.movement_trace.store.trace import TraceStore


async def purge_once(store: TraceStore, cases: CaseStore, settings: Settings,
                     now: datetime | None = None,
                     arrivals: ArrivalStore | None = None) -> dict[str, int]:
    now = now or utcnow()
    cutoff = now - settings.retention.window
    deleted = {"movements": 0, **dict.fromkeys(BUCKET_FIELD, 0), "tallies": 0}
    pointer = await store.generations.current(fresh=True)
    for generation in {*pointer.writes_to, *([pointer.previous] if pointer.previous is not None else [])}:
        view = store.generation(generation)
        deleted["movements"] += len(await purge_by_day(view.movements, "at", cutoff))
        deleted["tallies"] += len(await purge_by_day(view.tallies.collection, "until", cutoff))
        for kind, collection in view.buckets.items():
            for day in _whole_days_before(cutoff):
                while ids := [d["_id"] for d in await collection.find(
                        {"day": day}, {"_id": 1}).limit(CHUNK).to_list()]:
                    if not (gone := await delete_ids(collection, ids)):
                        break
                    deleted[kind] += gone
            for day in _partial_days(kind, cutoff):
                await _trim_expired(collection, BUCKET_FIELD[kind], day, cutoff)
    orders = await purge_by_day(cases.quarantines, "until", cutoff, PUBLISHED)
    await delete_ids(cases.releases, orders)
    deleted |= {
        "quarantines": len(orders),
        "cases": len(await purge_by_day(cases.cases, "confirmed_at", cutoff, PUBLISHED)),
        "stays": len(await purge_by_day(cases.stays, "valid_until", cutoff)),
        "declared": len(await purge_by_day(cases.declared, "valid_until", cutoff)),
        "suspects": len(await purge_by_day(cases.suspects, "at", cutoff)),
        "audit": len(await purge_by_day(store.audit, "at", now - settings.retention.audit,
                                        PUBLISHED)),
        "arrivals": await arrivals.purge(cutoff) if arrivals else 0,
    }
    return deleted


def _whole_days_before(cutoff: datetime) -> list[str]:
    """The UTC days (a bucket's `day` is the last it covers) wholly before the cutoff."""
    return [day_key(utc(cutoff) - timedelta(days=n)) for n in range(CATCH_UP_DAYS + 7, 0, -1)]


# How many days on from the cutoff's own a bucket may still hold entries older than the
# cutoff: a week bucket's `day` is its Sunday; an hour bucket's is its day. Journey
# buckets are keyed by the trip's date, not the entries' times: they go whole (above).
PARTIAL_SPAN = {"subject_weeks": 7, "place_hours": 1}


def _partial_days(kind: str, cutoff: datetime) -> list[str]:
    return [day_key(utc(cutoff) + timedelta(days=n)) for n in range(PARTIAL_SPAN.get(kind, 0))]


async def _trim_expired(collection: AsyncCollection[Document], field: str, day: str,
                        cutoff: datetime) -> None:
    """Pull the entries older than the cutoff out of the buckets of `day`, a chunk at a
    time. `$pullAll` of the exact entries read (FerretDB's `$pull` takes no condition),
    so an entry added meanwhile by the projection is never lost."""
    query = {"day": day, f"{field}.at": {"$lt": cutoff}}
    while buckets := await collection.find(query, {field: 1}).limit(CHUNK).to_list():
        updates = [UpdateOne({"_id": b["_id"]}, {"$pullAll": {
            field: [e for e in b[field] if utc(e["at"]) < cutoff]}}) for b in buckets]
        if not (await bulk_write_chunked(collection, updates)).modified:
            break  # trimmed meanwhile by another replica's purge
    # A bucket left empty goes too: its `_id` names the person (or the place and hour).
    # Deleted only while still empty, in case the projection has just added to it.
    empty = {"day": day, field: {"$size": 0}}
    while ids := [d["_id"] for d in await collection.find(empty, {"_id": 1}).limit(CHUNK).to_list()]:
        if not (await bulk_write_chunked(collection, [
                DeleteOne({"_id": i, field: {"$size": 0}}) for i in ids])).deleted:
            break


def purge_job(store: TraceStore, cases: CaseStore, settings: Settings,
              arrivals: ArrivalStore | None = None) -> Hook:
    return every(settings.purge_interval_s,
                 lambda: purge_once(store, cases, settings, arrivals=arrivals), "retention purge")
