"""What re-identification needs: who may see whom, each reveal, and who looked at whom.

- `reveal_grants`: one document per (person, kind, holder), from the events that make
  a staff member responsible for a person: `_id` = "subject|ward|26506",
  "subject|officer|canbo.noibai", "subject|epidemiology|"; `last_at` is the latest such
  event. A reveal reads the few ids the caller's role and scope allow (by `_id`:
  FerretDB v1 answers nothing else from an index).
- `reveals`: the audit entry of each reveal with its `person.revealed` in its outbox
  (one write: DESIGN.md §5, no dual writes).
- `accesses`: per person, every trace query and reveal about them (from
  `trace.accessed` and `person.revealed`), for the citizen's "who looked at my data".
  One document per person, written only by this service's consumer (one writer, in
  partition order), each access under its event id (a redelivery sets it again).
"""

from __future__ import annotations

from datetime import datetime

from pymongo.asynchronous.database import AsyncDatabase

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import PersonRevealed
from libs.runtime.mongo import Document, upsert_if_later
from libs.runtime.outbox import create_outbox_index, new_outbox, outbox_entry
from libs.runtime.retention import PUBLISHED, day_of, purge_by_day
from services.declaration.domain.records import Access, Grant, GrantKey, GrantKind


def grant_id(key: GrantKey) -> str:
    return f"{key.subject_id}|{key.kind.value}|{key.holder}"


def grant_of(doc: Document) -> Grant:
    return Grant(key=GrantKey(doc["subject_id"], GrantKind(doc["kind"]), doc["holder"]),
                 last_at=doc["last_at"], grounds=doc["grounds"],
                 declaration_id=doc.get("declaration_id"))


class RevealStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.grants = db["reveal_grants"]
        self.reveals = db["reveals"]
        self.accesses = db["accesses"]

    async def create_indexes(self) -> None:
        await create_outbox_index(self.reveals)
        for purged in (self.grants, self.reveals, self.accesses):
            await purged.create_index("day")

    async def grant(self, grant: Grant) -> None:
        """Record (or bring forward) a grant; an older event never moves it back."""
        fields: Document = {"subject_id": grant.key.subject_id, "kind": grant.key.kind.value,
                            "holder": grant.key.holder, "last_at": grant.last_at,
                            "day": day_of(grant.last_at), "grounds": grant.grounds}
        if grant.declaration_id:
            fields["declaration_id"] = grant.declaration_id
        await upsert_if_later(self.grants, grant_id(grant.key), grant.last_at, fields,
                              order_field="last_at")

    async def grants_of(self, keys: list[GrantKey]) -> list[Grant]:
        ids = [grant_id(k) for k in keys]
        found = {doc["_id"]: doc for doc in await self.grants.find({"_id": {"$in": ids}}).to_list()
                 } if ids else {}
        return [grant_of(found[i]) for i in ids if i in found]  # in the order asked

    async def record(self, event: Envelope[PersonRevealed]) -> None:
        p = event.payload
        await self.reveals.insert_one({"_id": p.reveal_id, **p.model_dump(mode="python"),
                                       "day": day_of(p.at),
                                       **new_outbox(outbox_entry(event, key=p.subject_id))})

    async def add_access(self, subject_id: str, event_id: str, access: Access) -> None:
        current = await self.accesses.find_one({"_id": subject_id}, {"last_at": 1})
        last = max(access.at, current["last_at"]) if current and "last_at" in current \
            else access.at
        item = {"kind": access.kind, "role": access.role, "unit": access.unit,
                "purpose": access.purpose, "at": access.at}
        await self.accesses.update_one({"_id": subject_id}, {"$set": {
            f"items.{event_id}": item, "last_at": last, "day": day_of(last)}}, upsert=True)

    async def accesses_of(self, subject_id: str) -> list[Access]:
        """Newest first."""
        doc = await self.accesses.find_one({"_id": subject_id}) or {}
        items = sorted(doc.get("items", {}).values(), key=lambda a: a["at"], reverse=True)
        return [Access(kind=a["kind"], role=a["role"], unit=a.get("unit"), purpose=a["purpose"],
                       at=a["at"]) for a in items]

    async def purge(self, cutoff: datetime, audit_cutoff: datetime) -> dict[str, int]:
        """Grants past the window; reveals (once published) and accesses past the audit's."""
        return {
            "reveal_grants": len(await purge_by_day(self.grants, "last_at", cutoff)),
            "reveals": len(await purge_by_day(self.reveals, "at", audit_cutoff, PUBLISHED)),
            "accesses": len(await purge_by_day(self.accesses, "last_at", audit_cutoff)),
        }
