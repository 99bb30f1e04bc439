"""The movement-trace collections: `movements` (the projection) and `audit`."""

from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from libs.contracts.envelope import Envelope
from libs.contracts.events.trace import TraceAccessed
from libs.runtime.mongo import Document, insert_once
from libs.runtime.outbox import create_outbox_index, new_outbox, outbox_entry
from services.movement_trace.domain import Movement, to_document


class TraceStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.movements = db["movements"]
        self.audit = db["audit"]

    async def create_indexes(self) -> None:
        await self.movements.create_index([("subject_id", ASCENDING), ("at", ASCENDING)])
        await create_outbox_index(self.audit)

    async def add(self, movement: Movement) -> bool:
        """Idempotent: False when this event's movement is already stored."""
        return await insert_once(self.movements, to_document(movement))

    async def timeline(self, subject_id: str, start: datetime, end: datetime) -> list[Document]:
        # Equality on the indexed subject first; the time range then only scans one person.
        cursor = self.movements.find(
            {"subject_id": subject_id, "at": {"$gte": start, "$lt": end}}
        ).sort("at", ASCENDING)
        return await cursor.to_list()

    async def record_access(self, event: Envelope[TraceAccessed]) -> None:
        """The audit entry and its `trace.accessed` event, in one write."""
        await self.audit.insert_one({"_id": event.event_id, **event.payload.model_dump(),
                                     **new_outbox(outbox_entry(event, key=event.payload.who))})
