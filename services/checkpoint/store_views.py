"""The views this service builds from other services' events (only the driver here).

Every read on the scan path is by `_id`, and the common write is an insert
(see store_util.py for the measurements behind this).

- `declarations`: masked identity, trip, flags, validity — written once;
- `verdicts`: the identity verdict per declaration, the later one (by its order key)
  winning; it may arrive before its declaration;
- `lookups`: keyed hash of (subject, date of birth) → the declaration ids;
- `zones`: per ward, every `zone.level_changed` it had;
- `people`: per subject, its quarantine orders and releases and its refusals here
  (one read for both on every scan);
- `vehicles`: green-lane vehicles and their crew — written once;
- `keys`: the last QR public keys fetched, for a restart while the issuer is down.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from pymongo.asynchronous.database import AsyncDatabase

from libs.runtime.mongo import Document, insert_once
from libs.runtime.retention import CHUNK, day_of, days_to_purge, delete_ids
from services.checkpoint.store_util import insert_or_read, safe_key, upsert


class ViewStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.declarations = db["declarations"]
        self.verdicts = db["verdicts"]
        self.lookups = db["lookups"]
        self.zones = db["zones"]
        self.people = db["people"]
        self.vehicles = db["vehicles"]
        self.keys = db["keys"]

    async def create_indexes(self) -> None:
        for collection in (self.declarations, self.verdicts, self.vehicles, self.people):
            await collection.create_index("day")

    async def put_declaration(self, declaration_id: str, fields: Document) -> None:
        """Declaration facts never change: a redelivery is a duplicate insert, a no-op."""
        await insert_once(self.declarations, {"_id": declaration_id, **fields})
        key = fields["lookup_key"]
        stored = await insert_or_read(self.lookups, {"_id": key, "declaration_ids": [declaration_id]})
        if stored is not None and declaration_id not in stored["declaration_ids"]:
            # The same person declared again: the rare update.
            await upsert(self.lookups, key, {"$addToSet": {"declaration_ids": declaration_id}})

    async def purge_declarations(self, cutoff: datetime) -> int:
        """Declarations the window after their validity, with their verdicts and their place
        in the lookup by (person, date of birth); by day, in chunks."""
        deleted = 0
        for day in days_to_purge(cutoff):
            query = {"day": day.isoformat(), "valid_until": {"$lt": cutoff}}
            while docs := await self.declarations.find(query, {"lookup_key": 1}).limit(
                    CHUNK).to_list():
                for doc in docs:
                    await self.lookups.update_one({"_id": doc["lookup_key"]},
                                                  {"$pull": {"declaration_ids": doc["_id"]}})
                    await self.lookups.delete_one({"_id": doc["lookup_key"],
                                                   "declaration_ids": {"$size": 0}})
                ids = [doc["_id"] for doc in docs]
                await delete_ids(self.verdicts, ids)
                if not (gone := await delete_ids(self.declarations, ids)):
                    break
                deleted += gone
        return deleted

    async def put_verdict(self, declaration_id: str, verdict: Document) -> bool:
        """Keep the verdict with the later `key`; True when this one was stored."""
        doc = {"_id": declaration_id, **verdict}
        for _ in range(3):  # another replica may change it between our read and write
            stored = await insert_or_read(self.verdicts, doc)
            if stored is None:
                return True
            if stored["key"] >= verdict["key"]:
                return False  # replayed, redelivered or superseded
            result = await self.verdicts.replace_one({"_id": declaration_id, "key": stored["key"]},
                                                     doc)
            if result.matched_count:
                return True
        return False

    async def declaration(self, declaration_id: str) -> Document | None:
        """The declaration with its verdict (`pending` until one arrives)."""
        doc, verdict = await asyncio.gather(
            self.declarations.find_one({"_id": declaration_id}),
            self.verdicts.find_one({"_id": declaration_id}))
        if doc is None:
            return None
        return {**doc, "verdict": verdict["verdict"] if verdict else "pending",
                "rejection_reasons": verdict["rejection_reasons"] if verdict else []}

    async def declarations_by_lookup(self, key: str) -> list[Document]:
        found = await self.lookups.find_one({"_id": key})
        return list((await self.declarations_by_ids(found["declaration_ids"])).values()) \
            if found else []

    async def declarations_by_ids(self, ids: list[str]) -> dict[str, Document]:
        docs = await asyncio.gather(*(self.declaration(one) for one in dict.fromkeys(ids)))
        return {doc["_id"]: doc for doc in docs if doc is not None}

    async def add_zone_change(self, ward_code: str, change: Document) -> None:
        """A redelivered change is the same subdocument: `$addToSet` keeps one."""
        await upsert(self.zones, ward_code, {"$addToSet": {"changes": change}})

    async def zone_changes_of(self, ward_code: str) -> list[Document]:
        doc = await self.zones.find_one({"_id": ward_code})
        return list(doc["changes"]) if doc else []

    async def put_quarantine(self, subject_id: str, quarantine_id: str, fields: Document,
                             relevant_until: datetime) -> None:
        """Merged per quarantine id, so an order and its release meet in either order."""
        key = f"orders.{safe_key(quarantine_id)}"
        await upsert(self.people, subject_id, {
            "$set": {f"{key}.{name}": value for name, value in fields.items()},
            **_kept_until(relevant_until)})

    async def note_refusal(self, subject_id: str, passage_id: str, refusal: Document) -> None:
        """Idempotent: keyed by the passage, so a retry writes the same entry again."""
        await upsert(self.people, subject_id, {
            "$set": {f"refusals.{safe_key(passage_id)}": refusal}, **_kept_until(refusal["at"])})

    async def person(self, subject_id: str) -> tuple[list[Document], list[Document]]:
        """(quarantine orders, refusals newest first) of one person."""
        doc = await self.people.find_one({"_id": subject_id}) or {}
        refusals = sorted(doc.get("refusals", {}).values(), key=lambda r: r["at"], reverse=True)
        return list(doc.get("orders", {}).values()), refusals

    async def put_vehicle(self, vehicle_id: str, fields: Document) -> None:
        await insert_once(self.vehicles, {"_id": vehicle_id, **fields})

    async def vehicle(self, vehicle_id: str) -> Document | None:
        return await self.vehicles.find_one({"_id": vehicle_id})

    async def save_jwks(self, jwks: Document) -> None:
        await self.keys.replace_one({"_id": "jwks"}, {"_id": "jwks", "jwks": jwks}, upsert=True)

    async def load_jwks(self) -> Document | None:
        doc = await self.keys.find_one({"_id": "jwks"})
        return doc["jwks"] if doc else None



def _kept_until(moment: datetime) -> Document:
    """A person's document is kept the window after its latest order or refusal: `$max` of the
    time and of its day (an ISO day grows with the time), so both only move forward."""
    return {"$max": {"last_at": moment, "day": day_of(moment)}}
