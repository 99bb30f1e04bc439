"""The passport holders' collections: what the border registered (`arrivals`), and
passport declarations waiting for their arrival (`waiting_for_arrival`)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from pymongo.asynchronous.database import AsyncDatabase

from libs.contracts.envelope import Envelope, parse_event
from libs.contracts.events.declaration import ArrivalRegistered, DeclarationSubmitted
from libs.contracts.vietnam_time import VN_TZ
from libs.runtime.mongo import Document, insert_new
from libs.runtime.retention import day_of, purge_by_day
from services.identity_verification.domain.passports import Arrival, HeldDeclaration


class ArrivalStore:
    """`arrivals`: what the border registered, by arrival id, with the passport's subject id
    and number indexed; `waiting`: passport declarations without an arrival yet."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.arrivals = db["arrivals"]
        self.waiting = db["waiting_for_arrival"]

    async def create_indexes(self) -> None:
        for field in ("subject_id", "passport", "day"):
            await self.arrivals.create_index(field)
        for field in ("subject_id", "day", "decide_at_day"):
            await self.waiting.create_index(field)

    async def add(self, events: list[Envelope[ArrivalRegistered]]) -> set[str]:
        """Store the arrivals; the subject ids that got a new one."""
        docs: list[Document] = []
        for event in events:
            p = event.payload
            arrived = datetime.combine(p.arrival_date, time(0), VN_TZ)
            docs.append({"_id": p.arrival_id, "subject_id": p.subject_id,
                         "passport": p.passport, "nationality": p.nationality,
                         "full_name": p.full_name, "date_of_birth": p.date_of_birth.isoformat(),
                         "gender": p.gender.value, "arrival_date": p.arrival_date.isoformat(),
                         "arrived_at": arrived, "day": day_of(arrived)})
        new = await insert_new(self.arrivals, docs)
        return {str(d["subject_id"]) for d in docs if d["_id"] in new}

    async def of(self, subject_ids: list[str]) -> dict[str, list[Arrival]]:
        found: dict[str, list[Arrival]] = {}
        for subject_id in dict.fromkeys(subject_ids):
            for doc in await self.arrivals.find({"subject_id": subject_id}).to_list():
                found.setdefault(subject_id, []).append(Arrival(
                    doc["full_name"], date.fromisoformat(doc["date_of_birth"]), doc["gender"],
                    doc["nationality"], date.fromisoformat(doc["arrival_date"])))
        return found

    async def registered_elsewhere(self, passport: str, nationality: str) -> bool:
        docs = await self.arrivals.find({"passport": passport}, {"nationality": 1}).to_list()
        return any(d["nationality"] != nationality for d in docs)

    async def wait(self, source: Envelope[DeclarationSubmitted], decide_at: datetime) -> None:
        """Hold a passport declaration for its arrival (a replay leaves the first hold)."""
        p = source.payload
        await insert_new(self.waiting, [{
            "_id": p.declaration_id, "subject_id": p.subject_id, "source": source.to_bytes(),
            "decide_at": decide_at, "decide_at_day": day_of(decide_at), "decided": False,
            "valid_until": p.valid_until, "day": day_of(p.valid_until)}])

    async def waiting_for(self, subject_ids: set[str]) -> list[HeldDeclaration]:
        found: list[Document] = []
        for subject_id in subject_ids:
            found += await self.waiting.find({"subject_id": subject_id}).to_list()
        return [_held(doc) for doc in found]

    async def due(self, now: datetime) -> list[HeldDeclaration]:
        """Held past their grace and not decided yet: to be rejected (by day, indexed)."""
        found: list[Document] = []
        for back in (1, 0):
            day = day_of(now - timedelta(days=back))
            found += await self.waiting.find({"decide_at_day": day, "decided": False,
                                              "decide_at": {"$lte": now}}).to_list()
        return [_held(doc) for doc in found]

    async def mark_decided(self, declaration_id: str) -> None:
        await self.waiting.update_one({"_id": declaration_id}, {"$set": {"decided": True}})

    async def release(self, declaration_id: str) -> None:
        await self.waiting.delete_one({"_id": declaration_id})

    async def purge(self, cutoff: datetime) -> int:
        return (len(await purge_by_day(self.arrivals, "arrived_at", cutoff))
                + len(await purge_by_day(self.waiting, "valid_until", cutoff)))


def _held(doc: Document) -> HeldDeclaration:
    source: Envelope[DeclarationSubmitted] = parse_event(doc["source"])
    return HeldDeclaration(source, bool(doc["decided"]))
