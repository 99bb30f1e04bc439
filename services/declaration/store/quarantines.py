"""The view of `quarantine.*`: one document per person, their orders merged by quarantine id
(an order and its release meet in either order).

One writer: this service's consumer, in partition order. `until` (the latest end) is what
the document's retention, and the hold on the person's declarations, run from.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, time

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from libs.contracts.vietnam_time import VN_TZ
from libs.runtime.mongo import Document
from libs.runtime.retention import day_of, purge_by_day
from services.declaration.domain.records import Quarantined, QuarantineOrder, order_ref


def order_of(ref: str, fields: Document) -> QuarantineOrder:
    def day(name: str) -> date | None:
        return date.fromisoformat(fields[name]) if fields.get(name) else None

    return QuarantineOrder(ref=ref, start=day("start"), end=day("end"),
                           place=fields.get("place"), reason=fields.get("reason"),
                           released_on=day("released_on"))


class QuarantineStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.quarantines = db["quarantines"]

    async def create_indexes(self) -> None:
        await self.quarantines.create_index("day")

    async def order(self, subject_id: str, quarantine_id: str, start: date, end: date,
                    place: str, reason: str) -> None:
        """Record an order (a redelivery sets the same fields again)."""
        await self._merge(subject_id, quarantine_id, {
            "start": start.isoformat(), "end": end.isoformat(), "place": place, "reason": reason})

    async def release(self, subject_id: str, quarantine_id: str, released_on: date) -> None:
        """Record a release, before or after its order."""
        await self._merge(subject_id, quarantine_id, {"released_on": released_on.isoformat()})

    async def _merge(self, subject_id: str, quarantine_id: str, fields: Document) -> None:
        key = "orders." + order_ref(quarantine_id)
        update = {"$set": {f"{key}.{name}": value for name, value in fields.items()}}
        try:
            await self.quarantines.update_one({"_id": subject_id}, update, upsert=True)
        except DuplicateKeyError:  # two first upserts raced: the document exists now
            await self.quarantines.update_one({"_id": subject_id}, update)
        ends = [o.end for o in await self.orders_of(subject_id) if o.end is not None]
        if ends:
            until = datetime.combine(max(ends), time(0), VN_TZ)
            await self.quarantines.update_one({"_id": subject_id}, {"$set": {
                "until": until, "day": day_of(until)}})

    async def held(self, subject_id: str, cutoff: datetime) -> bool:
        """Whether an order of the person runs past `cutoff` (their declarations are kept
        while it does: DESIGN.md §5, extended by the epidemiologists' orders)."""
        doc = await self.quarantines.find_one({"_id": subject_id}, {"until": 1})
        return doc is not None and "until" in doc and doc["until"] >= cutoff

    async def quarantined_on(self, day: date, page: int = 500) -> AsyncIterator[Quarantined]:
        """The people with an order not over by `day`, page by page (a scan on FerretDB v1:
        the collection holds the orders of the retention window only)."""
        after = ""
        since = datetime.combine(day, time(0), VN_TZ)
        while docs := await self.quarantines.find(
                {"until": {"$gt": since}, "_id": {"$gt": after}}).sort("_id", 1).limit(
                page).to_list():
            for doc in docs:
                yield Quarantined(doc["_id"], _orders(doc))
            after = docs[-1]["_id"]

    async def orders_of(self, subject_id: str) -> list[QuarantineOrder]:
        return _orders(await self.quarantines.find_one({"_id": subject_id}) or {})

    async def purge(self, cutoff: datetime) -> int:
        """People whose last order ended before `cutoff`."""
        return len(await purge_by_day(self.quarantines, "until", cutoff))


def _orders(doc: Document) -> list[QuarantineOrder]:
    return [order_of(ref, fields) for ref, fields in doc.get("orders", {}).items()]
