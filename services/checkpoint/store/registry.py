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

from libs.contracts.events.checkpoint import CheckpointKind
from libs.runtime.mongo import Document
from services.checkpoint.domain.records import Checkpoint, CheckpointFilter


class CheckpointStore:
    def __init__(self, db: AsyncDatabase[Document], cache_s: float = 5.0) -> None:
        self.checkpoints = db["checkpoints"]
        self.cache_s = cache_s
        self._cache: dict[str, tuple[float, Checkpoint | None]] = {}

    async def create_indexes(self) -> None:
        await self.checkpoints.create_index("kind")
        await self.checkpoints.create_index("province_code")

    async def put(self, checkpoint: Checkpoint) -> bool:
        """Create or replace; True when it was created."""
        doc = _document(checkpoint)
        result = await self.checkpoints.replace_one({"_id": checkpoint.checkpoint_id}, doc,
                                                    upsert=True)
        self._cache.pop(checkpoint.checkpoint_id, None)
        return result.upserted_id is not None

    async def get(self, checkpoint_id: str) -> Checkpoint | None:
        cached = self._cache.get(checkpoint_id)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        doc = await self.checkpoints.find_one({"_id": checkpoint_id})
        found = None if doc is None else _checkpoint(doc)
        self._cache[checkpoint_id] = (time.monotonic() + self.cache_s, found)
        return found

    async def many(self, ids: list[str]) -> list[Checkpoint]:
        found = await asyncio.gather(*(self.get(one) for one in dict.fromkeys(ids)))
        return [checkpoint for checkpoint in found if checkpoint is not None]

    async def find(self, filters: CheckpointFilter, limit: int, offset: int
                   ) -> tuple[int, list[Checkpoint]]:
        """Equality filters only (kind, province_code, active): FerretDB pushes those down."""
        query: Document = {name: value for name, value in (
            ("kind", filters.kind), ("province_code", filters.province_code),
            ("active", filters.active)) if value is not None}
        total = await self.checkpoints.count_documents(query)
        cursor = self.checkpoints.find(query).sort("_id", ASCENDING).skip(offset).limit(limit)
        return total, [_checkpoint(doc) for doc in await cursor.to_list(limit)]


def _document(c: Checkpoint) -> Document:
    return {"_id": c.checkpoint_id, "name": c.name, "kind": c.kind.value,
            "ward_code": c.ward_code, "latitude": c.latitude, "longitude": c.longitude,
            "active": c.active, "stay_max_minutes": c.stay_max_minutes, "source": c.source,
            "province_code": c.province_code, "updated_at": c.updated_at,
            "updated_by": c.updated_by}


def _checkpoint(doc: Document) -> Checkpoint:
    return Checkpoint(checkpoint_id=doc["_id"], name=doc["name"],
                      kind=CheckpointKind(doc["kind"]), ward_code=doc["ward_code"],
                      latitude=doc.get("latitude"), longitude=doc.get("longitude"),
                      active=doc.get("active", True),
                      stay_max_minutes=doc.get("stay_max_minutes"), source=doc.get("source"),
                      province_code=doc["province_code"], updated_at=doc["updated_at"],
                      updated_by=doc.get("updated_by"))
