"""Bulk-loading a scenario's movements into a trace generation, for the trace benchmarks.

The documents are the ones the projection writes (same `to_document` and
`bucket_writes`), grouped in memory and inserted whole: going through Kafka
one event at a time would take most of an hour for a million movements. The
dashboard's counters are written by the projection's own writer
(store/tallies.py `Tallies.add_new`), a batch at a time, as the live path does.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo import AsyncMongoClient

from bench.common import Row, rate
from libs.contracts.topics import Topics
from libs.contracts.vietnam_time import vn_day
from libs.runtime.mongo import Document
from libs.runtime.topics_admin import delete_topics, ensure_topics
from services.movement_trace.domain.journeys import journey_number
from services.movement_trace.domain.movements import Movement, MovementKind
from services.movement_trace.settings import Settings
from services.movement_trace.store.generation import BUCKET_FIELD, GenerationStore
from services.movement_trace.store.layout import bucket_writes, to_document
from services.movement_trace.store.trace import TraceStore
from synthetic.scenario import Scenario, Visit, generate


def movements(scenario: Scenario) -> Iterator[Movement]:
    n = 0
    for c in scenario.citizens:
        n += 1
        at = scenario.declared_at(c)
        ride = c.ride  # what the projection keeps of a flight, train or coach declared
        yield Movement(source_event_id=f"d{n}", subject_id=c.subject_id, at=at,
                       kind=MovementKind.declared, declaration_id=c.declaration_id,
                       ward_code=c.origin_ward, destination_ward=c.destination_ward,
                       transport_mode=ride.journey.mode if ride else "car",
                       transport_number=journey_number(ride.journey.number) if ride else None,
                       seat=ride.seat if ride else None,
                       departure_date=(ride.journey.departure if ride else vn_day(at)).isoformat())
    for v in scenario.visits:
        for direction, at in _passages(v):
            n += 1
            yield Movement(source_event_id=f"m{n}", subject_id=v.subject_id, at=at,
                           kind=MovementKind.refused if v.refused else MovementKind.passed,
                           declaration_id=v.declaration_id, ward_code=v.place.ward_code,
                           checkpoint_id=v.place.checkpoint_id, checkpoint_kind=v.place.kind.value,
                           direction=direction, reason=v.refused.value if v.refused else None)


def _passages(v: Visit) -> list[tuple[str, datetime]]:
    if v.moment:
        return [("in" if v.place.venue else "through", v.start)]
    return [("in", v.start)] + ([("out", v.end)] if v.end is not None else [])


async def bulk_load(view: GenerationStore, found: Iterator[Movement],
                    batch: int = 20_000) -> tuple[int, float]:
    """Insert movements, their buckets and counters; returns (movements, seconds)."""
    started, count = time.perf_counter(), 0
    buckets: dict[tuple[str, str], Document] = {}
    pending: list[Movement] = []

    async def insert() -> None:
        await view.movements.insert_many([to_document(m) for m in pending], ordered=False)
        await view.tallies.add_new(pending)

    for m in found:
        pending.append(m)
        for kind, key, day, entry in bucket_writes(m):
            bucket = buckets.setdefault((kind, key), {"_id": key, "day": day, BUCKET_FIELD[kind]: []})
            bucket[BUCKET_FIELD[kind]].append(entry)
        if len(pending) >= batch:
            count += len(pending)
            await insert()
            pending = []
    if pending:
        count += len(pending)
        await insert()
    grouped: dict[str, list[Document]] = defaultdict(list)
    for (kind, _), doc in buckets.items():
        grouped[kind].append(doc)
    for kind, all_docs in grouped.items():
        for i in range(0, len(all_docs), batch):
            await view.buckets[kind].insert_many(all_docs[i:i + batch], ordered=False)
    return count, time.perf_counter() - started


def sample_day(scenario: Scenario) -> timedelta:
    return timedelta(days=scenario.days // 2)


@dataclass
class LoadedTrace:
    """A generated scenario bulk-loaded into a private trace database."""

    scenario: Scenario
    settings: Settings
    client: AsyncMongoClient[dict[str, object]]
    store: TraceStore
    stored: int
    load_row: Row


@asynccontextmanager
async def loaded_trace(target: int, kafka: str, mongo: str, name: str,
                       say: Callable[[str], None], **options: Any) -> AsyncIterator[LoadedTrace]:
    """~`target` movements of a 28-day scenario (`options` go to `generate`) in a database
    and topics of their own, dropped on the way out."""
    citizens = max(100, target // 50)
    scenario = generate(seed=2026, citizens=citizens, days=28, places=max(20, target // 500),
                        visits_per_day=(target / citizens - 1) / 28 / 1.42,  # ~1.43 movements a visit
                        **options)
    prefix = f"bench-{name}-{uuid.uuid4().hex[:6]}."
    settings = Settings(kafka_bootstrap=kafka, mongo_url=mongo, topic_prefix=prefix,
                        mongo_db=prefix.strip(".").replace("-", "_"), env="test",
                        log_level="WARNING", purge_interval_s=86400)
    await ensure_topics(kafka, Topics(prefix).all(), partitions=3)
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo, tz_aware=True)
    try:
        store = TraceStore(client[settings.mongo_db])
        await store.create_indexes()
        say(f"loading {len(scenario.visits):,} visits of {citizens:,} people")
        stored, load_s = await bulk_load(store.generation(0), movements(scenario))
        yield LoadedTrace(scenario, settings, client, store, stored,
                          Row(f"bulk load {stored:,} movements + buckets + counters",
                              f"{load_s:.0f} s",
                              rate(stored, load_s, " movements/s")))
    finally:
        await client.drop_database(settings.mongo_db)
        await client.close()
        await delete_topics(kafka, Topics(prefix).all())
