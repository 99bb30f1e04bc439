"""The outbox relay of `verifications`: one update marks a whole pass as published.

The shared relay marks each document with its own statement, filtered by
`{_id, outbox_seq}` to guard against an entry appended meanwhile. On FerretDB
1.24 only a lone `_id` equality is pushed down, and each statement commits on
its own, so marking was the bottleneck of the service (measured, see the docs).
A verification's outbox receives exactly one entry, when the document is
inserted, and never another: marking `outbox.0` of the documents whose event
went out is exact, and one bulk write does it for the whole pass, with no re-read.
"""

from __future__ import annotations

from typing import Any

from pymongo import UpdateOne

from libs.runtime.mongo import Document, bulk_write_chunked
from libs.runtime.outbox import OutboxRelay


class VerdictRelay(OutboxRelay):
    async def _mark(self, docs: list[Document], published: dict[Any, list[int]]) -> None:
        done = [doc["_id"] for doc in docs
                if published.get(doc["_id"], []) == _unpublished(doc)]
        if done:  # the others failed to publish and stay pending for the next pass
            # One statement per `_id`: FerretDB v1 uses the index for `{_id: value}` only
            # (an `$in` reads the whole collection).
            await bulk_write_chunked(self.collection, [UpdateOne(
                {"_id": _id}, {"$set": {"outbox.0.published": True, "outbox_pending": False}})
                for _id in done])


def _unpublished(doc: Document) -> list[int]:
    return [i for i, entry in enumerate(doc["outbox"]) if not entry["published"]]
