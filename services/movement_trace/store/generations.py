"""Which generation of the projection serves reads, and which one a rebuild is filling.

One document, `meta/generation`: {active, building, previous}. Readers use
`active`; the live consumer writes to `active` and, during a rebuild, to
`building` too, so nothing that arrives while the replay runs is missed. Each
replica caches the pointer for `refresh_s`; the rebuild waits longer than that
before it takes its end offsets and after it switches.
"""

from __future__ import annotations

import time

from pymongo.asynchronous.collection import AsyncCollection

from libs.runtime.mongo import Document
from services.movement_trace.domain.records import Pointer

POINTER_ID = "generation"


class Generations:
    def __init__(self, meta: AsyncCollection[Document], refresh_s: float = 1.0) -> None:
        self.meta = meta
        self.refresh_s = refresh_s
        self._cached: Pointer | None = None
        self._read_at = 0.0

    async def current(self, fresh: bool = False) -> Pointer:
        if fresh or self._cached is None or time.monotonic() - self._read_at > self.refresh_s:
            doc = await self.meta.find_one({"_id": POINTER_ID}) or {}
            self._cached = Pointer(active=doc.get("active", 0), building=doc.get("building"),
                                  previous=doc.get("previous"))
            self._read_at = time.monotonic()
        return self._cached

    async def start_building(self, generation: int) -> None:
        await self.meta.update_one({"_id": POINTER_ID}, {"$set": {"building": generation}},
                                   upsert=True)
        self._cached = None

    async def switch(self, generation: int) -> Pointer:
        """Serve `generation` from now on; the old active one is kept as `previous`."""
        old = await self.current(fresh=True)
        pointer = Pointer(active=generation, building=None, previous=old.active)
        await self.meta.update_one({"_id": POINTER_ID}, {"$set": {
            "active": pointer.active, "building": None, "previous": pointer.previous}}, upsert=True)
        self._cached = None
        return pointer

    async def abandon(self, generation: int) -> None:
        """A failed rebuild: stop writing to its generation."""
        await self.meta.update_one({"_id": POINTER_ID, "building": generation},
                                   {"$set": {"building": None}})
        self._cached = None
