"""The population registry's collections:

- `residents_P` (P = CCCD mod the partition count): the registry, `_id` = CCCD;
- `cmnd_P`: old CMND number -> CCCD, `_id` = CMND (a lookup is one `_id` equality);
- `meta`: the registry's layout (its partition count, fixed by the first load).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from pymongo import ReplaceOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from libs.contracts.values import Gender
from libs.runtime.mongo import DUPLICATE_KEY, BulkWriteCounts, Document, bulk_write_chunked
from services.identity_verification.domain.records import Upserted
from services.identity_verification.domain.residents import Resident, Status

# Lookups run side by side; writes go one at a time, because concurrent writers to one
# FerretDB SQLite database wait on its lock and were five times slower in total.
READERS, WRITERS = 8, 1
# The registry is split into N collections by `int(key) % N`, N fixed when it is first
# loaded. FerretDB v1 (SQLite) scans a whole table even for an `_id` lookup (its `_id`
# index is on another SQL expression than its queries use), so a lookup costs in
# proportion to the collection's size; more partitions keep that small.
DEFAULT_PARTITIONS = 100


def partition_of(key: str, partitions: int) -> int:
    return int(key) % partitions


def document_of(resident: Resident) -> Document:
    doc = resident.model_dump(mode="json", exclude_none=True)
    # `_id` first, as the store keeps it: an identical replacement then counts as unchanged.
    return {"_id": doc.pop("national_id"), **doc}


def resident_from(doc: Document) -> Resident:
    """A stored document back to the model (stored data was validated on the way in)."""
    return Resident.model_construct(
        national_id=doc["_id"], full_name=doc["full_name"],
        date_of_birth=date.fromisoformat(doc["date_of_birth"]), gender=Gender(doc["gender"]),
        permanent_ward=doc["permanent_ward"], temporary_ward=doc.get("temporary_ward"),
        cmnd=doc.get("cmnd"), status=Status(doc.get("status", Status.living)))


class LayoutConflict(RuntimeError):
    """The registry was already laid out with another partition count."""


class RegistryStore:
    def __init__(self, db: AsyncDatabase[Document],
                 partitions: int = DEFAULT_PARTITIONS) -> None:
        self.db = db
        self.partitions = partitions
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
            (r.national_id, ReplaceOne({"_id": r.national_id}, document_of(r), upsert=True))
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

    async def load_fresh(self, rows: Sequence[Mapping[str, str]]) -> int:
        """Fast path for a generated population (rows as the generator writes them): plain
        unordered inserts, and a replace only for the rows that were already there (a
        second load of the same seed)."""
        docs = [{"_id": row["national_id"], **{k: v for k, v in row.items()
                                               if k != "national_id"}} for row in rows]
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

    async def registry_size(self) -> tuple[int, int]:
        """(residents, CMND aliases), from collection metadata, without scanning."""
        async def size(name: str) -> int:
            async with self._read:
                return await self.db[name].estimated_document_count()

        names = [f"{kind}_{p}" for kind in ("residents", "cmnd") for p in range(self.partitions)]
        sizes = await asyncio.gather(*(size(n) for n in names))
        return sum(sizes[:self.partitions]), sum(sizes[self.partitions:])


def _by_partition(keyed: Iterable[tuple[str, Any]], partitions: int) -> dict[int, list[Any]]:
    groups: dict[int, list[Any]] = {}
    for key, item in keyed:
        groups.setdefault(partition_of(key, partitions), []).append((key, item))
    return groups


def _other_errors(error: BulkWriteError) -> bool:
    return any(e["code"] != DUPLICATE_KEY for e in error.details["writeErrors"])
