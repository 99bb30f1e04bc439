"""The checkpoint registry (`checkpoints`), read on every scan.

Reads go through a small in-process cache (a few seconds), since every scan
needs its checkpoint and the registry changes rarely; a replica sees an
admin's change at most `cache_s` later.
"""

from __future__ import annotations

import asyncio
import time

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from libs.runtime.mongo import Document


class CheckpointStore:
    def __init__(self, db: AsyncDatabase[Document], cache_s: float = 5.0) -> None:
        self.checkpoints = db["checkpoints"]
        self.cache_s = cache_s
        self._cache: dict[str, tuple[float, Document | None]] = {}

    async def create_indexes(self) -> None:
        await self.checkpoints.create_index("kind")
        await self.checkpoints.create_index("province_code")

    async def put(self, checkpoint_id: str, fields: Document) -> bool:
        """Create or replace; True when it was created."""
        result = await self.checkpoints.replace_one({"_id": checkpoint_id},
                                                    {"_id": checkpoint_id, **fields}, upsert=True)
        self._cache.pop(checkpoint_id, None)
        return result.upserted_id is not None

    async def get(self, checkpoint_id: str) -> Document | None:
        cached = self._cache.get(checkpoint_id)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        doc = await self.checkpoints.find_one({"_id": checkpoint_id})
        self._cache[checkpoint_id] = (time.monotonic() + self.cache_s, doc)
        return doc

    async def many(self, ids: list[str]) -> list[Document]:
        docs = await asyncio.gather(*(self.get(one) for one in dict.fromkeys(ids)))
        return [doc for doc in docs if doc is not None]

    async def find(self, filters: Document, limit: int, offset: int) -> tuple[int, list[Document]]:
        """Equality filters only (kind, province_code, active): FerretDB pushes those down."""
        total = await self.checkpoints.count_documents(filters)
        cursor = self.checkpoints.find(filters).sort("_id", ASCENDING).skip(offset).limit(limit)
        return total, await cursor.to_list(limit)
