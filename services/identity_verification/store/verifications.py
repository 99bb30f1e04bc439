"""The verdicts' collections:

- `verifications`: one document per declaration (`_id` = declaration_id) with its outbox;
- `counters`: verdict totals for the admin stats, so no query scans `verifications`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from pymongo.asynchronous.database import AsyncDatabase

from libs.runtime.mongo import Document, insert_new
from libs.runtime.outbox import create_outbox_index, new_outbox, outbox_entry
from libs.runtime.retention import PUBLISHED, day_of, purge_by_day
from services.identity_verification.domain.records import NewVerification, Verification
from services.identity_verification.domain.verdicts import Outcome


class VerificationStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.verifications = db["verifications"]
        self.counters = db["counters"]

    async def create_indexes(self) -> None:
        await create_outbox_index(self.verifications)
        await self.verifications.create_index("day")

    async def purge(self, cutoff: datetime) -> int:
        """Verdicts the window after their declaration's validity (docs/retention.md); the
        registry itself is the population database's, not ours to purge."""
        return len(await purge_by_day(self.verifications, "valid_until", cutoff, PUBLISHED))

    async def add_verifications(self, verifications: Sequence[NewVerification]
                                ) -> list[NewVerification]:
        """Insert new verifications; those already stored (a replay) are left as they are.
        Returns the ones that were new."""
        new = await insert_new(self.verifications, [_document(v) for v in verifications])
        return [v for v in verifications if v.declaration_id in new]

    async def replace_verification(self, verification: NewVerification) -> None:
        """A later verdict for the same declaration, with its own event to publish."""
        await self.verifications.replace_one({"_id": verification.declaration_id},
                                             _document(verification))

    async def count_verdicts(self, increments: Mapping[str, int]) -> None:
        if increments:
            await self.counters.update_one({"_id": "verifications"}, {"$inc": dict(increments)},
                                           upsert=True)

    async def verdict_counts(self) -> dict[str, int]:
        doc = await self.counters.find_one({"_id": "verifications"}, {"_id": 0}) or {}
        return {key: int(value) for key, value in doc.items()}

    async def verification(self, declaration_id: str) -> Verification | None:
        doc = await self.verifications.find_one({"_id": declaration_id}, {"outbox": 0})
        if doc is None:
            return None
        return Verification(declaration_id=doc["_id"], outcome=Outcome(doc["outcome"]),
                            reasons=doc["reasons"], flags=doc["flags"],
                            registered_permanent_ward=doc["registered_permanent_ward"])


def _document(v: NewVerification) -> Document:
    return {
        "_id": v.declaration_id,
        "subject_id": v.subject_id,
        "declaration_event_id": v.declaration_event_id,
        "outcome": v.outcome.value,
        "reasons": list(v.reasons),
        "flags": list(v.flags),
        "registered_permanent_ward": v.registered_permanent_ward,
        "decided_at": v.decided_at,
        # Kept as long as its declaration: the window after the declaration's validity.
        "valid_until": v.valid_until, "day": day_of(v.valid_until),
        "event_id": v.event.event_id,
        **new_outbox(outbox_entry(v.event, key=v.subject_id)),
    }
