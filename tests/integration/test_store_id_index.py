"""Lookups by `_id` use the `_id` index on the store the tests run against.

Every hot path of the services reads and writes by `_id` (buckets, outbox marks,
the registry). FerretDB 1.24 on SQLite scans whole tables for these unless the
stack's patch is compiled in (deploy/local/ferretdb/sqlite-index-pushdown.patch);
on MongoDB the query planner takes the `_id` fast path. Other indexed fields:
test_store_indexes.py.
"""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient

from tests.conftest import ServerSlice


async def test_a_find_by_id_is_answered_from_the_id_index(env: ServerSlice) -> None:
    async with AsyncMongoClient[dict[str, Any]](env.servers.mongo_url) as client:
        db = client[env.db_name("index_probe")]
        await db["docs"].insert_many([{"_id": f"k{i}", "v": i} for i in range(50)])
        try:
            explained = await db.command("explain", {"find": "docs", "filter": {"_id": "k7"}})
            found = await db["docs"].find_one({"_id": "k7"})
        finally:
            await client.drop_database(db.name)
    assert found == {"_id": "k7", "v": 7}
    plan = str(explained["queryPlanner"])
    if "ferretdbVersion" in explained.get("serverInfo", {}):
        assert "USING INDEX" in plan and "__id_" in plan, plan
    else:
        assert any(stage in plan for stage in ("IDHACK", "EXPRESS", "IXSCAN")), plan


async def test_a_find_by_a_list_of_ids_is_answered_from_the_id_index(env: ServerSlice) -> None:
    """The outbox relay reads the documents it was woken for with one `_id $in` command,
    and the trace a query's buckets (GenerationStore._buckets)."""
    async with AsyncMongoClient[dict[str, Any]](env.servers.mongo_url) as client:
        db = client[env.db_name("index_probe_in")]
        await db["docs"].insert_many([{"_id": f"k{i}", "v": i} for i in range(50)])
        wanted = {"_id": {"$in": ["k3", "k7", "k-missing"]}}
        try:
            explained = await db.command("explain", {"find": "docs", "filter": wanted})
            found = await db["docs"].find(wanted).sort("_id", 1).to_list()
        finally:
            await client.drop_database(db.name)
    assert found == [{"_id": "k3", "v": 3}, {"_id": "k7", "v": 7}]
    plan = str(explained["queryPlanner"])
    if "ferretdbVersion" in explained.get("serverInfo", {}):
        assert "USING INDEX" in plan and "__id_" in plan, plan
    else:
        assert "IXSCAN" in plan or "EXPRESS" in plan, plan
