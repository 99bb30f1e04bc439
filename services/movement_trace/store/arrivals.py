"""Arrivals from abroad and the marked countries, on FerretDB (domain/arrivals.py tells
what they are for)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from pymongo.asynchronous.database import AsyncDatabase

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import ArrivalRegistered
from libs.contracts.vietnam_time import VN_TZ
from libs.runtime.mongo import Document, insert_new
from libs.runtime.retention import day_of, purge_by_day
from services.movement_trace.domain.arrivals import ArrivalSeen
from services.movement_trace.domain.records import MarkedCountry

IN_PER_QUERY = 1000  # the longest `$in` the stack's FerretDB answers from an index


class ArrivalStore:
    """`arrivals`: one document per registered arrival (by arrival id), filed by arrival day;
    `arrival_rules`: one per marked country."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.arrivals = db["arrivals"]
        self.rules = db["arrival_rules"]

    async def create_indexes(self) -> None:
        await self.arrivals.create_index("arrival_date")
        await self.arrivals.create_index("day")
        await self.rules.create_index("marked_at")

    async def add(self, events: list[Envelope[ArrivalRegistered]]) -> int:
        docs = []
        for event in events:
            p = event.payload
            arrived = datetime.combine(p.arrival_date, time(0), VN_TZ)
            transport = " ".join(x for x in (p.transport.mode.value, p.transport.number) if x)
            docs.append({"_id": p.arrival_id, "subject_id": p.subject_id,
                         "country": p.country_of_departure, "port": p.port_of_departure,
                         "arrival_date": p.arrival_date.isoformat(), "transport": transport,
                         "entry_ward": p.entry_ward, "destination_ward": p.destination_ward,
                         "arrived_at": arrived, "day": day_of(arrived)})
        return len(await insert_new(self.arrivals, docs))

    async def since(self, first: date, last: date) -> list[ArrivalSeen]:
        """Arrivals from `first` to `last`, by arrival date: one `$in` on an indexed field
        (FerretDB answers it from the index), not a query a day."""
        days = [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
        docs = [doc for start in range(0, len(days), IN_PER_QUERY)
                for doc in await self.arrivals.find(
                    {"arrival_date": {"$in": days[start:start + IN_PER_QUERY]}}).to_list()]
        return [ArrivalSeen(doc["subject_id"], doc["country"], doc.get("port"),
                            date.fromisoformat(doc["arrival_date"]), doc["transport"],
                            doc["entry_ward"], doc.get("destination_ward"))
                for doc in sorted(docs, key=lambda d: str(d["arrival_date"]))]

    async def mark(self, country: str, by: str, purpose: str, now: datetime) -> MarkedCountry:
        doc = {"_id": country, "marked_by": by, "purpose": purpose, "marked_at": now}
        await self.rules.replace_one({"_id": country}, doc, upsert=True)
        return _marked(doc)

    async def unmark(self, country: str) -> bool:
        return bool((await self.rules.delete_one({"_id": country})).deleted_count)

    async def marked(self) -> list[MarkedCountry]:
        return [_marked(d) for d in await self.rules.find({}).sort("_id", 1).to_list()]

    async def purge(self, cutoff: datetime) -> int:
        return len(await purge_by_day(self.arrivals, "arrived_at", cutoff))


def _marked(doc: Document) -> MarkedCountry:
    return MarkedCountry(country=doc["_id"], marked_by=doc["marked_by"], purpose=doc["purpose"],
                         marked_at=doc["marked_at"])
