"""The epidemic level of each ward, as `zone.level_changed` announced it (one document a ward)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pymongo.asynchronous.database import AsyncDatabase

from libs.runtime.mongo import Document, upsert_if_later


class ZoneLevelStore:
    """Read and written by `_id` (the ward code) only: no index of its own."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.zones = db["zones"]

    async def set_zone(self, ward_code: str, level: int, effective_at: datetime, key: str) -> bool:
        """Store a ward's level unless a later change is stored; True when it changed."""
        return await upsert_if_later(self.zones, ward_code, key,
                                      {"level": level, "effective_at": effective_at})

    async def zone_levels(self, ward_codes: Iterable[str]) -> dict[str, int]:
        docs = await self.zones.find({"_id": {"$in": list(set(ward_codes))}}).to_list()
        return {doc["_id"]: int(doc["level"]) for doc in docs}
