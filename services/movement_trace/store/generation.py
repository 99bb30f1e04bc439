"""One generation of the projection: its five collections, written and read by key.

Generation 0 uses the plain names (`movements`, `subject_weeks`, `place_hours`, `journeys`,
`tallies`: the dashboard's counters); a rebuild fills generation N into `movements_N`, …
while the old one serves, so its counters are filled with it and switch with it.
Every write is idempotent, so a redelivered event, a replay over live data
and two writers at once (live consumer and rebuild) all leave the same state.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from pymongo import ASCENDING, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from libs.runtime.mongo import Document, bulk_write_chunked, insert_new
from services.movement_trace.domain.dashboard import Tally
from services.movement_trace.domain.journeys import Passenger
from services.movement_trace.domain.movements import Movement
from services.movement_trace.store.layout import (
    bucket_writes,
    entry_movement,
    from_document,
    passenger,
    place_hour_id,
    subject_week_id,
    to_document,
)
from services.movement_trace.store.tallies import Tallies, counted_only

BUCKET_FIELD = {"subject_weeks": "m", "place_hours": "p", "journeys": "j"}
# At most this many bucket reads in flight per query (a contact search reads a place's
# hours in one, but many places at once): FerretDB serves them one by one anyway.
READ_CONCURRENCY = 16
# Keys a bucket read asks for at once: the pushdown patch sends at most 1,000 `$in` values
# to SQLite's index (a longer list would scan the collection).
MAX_KEYS_PER_READ = 500


def collection_names(generation: int) -> dict[str, str]:
    suffix = "" if generation == 0 else f"_{generation}"
    return {name: name + suffix for name in ("movements", *BUCKET_FIELD, "tallies")}


class GenerationStore:
    def __init__(self, db: AsyncDatabase[Document], generation: int) -> None:
        self.generation = generation
        names = collection_names(generation)
        self.movements = db[names["movements"]]
        self.buckets = {kind: db[names[kind]] for kind in BUCKET_FIELD}
        self.tallies = Tallies(db[names["tallies"]])
        self._reads = asyncio.Semaphore(READ_CONCURRENCY)

    async def create_indexes(self) -> None:
        # `_id` serves every query; `day` the retention purge (libs/runtime/retention.py).
        await self.movements.create_index([("day", ASCENDING)])
        for collection in self.buckets.values():
            await collection.create_index([("day", ASCENDING)])
        await self.tallies.create_indexes()

    async def drop(self) -> None:
        await self.movements.drop()
        for collection in self.buckets.values():
            await collection.drop()
        await self.tallies.collection.drop()

    async def write(self, movements: Iterable[Movement]) -> int:
        """Store a batch; returns how many movements were new. Buckets first, so that a
        crash before the movement insert is repaired by the redelivery. The dashboard's
        counters around the insert: the piece opened before, its new movements counted
        after; the insert of a movement, marked with the piece, is what says it is new
        to this write and to no other (store/tallies.py: a crash between the two is
        counted exactly once too)."""
        batch = list(movements)
        if not batch:
            return 0
        await self._write_buckets(batch)
        counted = counted_only(batch)
        if not counted:
            return len(await insert_new(self.movements, [to_document(m) for m in batch]))
        piece = self.tallies.new_piece()
        await self.tallies.open(piece, counted)
        ids = {m.source_event_id for m in counted}
        new = await insert_new(self.movements, [
            {**to_document(m), "tally": piece} if m.source_event_id in ids else to_document(m)
            for m in batch])
        await self.tallies.fold(piece, counted, [m for m in counted if m.source_event_id in new])
        return len(new)

    async def _write_buckets(self, batch: list[Movement]) -> None:
        grouped: dict[tuple[str, str], tuple[str, list[Document]]] = {}
        for movement in batch:
            for kind, key, day, entry in bucket_writes(movement):
                grouped.setdefault((kind, key), (day, []))[1].append(entry)
        by_kind: dict[str, list[UpdateOne]] = defaultdict(list)
        for (kind, key), (day, entries) in grouped.items():
            by_kind[kind].append(UpdateOne(
                {"_id": key},
                {"$addToSet": {BUCKET_FIELD[kind]: {"$each": entries}}, "$set": {"day": day}},
                upsert=True))
        for kind, updates in by_kind.items():
            await bulk_write_chunked(self.buckets[kind], updates)

    async def _buckets(self, kind: str, keys: list[str]) -> list[Document]:
        """The entries of these buckets, in the keys' order, in one read (per 500 keys):
        `_id $in` is answered from the `_id` index (on FerretDB through the project's
        pushdown patch, deploy/local/ferretdb), where a read a bucket paid a round trip each."""
        by_key: dict[str, list[Document]] = {}
        async with self._reads:
            for first in range(0, len(keys), MAX_KEYS_PER_READ):
                wanted = keys[first:first + MAX_KEYS_PER_READ]
                async for doc in self.buckets[kind].find({"_id": {"$in": wanted}}):
                    by_key[doc["_id"]] = doc[BUCKET_FIELD[kind]]
        return [entry for key in keys for entry in by_key.get(key, ())]

    async def subject_movements(self, subject_id: str, weeks: list[str],
                                since: datetime | None = None) -> list[Movement]:
        found = await self._buckets("subject_weeks",
                                    [subject_week_id(subject_id, w) for w in weeks])
        return [entry_movement(e, subject_id) for e in found
                if since is None or e["at"] >= since]

    async def place_movements(self, checkpoint_id: str, hours: list[str],
                              since: datetime | None = None) -> list[Movement]:
        found = await self._buckets("place_hours",
                                    [place_hour_id(checkpoint_id, h) for h in hours])
        return [entry_movement(e) for e in found if since is None or e["at"] >= since]

    async def day_tallies(self, days: list[str]) -> dict[date, Tally]:
        """The dashboard's counts of these Viet Nam days, from the counters."""
        return await self.tallies.day_tallies(days, self.movements)

    async def movements_on(self, days: list[str], kinds: list[str]) -> list[Movement]:
        """These kinds of movement on these Viet Nam days (`day`, the purge's key), with
        only the fields the dashboard counts by: every movement of those days is read
        (the counters' fallback for a day the retention cuts through, TraceStore)."""
        cursor = self.movements.find(
            {"day": {"$in": days}, "kind": {"$in": kinds}},
            {"subject_id": 1, "at": 1, "kind": 1, "province_code": 1, "ward_code": 1},
            batch_size=10_000)
        return [from_document(doc) async for doc in cursor]

    async def journey_passengers(self, journey: str, since: datetime | None = None
                                 ) -> list[Passenger]:
        """Everyone who declared the journey, with their seat."""
        return [passenger(e) for e in await self._buckets("journeys", [journey])
                if since is None or e["at"] >= since]
