"""One rebuild at a time, across replicas: the `meta/rebuild` document.

It also carries the progress that `GET /v1/admin/rebuild` shows. A rebuild
whose heartbeat stopped (its process died) is taken over after `stale_s`.
"""

from __future__ import annotations

from datetime import timedelta

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from libs.contracts.envelope import new_event_id, utcnow
from libs.runtime.mongo import Document
from services.movement_trace.domain.errors import RebuildRunning
from services.movement_trace.domain.records import RebuildState

LOCK_ID = "rebuild"
Report = dict[str, int | float]  # the rebuild's progress report (service/rebuild.py)


class RebuildLock:
    def __init__(self, meta: AsyncCollection[Document], stale_s: float) -> None:
        self.meta = meta
        self.stale = timedelta(seconds=stale_s)
        self.attempt: str | None = None

    async def acquire(self, generation: int, by: str) -> None:
        now, attempt = utcnow(), new_event_id()
        free = {"_id": LOCK_ID, "$or": [{"state": {"$ne": "running"}},
                                        {"heartbeat_at": {"$lt": now - self.stale}}]}
        fields = {"state": "running", "attempt": attempt, "generation": generation, "by": by,
                  "started_at": now, "heartbeat_at": now, "finished_at": None, "report": None,
                  "error": None}
        try:
            await self.meta.insert_one({"_id": LOCK_ID, **fields})
        except DuplicateKeyError:
            # An upsert would not do: FerretDB does not take `_id` from an `$or` filter.
            taken = await self.meta.update_one(free, {"$set": fields})
            if taken.matched_count == 0:
                raise RebuildRunning(await self.status()) from None
        # No transactions on FerretDB: make sure no one overwrote us in the same instant.
        holder = await self.meta.find_one({"_id": LOCK_ID})
        if not holder or holder.get("attempt") != attempt:
            raise RebuildRunning(await self.status())
        self.attempt = attempt

    async def heartbeat(self, report: Report) -> None:
        await self.meta.update_one({"_id": LOCK_ID},
                                   {"$set": {"heartbeat_at": utcnow(), "report": report}})

    async def finish(self, report: Report, error: str | None = None) -> None:
        await self.meta.update_one({"_id": LOCK_ID}, {"$set": {
            "state": "failed" if error else "done", "finished_at": utcnow(), "report": report,
            "error": error}})

    async def status(self) -> RebuildState:
        """The last rebuild; `state` "never" when there was none."""
        doc = await self.meta.find_one({"_id": LOCK_ID}, {"attempt": 0})
        return RebuildState.model_validate(doc or {})
