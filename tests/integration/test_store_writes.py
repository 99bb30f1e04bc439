"""The shared write helpers of libs/runtime/mongo.py on the store the tests run against."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient

from libs.runtime.mongo import upsert_if_later, upsert_many_if_later
from tests.conftest import ServerSlice


async def test_a_batch_of_upserts_keeps_the_latest_key_of_each_document(env: ServerSlice) -> None:
    async with AsyncMongoClient[dict[str, Any]](env.servers.mongo_url) as client:
        db = client[env.db_name("upserts")]
        stays = db["stays"]
        try:
            await upsert_if_later(stays, "older-there", "2026-12-01|a", {"ward_code": "00070"})
            await upsert_if_later(stays, "newer-there", "2026-12-09|b", {"ward_code": "00073"})
            changed = await upsert_many_if_later(stays, {
                "older-there": ("2026-12-05|c", {"ward_code": "26734"}),  # later: replaces
                "newer-there": ("2026-12-05|d", {"ward_code": "26734"}),  # earlier: kept out
                "new": ("2026-12-05|e", {"ward_code": "00004"}),  # not there: inserted
            })
            again = await upsert_many_if_later(stays, {  # a redelivered batch
                "older-there": ("2026-12-05|c", {"ward_code": "26734"}),
                "new": ("2026-12-05|e", {"ward_code": "00004"})})
            stored = {d["_id"]: (d["key"], d["ward_code"]) for d in await stays.find().to_list()}
        finally:
            await client.drop_database(db.name)
    assert changed == {"older-there", "new"}
    assert again == set()
    assert stored == {"older-there": ("2026-12-05|c", "26734"),
                      "newer-there": ("2026-12-09|b", "00073"),
                      "new": ("2026-12-05|e", "00004")}


async def test_one_upsert_keeps_the_latest_key(env: ServerSlice) -> None:
    async with AsyncMongoClient[dict[str, Any]](env.servers.mongo_url) as client:
        db = client[env.db_name("upsert_one")]
        zones = db["zones"]
        try:
            answers = [await upsert_if_later(zones, "00070", key, {"level": level})
                       for key, level in (("2026-12-05|b", 2), ("2026-12-04|a", 4),  # older
                                          ("2026-12-05|b", 3),  # the same event again
                                          ("2026-12-06|c", 1))]
            stored = await zones.find_one({"_id": "00070"})
        finally:
            await client.drop_database(db.name)
    assert answers == [True, False, False, True]
    assert stored == {"_id": "00070", "level": 1, "key": "2026-12-06|c"}
