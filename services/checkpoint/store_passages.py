"""Scans, passages (with their outbox) and open venue stays (only the driver here).

- `scans`: what an officer scanned, keyed by the client's scan id;
- `passages`: one document per decision, keyed by the scan id (a double tap is one
  passage) or by the stay it closes (automatic and move-on check-outs); it carries the
  events it causes in its outbox (DESIGN.md §5, no dual writes);
- `stays`: the *open* venue stays only, one per person (`_id` = subject id). A stay
  is deleted when it is closed, so the automatic check-out's `due_at <= now` scans
  only the people inside a venue right now, never the history.

Reads on the scan path are by `_id` (see store_views.py for why).
"""

from __future__ import annotations

from datetime import datetime

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from libs.runtime.mongo import Document, insert_once
from libs.runtime.outbox import create_outbox_index


class PassageStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.scans = db["scans"]
        self.passages = db["passages"]
        self.stays = db["stays"]

    async def create_indexes(self) -> None:
        await create_outbox_index(self.passages)
        await create_outbox_index(self.scans)
        await self.passages.create_index("day")
        await self.scans.create_index("day")

    async def add_scan(self, doc: Document) -> Document:
        """The scan as stored: this one, or the one stored earlier under the same id."""
        if await insert_once(self.scans, doc):
            return doc
        earlier = await self.scans.find_one({"_id": doc["_id"]})
        assert earlier is not None, "a duplicate key means the scan exists"
        return earlier

    async def scan(self, scan_id: str) -> Document | None:
        return await self.scans.find_one({"_id": scan_id})

    async def refresh_scan(self, doc: Document) -> None:
        await self.scans.replace_one({"_id": doc["_id"]}, doc)

    async def add_passage(self, doc: Document) -> tuple[Document, bool]:
        """(the stored passage, True when this call created it)."""
        try:
            await self.passages.insert_one(doc)
            return doc, True
        except DuplicateKeyError:
            earlier = await self.passages.find_one({"_id": doc["_id"]}, {"outbox": 0})
            assert earlier is not None, "a duplicate key means the passage exists"
            return earlier, False

    async def passage(self, passage_id: str) -> Document | None:
        return await self.passages.find_one({"_id": passage_id}, {"outbox": 0})

    async def stay(self, subject_id: str) -> Document | None:
        return await self.stays.find_one({"_id": subject_id})

    async def open_stay(self, doc: Document, replacing: str | None) -> bool:
        """Insert a stay, or replace the open stay `replacing`; False if someone was faster."""
        if replacing is None:
            return await insert_once(self.stays, doc)
        result = await self.stays.replace_one({"_id": doc["_id"], "stay_id": replacing}, doc)
        return result.matched_count == 1

    async def close_stay(self, subject_id: str, stay_id: str) -> bool:
        result = await self.stays.delete_one({"_id": subject_id, "stay_id": stay_id})
        return result.deleted_count == 1

    async def due_stays(self, now: datetime, limit: int) -> list[Document]:
        return await self.stays.find({"due_at": {"$lte": now}}).limit(limit).to_list(limit)

