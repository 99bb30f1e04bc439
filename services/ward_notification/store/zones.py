"""Zone-level changes: one document per change, carrying its `zone.level_changed`."""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase

from libs.contracts.envelope import Envelope
from libs.contracts.events.notification import ZoneLevel, ZoneLevelChanged
from libs.runtime.mongo import Document
from libs.runtime.outbox import WITHOUT_OUTBOX, create_outbox_index, new_outbox, outbox_entry
from services.ward_notification.domain.records import ZoneChange


def _change(doc: Document) -> ZoneChange:
    return ZoneChange(change_id=doc["_id"], ward_code=doc["ward_code"],
                      level=ZoneLevel(doc["level"]), effective_at=doc["effective_at"],
                      set_by=doc["set_by"], set_at=doc["set_at"], note=doc.get("note"))


class ZoneStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.changes = db["zone_changes"]

    async def create_indexes(self) -> None:
        await create_outbox_index(self.changes)
        await self.changes.create_index("ward_code")

    async def add(self, event: Envelope[ZoneLevelChanged], note: str | None) -> ZoneChange:
        """The change and its event in one insert; ward events are keyed by ward code."""
        p = event.payload
        doc: Document = {"_id": event.event_id, "ward_code": p.ward_code, "level": int(p.level),
                         "effective_at": p.effective_at, "set_by": p.set_by,
                         "set_at": event.occurred_at, "note": note,
                         **new_outbox(outbox_entry(event, key=p.ward_code))}
        await self.changes.insert_one(doc)
        return _change(doc)

    async def for_ward(self, ward_code: str) -> list[ZoneChange]:
        docs = await self.changes.find({"ward_code": ward_code}, WITHOUT_OUTBOX).to_list()
        return [_change(d) for d in docs]
