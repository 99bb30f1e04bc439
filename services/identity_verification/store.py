"""The identity service's collections; the only module that touches the driver.

- `residents_P` (P = CCCD mod the partition count): the registry, `_id` = CCCD;
- `cmnd_P`: old CMND number -> CCCD, `_id` = CMND (a lookup is one `_id` equality);
- `meta`: the registry's layout (its partition count, fixed by the first load);
- `verifications`: one document per declaration (`_id` = declaration_id) with its outbox;
- `counters`: verdict totals for the admin stats, so no query scans `verifications`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ReplaceOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from libs.runtime.mongo import BulkWriteCounts, Document, bulk_write_chunked, insert_new
from libs.runtime.outbox import create_outbox_index
from libs.runtime.retention import PUBLISHED, purge_by_day
from services.identity_verification.registry import (
    DEFAULT_PARTITIONS,
    Resident,
    partition_of,
    resident_from,
)

DUPLICATE_KEY = 11000
# Lookups run side by side; writes go one at a time, because concurrent writers to one
# FerretDB SQLite database wait on its lock and were five times slower in total.
READERS, WRITERS = 8, 1


@dataclass
class Upserted:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


class LayoutConflict(RuntimeError):
    """The registry was already laid out with another partition count."""


class IdentityStore:
    def __init__(self, db: AsyncDatabase[Document],
                 partitions: int = DEFAULT_PARTITIONS) -> None:
        self.db = db
        self.partitions = partitions
        self.verifications = db["verifications"]
        self.counters = db["counters"]
        self._read = asyncio.Semaphore(READERS)
        self._write = asyncio.Semaphore(WRITERS)

    def residents(self, key: str) -> AsyncCollection[Document]:
        return self.db[f"residents_{partition_of(key, self.partitions)}"]

    def aliases(self, cmnd: str) -> AsyncCollection[Document]:
        return self.db[f"cmnd_{partition_of(cmnd, self.partitions)}"]

    async def open(self, *, require: bool = False) -> None:
        """Adopt the stored layout, or store ours if the registry is new. With `require`,
        a stored layout that differs from ours is an error instead of being adopted."""
        meta = self.db["meta"]
        await meta.update_one({"_id": "layout"},
                              {"$setOnInsert": {"partitions": self.partitions}}, upsert=True)
        stored = await meta.find_one({"_id": "layout"})
        assert stored is not None
        if require and stored["partitions"] != self.partitions:
            raise LayoutConflict(f"the registry has {stored['partitions']} partitions, "
                                 f"not {self.partitions}; drop it to change that")
        self.partitions = int(stored["partitions"])

    async def create_indexes(self) -> None:
        await self.open()
        await create_outbox_index(self.verifications)
        await self.verifications.create_index("day")

    async def purge(self, cutoff: datetime) -> int:
        """Verdicts the window after their declaration's validity (docs/retention.md); the
        registry itself is the population database's, not ours to purge."""
        return len(await purge_by_day(self.verifications, "valid_until", cutoff, PUBLISHED))

    # -- lookups ---------------------------------------------------------------------------

    async def resident(self, national_id: str) -> Resident | None:
        """By CCCD, or by old CMND through its alias document."""
        if len(national_id) == 9:
            alias = await self.aliases(national_id).find_one({"_id": national_id})
            if alias is None:
                return None
            national_id = alias["national_id"]
        async with self._read:
            doc = await self.residents(national_id).find_one({"_id": national_id})
        return None if doc is None else resident_from(doc)

    async def residents_by_id(self, ids: Iterable[str], *, batched: bool) -> dict[str, Resident]:
        """Many lookups at once: one `$in` per partition (`batched`) or one query per id."""
        wanted = sorted(set(ids))
        if not batched:
            found = await asyncio.gather(*(self.resident(i) for i in wanted))
            return {i: r for i, r in zip(wanted, found, strict=True) if r is not None}
        cmnds = [i for i in wanted if len(i) == 9]
        mapped = await self._in_partitions(cmnds, self.aliases)
        cccds = {i for i in wanted if len(i) == 12} | {a["national_id"] for a in mapped.values()}
        docs = await self._in_partitions(sorted(cccds), self.residents)
        result = {i: resident_from(doc) for i, doc in docs.items()}
        result.update({c: result[a["national_id"]] for c, a in mapped.items()
                       if a["national_id"] in result})
        return result

    async def _in_partitions(self, keys: Sequence[str], collection: Any) -> dict[str, Document]:
        groups: dict[int, list[str]] = {}
        for key in keys:
            groups.setdefault(partition_of(key, self.partitions), []).append(key)

        async def one(group: list[str]) -> list[Document]:
            async with self._read:
                docs: list[Document] = await collection(group[0]).find(
                    {"_id": {"$in": group}}).to_list()
                return docs

        found = await asyncio.gather(*(one(g) for g in groups.values()))
        return {doc["_id"]: doc for docs in found for doc in docs}

    async def cmnd_owners(self, cmnds: Iterable[str]) -> dict[str, str]:
        docs = await self._in_partitions(sorted(set(cmnds)), self.aliases)
        return {cmnd: doc["national_id"] for cmnd, doc in docs.items()}

    # -- writes ----------------------------------------------------------------------------

    async def upsert_residents(self, residents: Sequence[Resident]) -> Upserted:
        """Insert new residents, replace known ones: a re-import never duplicates."""
        counts = Upserted()
        resident_ops = self._by_partition(
            (r.national_id, ReplaceOne({"_id": r.national_id}, r.document(), upsert=True))
            for r in residents)
        alias_ops = self._by_partition(
            (r.cmnd, ReplaceOne({"_id": r.cmnd}, {"_id": r.cmnd, "national_id": r.national_id},
                                upsert=True)) for r in residents if r.cmnd)
        for result in await self._bulk(resident_ops, self.residents):
            counts.inserted += result.upserted
            counts.updated += result.modified
            counts.unchanged += result.matched - result.modified
        await self._bulk(alias_ops, self.aliases)
        return counts

    async def load_fresh(self, docs: Sequence[Document]) -> int:
        """Fast path for a generated population: plain unordered inserts, and a replace
        only for the rows that were already there (a second load of the same seed)."""
        aliases = [{"_id": d["cmnd"], "national_id": d["_id"]} for d in docs if "cmnd" in d]
        inserted = await self._insert(self._by_partition((d["_id"], d) for d in docs),
                                      self.residents)
        await self._insert(self._by_partition((a["_id"], a) for a in aliases), self.aliases)
        return inserted

    def _by_partition(self, keyed: Iterable[tuple[str, Any]]) -> dict[int, list[Any]]:
        return _by_partition(keyed, self.partitions)

    async def _bulk(self, ops: dict[int, list[Any]], collection: Any) -> list[BulkWriteCounts]:
        async def one(keyed: list[Any]) -> BulkWriteCounts:
            async with self._write:
                return await bulk_write_chunked(collection(keyed[0][0]), [op for _, op in keyed])

        return list(await asyncio.gather(*(one(group) for group in ops.values())))

    async def _insert(self, groups: dict[int, list[Any]], collection: Any) -> int:
        async def one(keyed: list[Any]) -> int:
            target, docs = collection(keyed[0][0]), [doc for _, doc in keyed]
            async with self._write:
                try:
                    return len((await target.insert_many(docs, ordered=False)).inserted_ids)
                except BulkWriteError as error:
                    if _other_errors(error):
                        raise
                    again = [docs[e["index"]] for e in error.details["writeErrors"]]
                    await bulk_write_chunked(target, [ReplaceOne({"_id": d["_id"]}, d)
                                                      for d in again])
                    return int(error.details["nInserted"])

        return sum(await asyncio.gather(*(one(group) for group in groups.values())))

    async def add_verifications(self, docs: Sequence[Document]) -> list[Document]:
        """Insert new verifications; those already stored (a replay) are left as they are.
        Returns the documents that were new."""
        new = await insert_new(self.verifications, list(docs))
        return [doc for doc in docs if doc["_id"] in new]

    async def replace_verification(self, doc: Document) -> None:
        """A later verdict for the same declaration, with its own event to publish."""
        await self.verifications.replace_one({"_id": doc["_id"]}, doc)

    async def count_verdicts(self, increments: dict[str, int]) -> None:
        if increments:
            await self.counters.update_one({"_id": "verifications"}, {"$inc": increments},
                                           upsert=True)

    async def verdict_counts(self) -> Document:
        return await self.counters.find_one({"_id": "verifications"}, {"_id": 0}) or {}

    async def registry_size(self) -> tuple[int, int]:
        """(residents, CMND aliases), from collection metadata, without scanning."""
        async def size(name: str) -> int:
            async with self._read:
                return await self.db[name].estimated_document_count()

        names = [f"{kind}_{p}" for kind in ("residents", "cmnd") for p in range(self.partitions)]
        sizes = await asyncio.gather(*(size(n) for n in names))
        return sum(sizes[:self.partitions]), sum(sizes[self.partitions:])

    async def verification(self, declaration_id: str) -> Document | None:
        return await self.verifications.find_one({"_id": declaration_id}, {"outbox": 0})


def _by_partition(keyed: Iterable[tuple[str, Any]], partitions: int) -> dict[int, list[Any]]:
    groups: dict[int, list[Any]] = {}
    for key, item in keyed:
        groups.setdefault(partition_of(key, partitions), []).append((key, item))
    return groups


def _other_errors(error: BulkWriteError) -> bool:
    return any(e["code"] != DUPLICATE_KEY for e in error.details["writeErrors"])
