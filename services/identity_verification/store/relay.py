"""The outbox relay of `verifications`: one update marks a whole pass as published.

The shared relay marks each document with its own statement and then re-reads
the sequence numbers, to guard against an entry appended meanwhile; marking was
the bottleneck of this service (measured, see the docs). A verification's outbox
receives exactly one entry, when the document is inserted, and never another:
marking `outbox.0` of the documents whose event went out is exact, and one update
by `_id $in` (answered from the `_id` index) does it for the whole pass, with no
re-read.
"""

from __future__ import annotations

from typing import Any

from libs.runtime.mongo import Document
from libs.runtime.outbox import OutboxRelay


class VerdictRelay(OutboxRelay):
    async def _mark(self, docs: list[Document], published: dict[Any, list[int]]) -> None:
        done = [doc["_id"] for doc in docs
                if published.get(doc["_id"], []) == _unpublished(doc)]
        if done:  # the others failed to publish and stay pending for the next pass
            await self.collection.update_many(
                {"_id": {"$in": done}},
                {"$set": {"outbox.0.published": True, "outbox_pending": False}})


def _unpublished(doc: Document) -> list[int]:
    return [i for i, entry in enumerate(doc["outbox"]) if not entry["published"]]
