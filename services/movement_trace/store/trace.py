"""The movement-trace collections: the projection's generations, `meta` and `audit`.

`audit` is separate from the projection: rebuilds and the movement purge
never touch it; it has its own, longer retention.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from libs.contracts.envelope import Envelope, utcnow
from libs.contracts.events.declaration import PersonRevealed
from libs.contracts.events.trace import TraceAccessed
from libs.contracts.vietnam_time import VN_TZ, vn_day
from libs.runtime.mongo import Document, insert_new
from libs.runtime.outbox import create_outbox_index, new_outbox, outbox_entry
from libs.runtime.retention import day_of
from services.movement_trace.domain.dashboard import COUNTED, Tally, merge, tally
from services.movement_trace.domain.journeys import Passenger
from services.movement_trace.domain.movements import Movement, weeks_between
from services.movement_trace.domain.records import AuditQuery, AuditRecord
from services.movement_trace.store.generation import GenerationStore
from services.movement_trace.store.generations import Generations

COUNTED_KINDS = sorted(k.value for k in COUNTED)


class TraceStore:
    def __init__(self, db: AsyncDatabase[Document], window: timedelta = timedelta(days=28),
                 refresh_s: float = 1.0) -> None:
        self.db = db
        self.audit = db["audit"]
        self.meta = db["meta"]
        self.window = window
        self.generations = Generations(self.meta, refresh_s)
        self._generations: dict[int, GenerationStore] = {}

    def generation(self, number: int) -> GenerationStore:
        """One generation's collections (also what a rebuild fills: the `Projection` port)."""
        if number not in self._generations:
            self._generations[number] = GenerationStore(self.db, number)
        return self._generations[number]

    async def active(self) -> GenerationStore:
        return self.generation((await self.generations.current()).active)

    async def create_indexes(self) -> None:
        # Creating every collection up front, not on a first write: FerretDB v1 (SQLite) can
        # deadlock when a collection is created while queries on the same database run.
        await self.meta.create_index([("state", ASCENDING)])
        pointer = await self.generations.current(fresh=True)
        for generation in pointer.writes_to:
            await self.generation(generation).create_indexes()
        await create_outbox_index(self.audit)
        await self.audit.create_index([("at", ASCENDING)])
        await self.audit.create_index([("day", ASCENDING)])

    async def add(self, movement: Movement) -> bool:
        """The live path: idempotent; also feeds a generation being rebuilt."""
        return await self.add_many([movement]) > 0

    async def add_many(self, movements: list[Movement]) -> int:
        """`add` for a batch; returns how many were new to the serving generation."""
        if not movements:
            return 0
        pointer = await self.generations.current()
        new = [await self.generation(g).write(movements) for g in pointer.writes_to]
        return new[0]

    def since(self) -> datetime:
        """Reads never show what the retention purge is about to delete."""
        return utcnow() - self.window

    async def timeline(self, subject_id: str, start: datetime, end: datetime) -> list[Movement]:
        view = await self.active()
        found = await view.subject_movements(subject_id, weeks_between(start, end), self.since())
        return sorted((m for m in found if start <= m.at < end),
                      key=lambda m: (m.at, m.source_event_id))

    async def subject_movements(self, subject_id: str, weeks: list[str]) -> list[Movement]:
        return await (await self.active()).subject_movements(subject_id, weeks, self.since())

    async def place_movements(self, checkpoint_id: str, hours: list[str]) -> list[Movement]:
        return await (await self.active()).place_movements(checkpoint_id, hours, self.since())

    async def day_tallies(self, days: list[date]) -> dict[date, Tally]:
        """The dashboard's counts of these Viet Nam days, as every read: nothing older
        than `since`. A day wholly after it comes from the counters; the day it falls in
        (asked only when the dashboard's window is longer than the retention's) is
        counted from that day's movements (a scan of one day); a day before it has none."""
        since = self.since()
        view = await self.active()
        cut = vn_day(since)
        whole = [d for d in days if d > cut]
        found = await view.day_tallies([d.isoformat() for d in whole])
        if cut in days:
            kept = [m for m in await view.movements_on([cut.isoformat()], COUNTED_KINDS)
                    if m.at >= since]
            merge(found, tally(kept))
        return found

    async def journey_passengers(self, journey: str) -> list[Passenger]:
        return await (await self.active()).journey_passengers(journey, self.since())

    async def record_reveals(self, events: list[Envelope[PersonRevealed]]) -> None:
        """Reveals made at the declaration service join this audit (one place for the
        admins to look); keyed by event id, so a redelivery adds nothing."""
        await insert_new(self.audit, [{
            "_id": e.event_id, "kind": "reveal", "day": day_of(e.payload.at),
            "who": e.payload.who, "role": e.payload.role,
            "unit": e.payload.unit, "purpose": e.payload.purpose, "at": e.payload.at,
            "subject_id": e.payload.subject_id,
            "query": f"reveal declaration={e.payload.declaration_id} "
                     f"grounds={e.payload.grounds}"} for e in events])

    async def audit_entries(self, query: AuditQuery, limit: int) -> list[AuditRecord]:
        found = await self.audit.find(audit_filter(query), {
            "outbox": 0, "outbox_pending": 0, "outbox_seq": 0}).sort(
            [("at", -1), ("_id", -1)]).limit(limit).to_list()
        return [AuditRecord.model_validate({**d, "id": d["_id"]}) for d in found]

    async def record_access(self, event: Envelope[TraceAccessed]) -> None:
        """The audit entry and its `trace.accessed` event, in one write."""
        await self.audit.insert_one({"_id": event.event_id, "kind": "trace",
                                     "day": day_of(event.payload.at),
                                     **event.payload.model_dump(),
                                     **new_outbox(outbox_entry(event, key=event.payload.who))})


def audit_filter(query: AuditQuery) -> Document:
    found: Document = {}
    for field, value in (("who", query.who), ("role", query.role),
                         ("subject_id", query.subject_id), ("kind", query.kind)):
        if value:
            found[field] = value
    if query.purpose:
        found["purpose"] = {"$regex": re.escape(query.purpose), "$options": "i"}
    if query.day:
        start = datetime.combine(query.day, time(0), VN_TZ)
        found["at"] = {"$gte": start, "$lt": start + timedelta(days=1)}
    return found
