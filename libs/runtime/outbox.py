"""The transactional outbox, in one document (DESIGN.md §5, "No dual writes").

FerretDB has no multi-document transactions, so a state change and the events
it causes are written together into the *same* document:

    {..., "outbox": [{event_id, topic, key, value, published}], "outbox_pending": true,
     "outbox_seq": 1}

The writer then calls `relay.wake(doc_id)`: the relay reads the documents it was
woken for by `_id` (one `$in` read per batch of them), publishes their unpublished
entries and marks them. A sweep for
`{"outbox_pending": true}` finds what no hint named (a replica that died after
its write, entries a concurrent update unflagged); it runs at start, when
`wake()` is called without ids, and every `sweep_s`. The sweep is the only
filter not on `_id`, and FerretDB v1 answers it by reading the whole collection,
so it must not run per write: a sweep per submitted declaration made each
submit cost O(collection) on the store. A relay that dies between publishing
and marking publishes those entries again; consumers deduplicate on
`event_id`. Several relays (one per replica) may run at once with the same effect.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from faststream.kafka import KafkaBroker
from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection

from libs.contracts.envelope import Envelope
from libs.contracts.topics import Topics
from libs.runtime import metrics
from libs.runtime.jobs import honour_cancellation
from libs.runtime.logs import log_fields
from libs.runtime.mongo import Document

log = logging.getLogger(__name__)


# A projection that reads a document without its outbox (what readers of the API see).
WITHOUT_OUTBOX = {"outbox": 0, "outbox_pending": 0, "outbox_seq": 0}


def outbox_entry(envelope: Envelope[Any], key: str) -> Document:
    return {"event_id": envelope.event_id, "topic": envelope.type, "key": key,
            "value": envelope.model_dump_json(), "published": False}


def new_outbox(*entries: Document) -> Document:
    """Fields to put into a new document so that its events get published."""
    return {"outbox": list(entries), "outbox_pending": True, "outbox_seq": len(entries)}


def append_to_outbox(*entries: Document) -> Document:
    """An update that adds events to an existing document's outbox."""
    return {"$push": {"outbox": {"$each": list(entries)}}, "$set": {"outbox_pending": True},
            "$inc": {"outbox_seq": len(entries)}}


async def create_outbox_index(collection: AsyncCollection[Document]) -> None:
    await collection.create_index("outbox_pending")


class OutboxRelay:
    def __init__(self, collection: AsyncCollection[Document], broker: KafkaBroker,
                 topics: Topics, poll_s: float = 1.0, batch: int = 50,
                 sweep_s: float = 30.0) -> None:
        # Under 100: FerretDB 1.24 (SQLite) holds a pooled connection per statement of an
        # update command until the command ends, and its pool has 100, so marking 100 or
        # more documents in one bulk_write deadlocks that database.
        self.collection = collection
        self.broker = broker
        self.topics = topics
        self.poll_s = poll_s
        self.batch = batch
        self.sweep_s = sweep_s
        self._wake = asyncio.Event()
        self._hinted: set[Any] = set()
        self._next_sweep = 0.0  # time.monotonic(); 0: sweep at the next pass

    def wake(self, *ids: Any) -> None:
        """Called after a write with the `_id`s of the documents written, so that their
        events leave at once; without ids, the next pass sweeps the whole collection."""
        if ids:
            self._hinted.update(ids)
        else:
            self._next_sweep = 0.0
        self._wake.set()

    async def run(self) -> None:
        while True:
            honour_cancellation()
            try:
                while await self.relay_once() >= self.batch:
                    pass  # a full batch: there may be more waiting
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay pass failed; retrying")
                self._next_sweep = 0.0  # hints taken by the failed pass are found again
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_s)
            self._wake.clear()

    async def relay_once(self) -> int:
        """Publish what is pending in up to `batch` documents (the hinted ones first, else
        a sweep when one is due); return how many documents were looked at."""
        if self._hinted:
            ids = [self._hinted.pop() for _ in range(min(self.batch, len(self._hinted)))]
            # One command for the batch, not one a document: each command costs the store
            # about a millisecond of CPU (FerretDB), and `_id $in` is read from the index.
            found = await self.collection.find(
                {"_id": {"$in": ids}}, {"outbox": 1, "outbox_seq": 1, "outbox_pending": 1}
            ).to_list()
            await self._relay([doc for doc in found if doc.get("outbox_pending")])
            return len(ids)
        if time.monotonic() < self._next_sweep:
            return 0
        docs = await self.collection.find(
            {"outbox_pending": True}, {"outbox": 1, "outbox_seq": 1}
        ).limit(self.batch).to_list()
        metrics.OUTBOX_PENDING.set(len(docs))
        # A full batch: sweep again at once, there may be more waiting.
        self._next_sweep = 0.0 if len(docs) >= self.batch else time.monotonic() + self.sweep_s
        await self._relay(docs)
        return len(docs)

    async def _relay(self, docs: list[Document]) -> None:
        if not docs:
            return
        # Publish everything in flight at once; the idempotent producer keeps per-partition order.
        pending = [(doc, i, entry) for doc in docs for i, entry in enumerate(doc["outbox"])
                   if not entry["published"]]
        results = await asyncio.gather(*(self._publish(entry) for _, _, entry in pending),
                                       return_exceptions=True)
        published: dict[Any, list[int]] = {}
        for (doc, i, entry), result in zip(pending, results, strict=True):
            if isinstance(result, BaseException):
                log.warning("outbox publish failed", extra=log_fields(
                    event_id=entry["event_id"], error=repr(result)))
                self._next_sweep = 0.0  # not published: look again at the next pass
            else:
                published.setdefault(doc["_id"], []).append(i)
        await self._mark(docs, published)

    async def _publish(self, entry: Document) -> None:
        await self.broker.publish(entry["value"].encode(), topic=self.topics(entry["topic"]),
                                  key=entry["key"].encode(),
                                  headers={"content-type": "application/json"})
        metrics.OUTBOX_PUBLISHED.labels(entry["topic"]).inc()

    async def _mark(self, docs: list[Document], published: dict[Any, list[int]]) -> None:
        # Filters on `_id` only: FerretDB v1 (even patched) reads an `outbox_seq` condition
        # by decoding documents, so the sequence is compared here, not in a filter.
        updates: list[UpdateOne] = []
        finished: list[tuple[Any, int]] = []
        for doc in docs:
            indexes = published.get(doc["_id"], [])
            marks: Document = {f"outbox.{i}.published": True for i in indexes}
            unpublished = sum(1 for entry in doc["outbox"] if not entry["published"])
            if len(indexes) == unpublished:
                marks["outbox_pending"] = False
                finished.append((doc["_id"], doc["outbox_seq"]))
            if marks:
                updates.append(UpdateOne({"_id": doc["_id"]}, {"$set": marks}))
        if updates:
            await self.collection.bulk_write(updates, ordered=False)
        # An entry appended since the read raised outbox_seq (and set the flag, which the
        # write above may have cleared): set it again so that the next pass publishes it.
        if not finished:
            return
        read_at = dict(finished)
        moved = [doc["_id"] async for doc in self.collection.find(
            {"_id": {"$in": list(read_at)}}, {"outbox_seq": 1})
            if doc["outbox_seq"] != read_at[doc["_id"]]]
        if moved:
            await self.collection.update_many({"_id": {"$in": moved}},
                                              {"$set": {"outbox_pending": True}})
