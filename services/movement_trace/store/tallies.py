"""The dashboard's counters: a generation's counted movements per Viet Nam day, kept as
they are written, so that the dashboard reads a few small documents instead of every
movement of its window (docs/movement-trace.md, Figures).

One document per (Viet Nam day, writer) in `tallies` (`tallies_N` for generation N):

    {_id: "2026-12-07/<writer>", day: "2026-12-07", until: <the next day's 00:00 +07>,
     counts: '{"rows":[[79,"passed",12],…],"hours":[["08",79,"passed",5],…]}',
     open: {"<piece>": [movement ids]}}                                # being counted

`day` (indexed) is what the dashboard asks for (`{day: {$in: [...]}}`, answered from the
index) and, with `until`, what the retention purge deletes by. `counts` is one string:
FerretDB v1 decodes nested documents slowly (28 days of counts per province and hour as
nested fields: 1.5 s to read; as a string: 50 ms).

Why a document per writer, and not one per day that every writer increments: FerretDB
v1 applies an update by reading the document and writing it back whole, with nothing
in between held (handler/msg_update.go), so two `$inc` at once on one document lose
one of them (200 concurrent `$inc` left 148 in a probe). A writer (one `GenerationStore`
in one process: the live consumer and a rebuild in that process share it) is the only
one to update its own documents, one command at a time (a lock), so it knows what they
hold and writes `counts` whole; what it does not know (a day not written yet by this
process, a write that failed) it reads back by `_id` first. The dashboard adds up the
writers' documents of a day (a handful: one per process that wrote that day).

Exactly once, across a crash, a redelivery and two writers of one generation at once
(the live consumer and a rebuild): the insert of a movement is the one atomic claim
FerretDB offers (a duplicate `_id` fails), so whichever write inserts a movement counts
it, and nobody else. Each write (a "piece" of a batch) goes:

1. `open.<piece>` := the ids of its counted movements, on the writer's document of each
   of their days (before anything is inserted);
2. the movements inserted, each counted one marked `tally: <piece>` (the claim names
   the piece that counts it);
3. `counts` with the new ones added, and `open.<piece>` removed, in one update per day
   document (conditional on `open.<piece>` still being there, so a retried command
   cannot count twice).

A crash between 1 and 3 leaves the piece open for good: the dashboard counts an open
piece's movements live, those of its ids whose movement says `tally: <piece>` (read by
`_id`; a redelivery inserts nothing more, a movement claimed by another writer names
that writer's piece). A snapshot of a document holds a piece either open or added to
the counts, never both, so nothing is counted twice, nothing lost. An open piece costs
one read by `_id` of at most a batch of movements until its day is purged.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from pymongo import ASCENDING, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection

from libs.contracts.vietnam_time import VN_TZ, vn_day
from libs.runtime.mongo import Document, bulk_write_chunked
from services.movement_trace.domain.dashboard import COUNTED, Tally, merge, tally
from services.movement_trace.domain.movements import Movement
from services.movement_trace.store.layout import from_document

IDS_PER_READ = 1000  # the longest `_id: {$in}` the stack's FerretDB answers from the index
HELD_DAYS = 64  # days of counts a writer remembers (a day it forgot is read back)
# The fields the dashboard counts by, read from the movements of an open piece.
COUNTED_FIELDS = {"subject_id": 1, "at": 1, "kind": 1, "province_code": 1, "ward_code": 1,
                  "tally": 1}


def encode(counted: Tally) -> str:
    """A day's tally as its document's `counts`."""
    return json.dumps({"rows": [[p, f, n] for (p, f), n in sorted(counted.rows.items(), key=str)],
                       "hours": [[h[-2:], p, f, n] for (h, p, f), n in
                                 sorted(counted.hours.items(), key=str)]},
                      separators=(",", ":"))


def decode(day: str, counts: str | None) -> Tally:
    """A document's `counts` back (its open pieces aside); none yet: an empty tally."""
    found = Tally()
    if counts:
        stored = json.loads(counts)
        for province, field, n in stored["rows"]:
            found.rows[province, field] += n
        for hour, province, field, n in stored["hours"]:
            found.hours[f"{day}T{hour}", province, field] += n
    return found


def day_end(day: str) -> datetime:
    """When a Viet Nam day ends: its counters may be purged once the cutoff has passed it."""
    return datetime.combine(date.fromisoformat(day) + timedelta(days=1), time(0), VN_TZ)


def counted_only(movements: Iterable[Movement]) -> list[Movement]:
    """The movements the dashboard counts, each once (a batch may hold one twice)."""
    first: dict[str, Movement] = {}
    for m in movements:
        if m.kind in COUNTED:
            first.setdefault(m.source_event_id, m)
    return list(first.values())


class Tallies:
    """One writer's counters in one generation, and the dashboard's reads of them all."""

    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self.collection = collection
        self.writer = uuid.uuid4().hex[:12]
        self._pieces = itertools.count()
        self._one_at_a_time = asyncio.Lock()  # this writer's documents: one update at a time
        self._held: dict[str, Tally] = {}  # what this writer's documents' `counts` hold, by day

    async def create_indexes(self) -> None:
        await self.collection.create_index([("day", ASCENDING)])

    def new_piece(self) -> str:
        return f"{self.writer}-{next(self._pieces)}"

    def _doc_id(self, day: str) -> str:
        return f"{day}/{self.writer}"

    async def open(self, piece: str, counted: list[Movement]) -> None:
        """Step 1: the piece's movement ids on this writer's document of each of their days."""
        ids: dict[str, list[str]] = defaultdict(list)
        for m in counted:
            ids[vn_day(m.at).isoformat()].append(m.source_event_id)
        await self._update([UpdateOne(
            {"_id": self._doc_id(day)},
            {"$set": {f"open.{piece}": listed},
             "$setOnInsert": {"day": day, "until": day_end(day)}},
            upsert=True) for day, listed in ids.items()])

    async def fold(self, piece: str, counted: list[Movement], new: list[Movement]) -> None:
        """Step 3: the new movements' counts added and the piece closed, per day document
        (every day the piece was opened on, counted or not)."""
        found = tally(new)
        days = sorted({vn_day(m.at).isoformat() for m in counted})
        async with self._one_at_a_time:
            after: dict[str, Tally] = {}
            for day in days:
                held = self._held.get(day)
                after[day] = Tally()
                after[day].add(held if held is not None else await self._read_own(day))
                after[day].add(found.get(date.fromisoformat(day), Tally()))
            try:
                done = await bulk_write_chunked(self.collection, [UpdateOne(
                    {"_id": self._doc_id(day), f"open.{piece}": {"$exists": True}},
                    {"$set": {"counts": encode(counted_day)}, "$unset": {f"open.{piece}": ""}})
                    for day, counted_day in after.items()])
            finally:
                for day in days:  # until known again: read back before the next update
                    self._held.pop(day, None)
            if done.matched == len(days):
                self._held.update(after)
                while len(self._held) > HELD_DAYS:
                    del self._held[min(self._held)]

    async def _read_own(self, day: str) -> Tally:
        doc = await self.collection.find_one({"_id": self._doc_id(day)}, {"counts": 1})
        return decode(day, doc.get("counts") if doc else None)

    async def add_new(self, movements: Iterable[Movement]) -> None:
        """Counts for movements known to be new (a bulk load into an empty generation: no
        other writer, no redelivery): steps 1 and 3 with no insert between."""
        counted = counted_only(movements)
        if counted:
            piece = self.new_piece()
            await self.open(piece, counted)
            await self.fold(piece, counted, counted)

    async def _update(self, updates: list[UpdateOne]) -> None:
        # Under the lock too: an update applied between a fold's read and write is lost.
        async with self._one_at_a_time:
            await bulk_write_chunked(self.collection, updates)

    async def day_tallies(self, days: list[str],
                          movements: AsyncCollection[Document]) -> dict[date, Tally]:
        """Every writer's counts of these Viet Nam days, open pieces counted live."""
        found: dict[date, Tally] = {}
        claims: set[tuple[str, str]] = set()  # (movement id, open piece listing it)
        async for doc in self.collection.find({"day": {"$in": days}}):
            merge(found, {date.fromisoformat(doc["day"]): decode(doc["day"], doc.get("counts"))})
            claims.update((i, piece) for piece, ids in doc.get("open", {}).items() for i in ids)
        if claims:
            ids = sorted({i for i, _ in claims})
            claimed = [from_document(d) for first in range(0, len(ids), IDS_PER_READ)
                       for d in await movements.find(
                           {"_id": {"$in": ids[first:first + IDS_PER_READ]}},
                           COUNTED_FIELDS).to_list()
                       if (d["_id"], d.get("tally")) in claims]
            merge(found, {d: t for d, t in tally(claimed).items()
                          if d.isoformat() in days})
        # A day whose documents hold only the open piece of a writer that died before its
        # insert counts nothing: left out, as a day without movements is.
        return {day: counted for day, counted in found.items() if not counted.counts_nothing}
