"""Quarantines to follow up, their releases, the follow-ups recorded, and cases.

- `quarantines`: the view of `quarantine.ordered` (`_id` = quarantine id);
- `quarantine_releases`: the view of `quarantine.released` (same `_id`), kept
  apart so that an order and its release never update one document (FerretDB
  v1 updates are read-modify-write: two at once lose one) and meet in any order;
- `followups`: one document per visit or call, with its `followup.recorded`;
- `cases`: the view of `case.confirmed`, for the ward's daily counts.

Every view write is an insert keyed by the event's natural id, so a redelivery
changes nothing. Subject ids only, no names (DESIGN.md §5).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from libs.contracts.envelope import Envelope
from libs.contracts.events.notification import FollowupRecorded
from libs.contracts.events.trace import CaseConfirmed, QuarantineOrdered, QuarantineReleased
from libs.contracts.vietnam_time import VN_TZ, vn_day
from libs.runtime.mongo import SAFE_BULK, Document, insert_once
from libs.runtime.outbox import WITHOUT_OUTBOX, create_outbox_index, new_outbox, outbox_entry
from libs.runtime.retention import CHUNK, PUBLISHED, delete_ids, purge_by_day
from services.ward_notification.domain.followups import Attempt, Quarantined
from services.ward_notification.domain.records import Followup


class FollowupStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.quarantines = db["quarantines"]
        self.releases = db["quarantine_releases"]
        self.followups = db["followups"]
        self.cases = db["cases"]

    async def create_indexes(self) -> None:
        await self.quarantines.create_index([("ward_code", ASCENDING)])
        await self.releases.create_index([("at", ASCENDING)])
        await create_outbox_index(self.followups)
        await self.followups.create_index([("quarantine_id", ASCENDING)])
        await self.cases.create_index([("ward_code", ASCENDING)])
        for purged in (self.quarantines, self.cases):
            await purged.create_index([("day", ASCENDING)])

    # --- the views of trace's events ---

    async def put_order(self, event: Envelope[QuarantineOrdered]) -> bool:
        p = event.payload
        return await insert_once(self.quarantines, {
            "_id": p.quarantine_id, "subject_id": p.subject_id, "ward_code": p.ward_code,
            "start": p.start.isoformat(), "end": p.end.isoformat(), "place": p.place.value,
            "reason": p.reason.value, "case_id": p.case_id,
            "ordered_day": vn_day(event.occurred_at).isoformat(),
            # Its retention (and its follow-ups') runs from its end.
            "until": datetime.combine(p.end, time(0), VN_TZ), "day": p.end.isoformat()})

    async def put_release(self, event: Envelope[QuarantineReleased]) -> bool:
        p = event.payload
        return await insert_once(self.releases, {"_id": p.quarantine_id,
                                                 "subject_id": p.subject_id, "at": p.at,
                                                 "early": p.early})

    async def put_case(self, event: Envelope[CaseConfirmed]) -> bool:
        p = event.payload
        return await insert_once(self.cases, {
            "_id": p.case_id or event.event_id, "subject_id": p.subject_id,
            "ward_code": p.ward_code, "day": vn_day(event.occurred_at).isoformat(),
            "at": event.occurred_at})

    # --- reads ---

    async def in_wards(self, wards: list[str] | None) -> list[Quarantined]:
        """Orders of these wards (all wards: None), with their release day if released."""
        query = {} if wards is None else {"ward_code": {"$in": wards}}
        docs = await self.quarantines.find(query).to_list()
        released = await self._released_on([d["_id"] for d in docs])
        return [_quarantined(d, released.get(d["_id"])) for d in docs]

    async def quarantine(self, quarantine_id: str) -> Quarantined | None:
        doc = await self.quarantines.find_one({"_id": quarantine_id})
        if doc is None:
            return None
        return _quarantined(doc, (await self._released_on([quarantine_id])).get(quarantine_id))

    async def attempts(self, quarantine_ids: list[str]) -> dict[str, list[Attempt]]:
        found: dict[str, list[Attempt]] = {}
        fields = {"quarantine_id": 1, "on": 1, "reached": 1, "at": 1, "channel": 1,
                  "temperature_c": 1, "symptoms": 1, "by": 1}
        for doc in await self._chunked(self.followups, "quarantine_id", quarantine_ids, fields):
            found.setdefault(doc["quarantine_id"], []).append(Attempt(
                date.fromisoformat(doc["on"]), bool(doc["reached"]), at=doc.get("at"),
                channel=doc.get("channel"), temperature_c=doc.get("temperature_c"),
                symptoms=tuple(doc.get("symptoms") or ()), by=doc.get("by")))
        return found

    async def case_days(self, wards: list[str] | None) -> list[str]:
        query = {} if wards is None else {"ward_code": {"$in": wards}}
        return [d["day"] for d in await self.cases.find(query, {"day": 1}).to_list()]

    async def order_days(self, wards: list[str] | None) -> list[tuple[str, str]]:
        """(day ordered, reason) of every order of these wards."""
        query = {} if wards is None else {"ward_code": {"$in": wards}}
        docs = await self.quarantines.find(query, {"ordered_day": 1, "reason": 1}).to_list()
        return [(d["ordered_day"], d["reason"]) for d in docs]

    # --- writes of this service ---

    async def add_followup(self, followup_id: str, event: Envelope[FollowupRecorded],
                           at: datetime) -> bool:
        """The follow-up and its event in one insert; False when this id exists."""
        p = event.payload
        return await insert_once(self.followups, {
            "_id": followup_id, **p.model_dump(mode="json"), "at": at,
            **new_outbox(outbox_entry(event, key=p.subject_id or p.quarantine_id))})

    async def purge(self, cutoff: datetime) -> dict[str, int]:
        """Orders (with their releases and follow-ups) and cases, the window after their
        end or confirmation."""
        orders = await purge_by_day(self.quarantines, "until", cutoff)
        followups = 0
        for quarantine_id in orders:
            while ids := [d["_id"] for d in await self.followups.find(
                    {"quarantine_id": quarantine_id, **PUBLISHED}, {"_id": 1}).limit(CHUNK).to_list()]:
                if not (gone := await delete_ids(self.followups, ids)):
                    break
                followups += gone
        return {"quarantines": len(orders), "releases": await delete_ids(self.releases, orders),
                "followups": followups,
                "cases": len(await purge_by_day(self.cases, "at", cutoff))}

    async def followup(self, followup_id: str) -> Followup | None:
        doc = await self.followups.find_one({"_id": followup_id}, WITHOUT_OUTBOX)
        return Followup.model_validate({**doc, "followup_id": followup_id}) if doc else None

    async def _released_on(self, ids: list[str]) -> dict[str, date]:
        docs = await self._chunked(self.releases, "_id", ids, {"at": 1})
        return {d["_id"]: vn_day(d["at"]) for d in docs}

    async def _chunked(self, collection: Any, key: str, values: list[str],
                       fields: Document) -> list[Document]:
        found: list[Document] = []
        for first in range(0, len(values), SAFE_BULK):
            chunk = values[first:first + SAFE_BULK]
            found += await collection.find({key: {"$in": chunk}}, fields).to_list()
        return found


def _quarantined(doc: Document, released_on: date | None) -> Quarantined:
    return Quarantined(quarantine_id=doc["_id"], subject_id=doc["subject_id"],
                       ward_code=doc.get("ward_code") or "", start=date.fromisoformat(doc["start"]),
                       end=date.fromisoformat(doc["end"]), place=doc["place"],
                       reason=doc["reason"], released_on=released_on)
