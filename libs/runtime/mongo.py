"""The MongoDB side of a service: one async client, and the idempotent insert.

Works unchanged on FerretDB v1 and on MongoDB: no transactions, no TTL
indexes, no change streams (DESIGN.md §7).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pymongo import AsyncMongoClient, UpdateOne, monitoring
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from libs.runtime.metrics import STORE_COMMANDS

if TYPE_CHECKING:  # settings import this module's helpers (retention)
    from libs.runtime.settings import ServiceSettings

Document = dict[str, Any]
DUPLICATE_KEY = 11000


class CommandCounter(monitoring.CommandListener):
    """Counts the store commands a service issues, by command and collection
    (`khaibao_store_commands_total`): how many writes one declaration costs, and which
    collections the store's time goes to, are read from it by the pipeline benchmark."""

    def __init__(self) -> None:
        self._collections: dict[int, str] = {}  # request id → collection, until answered

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        named = event.command.get(event.command_name)
        if event.command_name == "getMore":
            named = event.command.get("collection")
        self._collections[event.request_id] = named if isinstance(named, str) else ""

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        collection = self._collections.pop(event.request_id, "")
        STORE_COMMANDS.labels(event.command_name, collection).inc()

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._collections.pop(event.request_id, None)


def make_client(settings: ServiceSettings) -> AsyncMongoClient[Document]:
    # tz_aware: datetimes come back as UTC-aware, as they went in. socketTimeoutMS: without
    # it a command the server never answers blocks its caller (a consumer) for good; with it
    # the command fails as a network error, an outage the caller waits out and retries.
    return AsyncMongoClient(settings.mongo_url, tz_aware=True, serverSelectionTimeoutMS=5000,
                            socketTimeoutMS=int(settings.mongo_socket_timeout_s * 1000),
                            appname=settings.service_name, event_listeners=[CommandCounter()])


def database(client: AsyncMongoClient[Document], settings: ServiceSettings) -> AsyncDatabase[Document]:
    return client[settings.mongo_db]


async def insert_once(collection: AsyncCollection[Document], document: Document) -> bool:
    """Insert unless a unique index says it is already there; True when inserted.

    This is the idempotent consumer: the unique key (an event id or a natural
    key) makes a redelivered event a no-op.
    """
    try:
        await collection.insert_one(document)
        return True
    except DuplicateKeyError:
        return False


async def insert_unordered(collection: AsyncCollection[Document],
                           docs: list[Document]) -> dict[int, tuple[int, BulkWriteError]]:
    """Every document, one unordered command per `SAFE_BULK`; those the store refused, by
    index into `docs`, with the error code and the error of their command."""
    refused: dict[int, tuple[int, BulkWriteError]] = {}
    for first in range(0, len(docs), SAFE_BULK):
        try:
            await collection.insert_many(docs[first:first + SAFE_BULK], ordered=False)
        except BulkWriteError as error:
            for failure in error.details.get("writeErrors", []):
                refused[first + int(failure["index"])] = (failure["code"], error)
    return refused


async def insert_new(collection: AsyncCollection[Document], docs: list[Document]) -> set[Any]:
    """`insert_once` for a batch: returns the `_id`s this call inserted (the others were
    already there, e.g. a replay); any other refusal is raised."""
    refused = await insert_unordered(collection, docs)
    for code, error in refused.values():
        if code != DUPLICATE_KEY:
            raise error
    return {doc["_id"] for i, doc in enumerate(docs) if i not in refused}


async def upsert_if_later(collection: AsyncCollection[Document], _id: str, key: Any,
                          fields: Document, *, order_field: str = "key") -> bool:
    """Set `fields` on document `_id` unless it holds a later or equal `key` in
    `order_field` (an order key such as occurred time + event id, or a time): replays,
    redeliveries and late duplicates are no-ops. True when it changed something.

    One command: an upsert filtered on `_id` and an earlier `key`. Where the document
    holds a later or equal key nothing matches, the upsert tries to insert that `_id`
    and the unique `_id` index refuses it: that refusal is the answer "already later".
    (FerretDB reads the `_id` condition from its index, the stack's patch; the `key`
    condition it checks on the one document found.) Atomic on MongoDB; FerretDB v1
    reads and writes the document back with nothing held between (store/tallies.py of
    the trace measured it), which is safe here because the writers of one `_id` are one
    consumer handling its partition in order."""
    try:
        result = await collection.update_one({"_id": _id, order_field: {"$lt": key}},
                                             {"$set": {**fields, order_field: key}}, upsert=True)
    except DuplicateKeyError:
        return False
    return result.upserted_id is not None or result.modified_count > 0


async def upsert_many_if_later(collection: AsyncCollection[Document],
                               changes: dict[str, tuple[str, Document]]) -> set[str]:
    """`upsert_if_later` for a batch, `{_id: (key, fields)}` (one change per `_id`, the
    caller's latest): one read by `_id $in`, one unordered insert of the `_id`s not there
    yet, one bulk update of those whose stored key is earlier; three commands instead of
    two or three per document. An `_id` another writer inserted between the read and the
    insert goes the one-by-one way. Returns the `_id`s changed."""
    held = {doc["_id"]: doc.get("key", "") async for doc in collection.find(
        {"_id": {"$in": list(changes)}}, {"key": 1})}
    fresh = [{"_id": _id, **fields, "key": key}
             for _id, (key, fields) in changes.items() if _id not in held]
    inserted = await insert_new(collection, fresh) if fresh else set()
    later = [_id for _id, (key, _) in changes.items() if _id in held and held[_id] < key]
    # The earlier-key condition again: another writer may have moved a document on since.
    await bulk_write_chunked(collection, [UpdateOne(
        {"_id": _id, "key": {"$lt": changes[_id][0]}},
        {"$set": {**changes[_id][1], "key": changes[_id][0]}}) for _id in later])
    changed = inserted | set(later)
    for raced in {doc["_id"] for doc in fresh} - inserted:
        if await upsert_if_later(collection, raced, *changes[raced]):
            changed.add(raced)
    return changed


async def ping(client: AsyncMongoClient[Document]) -> None:
    await client.admin.command("ping")


# FerretDB 1.24 (SQLite) holds one pooled connection per statement of a write command
# until the command ends, and its pool has 100 connections a database: a bulk write of
# 100 or more updates deadlocks that database for everyone. Keep every batch below it.
SAFE_BULK = 50


async def bulk_write_chunked(collection: AsyncCollection[Document], operations: list[Any],
                             ordered: bool = False) -> BulkWriteCounts:
    """`bulk_write` in chunks of `SAFE_BULK`; returns the summed counts."""
    counts = BulkWriteCounts()
    for first in range(0, len(operations), SAFE_BULK):
        result = await collection.bulk_write(operations[first:first + SAFE_BULK], ordered=ordered)
        counts.add(result)
    return counts


class BulkWriteCounts:
    def __init__(self) -> None:
        self.inserted = self.matched = self.modified = self.deleted = self.upserted = 0

    def add(self, result: Any) -> None:
        self.inserted += result.inserted_count
        self.matched += result.matched_count
        self.modified += result.modified_count
        self.deleted += result.deleted_count
        self.upserted += result.upserted_count
