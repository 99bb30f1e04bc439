"""Writes that keep the latest of what events say, on the store the tests run against:
the shared helpers of libs/runtime/mongo.py and the reveal grants that work the same way."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import AsyncMongoClient, monitoring

from libs.runtime.group_commit import GroupedInserts
from libs.runtime.mongo import upsert_if_later, upsert_many_if_later
from services.declaration.domain.records import Grant, GrantKey, GrantKind
from services.declaration.store.reveals import RevealStore
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


async def test_a_reveal_grant_is_brought_forward_never_back(env: ServerSlice) -> None:
    async with AsyncMongoClient[dict[str, Any]](env.servers.mongo_url, tz_aware=True) as client:
        db = client[env.db_name("grants")]
        store = RevealStore(db)
        key = GrantKey("subject-1", GrantKind.ward, "00070")
        at = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
        try:
            for moment, grounds in ((at, "ward 00070: notified"),
                                    (at - timedelta(days=1), "an older event, redelivered"),
                                    (at, "the same time again"),
                                    (at + timedelta(hours=1), "ward 00070: follow-up")):
                await store.grant(Grant(key=key, last_at=moment, grounds=grounds))
                if moment == at:
                    held = await store.grants_of([key])
                    assert [g.grounds for g in held] == ["ward 00070: notified"]
            latest = await store.grants_of([GrantKey("nobody", GrantKind.ward, "00070"), key])
        finally:
            await client.drop_database(db.name)
    assert [(g.last_at, g.grounds) for g in latest] == [(at + timedelta(hours=1),
                                                          "ward 00070: follow-up")]


async def test_concurrent_inserts_share_one_command_and_each_hears_its_own_answer(
        env: ServerSlice) -> None:
    commands: list[str] = []

    class Inserts(monitoring.CommandListener):
        def started(self, event: monitoring.CommandStartedEvent) -> None:
            if event.command_name == "insert":
                commands.append(event.command_name)

        def succeeded(self, event: monitoring.CommandSucceededEvent) -> None: ...

        def failed(self, event: monitoring.CommandFailedEvent) -> None: ...

    async with AsyncMongoClient[dict[str, Any]](env.servers.mongo_url,
                                                event_listeners=[Inserts()]) as client:
        db = client[env.db_name("grouped")]
        scans = db["scans"]
        await scans.insert_one({"_id": "retried", "n": 0})
        commands.clear()
        grouped = GroupedInserts(scans, window_s=0.05)
        try:
            answers = await asyncio.gather(*(grouped.insert_once({"_id": _id, "n": n}) for n, _id in
                                             enumerate(["a", "b", "retried", "c", "a"], 1)))
            stored = {d["_id"]: d["n"] for d in await scans.find().to_list()}
        finally:
            await client.drop_database(db.name)
    assert answers == [True, True, False, True, False]  # "a" twice in one group: the first
    assert stored == {"retried": 0, "a": 1, "b": 2, "c": 4}
    assert commands == ["insert"]
