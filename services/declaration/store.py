"""The `declarations` collection: one document per declaration, with its outbox."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import DeclarationSubmitted
from libs.runtime.mongo import Document
from libs.runtime.outbox import create_outbox_index, new_outbox, outbox_entry
from services.declaration.domain import Status


class DeclarationStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.declarations = db["declarations"]

    async def create_indexes(self) -> None:
        await create_outbox_index(self.declarations)
        await self.declarations.create_index("subject_id")

    async def add(self, event: Envelope[DeclarationSubmitted]) -> None:
        """Store the declaration and its `declaration.submitted` in one write."""
        p = event.payload
        document: Document = {
            "_id": p.declaration_id,
            "subject_id": p.subject_id,
            "status": Status.pending.value,
            "submitted_at": event.occurred_at,
            "valid_until": p.valid_until,
            "declaration": p.model_dump(mode="json"),
            **new_outbox(outbox_entry(event, key=p.subject_id)),
        }
        await self.declarations.insert_one(document)

    async def get(self, declaration_id: str) -> dict[str, Any] | None:
        return await self.declarations.find_one({"_id": declaration_id}, {"outbox": 0})
