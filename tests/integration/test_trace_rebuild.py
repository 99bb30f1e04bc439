"""Rebuild from the log: the rebuilt generation equals the live one, the old one serves
meanwhile, events arriving during the replay are not lost, one rebuild at a time."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from libs.runtime.auth import Role
from services.movement_trace.app import build
from services.movement_trace.settings import Settings
from services.movement_trace.store.generation import BUCKET_FIELD, GenerationStore, collection_names
from synthetic.scenario import generate
from tests.conftest import ServerSlice
from tests.support.apps import running
from tests.support.kafka import eventually
from tests.support.tokens import bearer

ADMIN = bearer(Role.admin, who='admin-1')
EPI = bearer(Role.epidemiologist, who='epi-1')


async def snapshot(db: AsyncDatabase[dict[str, Any]], generation: int) -> dict[str, Any]:
    """A generation's content, independent of insertion order."""
    names = collection_names(generation)
    # `tally` names the write that counted the movement: another writer's in each generation.
    result: dict[str, Any] = {"movements": sorted(
        json.dumps({k: v for k, v in d.items() if k != "tally"}, sort_keys=True, default=str)
        for d in await db[names["movements"]].find().to_list())}
    # The dashboard's counters are rebuilt with the rest and count the same.
    days = sorted({d["day"] for d in await db[names["tallies"]].find({}, {"day": 1}).to_list()})
    result["tallies"] = await GenerationStore(db, generation).day_tallies(days)
    for kind, field in BUCKET_FIELD.items():
        result[kind] = {d["_id"]: sorted(json.dumps(e, sort_keys=True, default=str) for e in d[field])
                        for d in await db[names[kind]].find().to_list()}
    return result


async def _status(api: httpx.AsyncClient) -> dict[str, Any]:
    response = await api.get("/v1/admin/rebuild", headers=ADMIN)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_rebuild_equals_live_while_the_old_view_serves(env: ServerSlice) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    # A third of the people ride a flight, train or coach: the journeys are rebuilt too.
    first = generate(seed=11, citizens=12, days=2, places=6, start=now - timedelta(days=2),
                     journey_share=1 / 3, passengers=2)
    late = generate(seed=12, citizens=3, days=1, places=3, start=now - timedelta(days=1))
    settings = env.settings(Settings, generation_refresh_s=0.2)
    count = await env.publish_scenario(first)
    async with running(build(settings)) as api, \
            AsyncMongoClient[dict[str, Any]](env.servers.mongo_url, tz_aware=True) as client:
        db = client[settings.mongo_db]

        async def projected(n: int = count) -> bool:
            return await db["movements"].count_documents({}) >= n

        await eventually(projected, timeout_s=120)
        assert (await api.post("/v1/admin/rebuild", headers=EPI)).status_code == 403
        started = await api.post("/v1/admin/rebuild", headers=ADMIN)
        assert started.status_code == 202, started.text
        again = await api.post("/v1/admin/rebuild", headers=ADMIN)
        assert again.status_code == 409 and again.json()["error"]["code"] == "rebuild_running"
        # Events that arrive while the replay runs, and a query served by the old view.
        count += await env.publish_scenario(late)
        served = await api.get("/v1/timeline", headers=EPI, params={
            "subject_id": first.citizens[0].subject_id, "purpose": "during rebuild"})
        assert served.status_code == 200 and served.json()["movements"]

        async def done() -> dict[str, Any] | None:
            status = await _status(api)
            return status if status["state"] in ("done", "failed") else None

        status = await eventually(done, timeout_s=120)
        await eventually(projected, timeout_s=60)
        await asyncio.sleep(0.5)  # the live consumer's last writes land in both generations
        live, rebuilt = await snapshot(db, 0), await snapshot(db, 1)
    assert status["state"] == "done" and status["error"] is None
    assert status["active_generation"] == 1 and status["generation"] == 1
    assert status["report"]["events"] >= count - len(late.citizens) * 3 and \
        status["report"]["events_per_s"] > 0
    assert len(rebuilt["movements"]) == count
    assert rebuilt["journeys"] and rebuilt["tallies"] and rebuilt == live


async def test_rebuild_command_line_switches_and_drops_older_generations(env: ServerSlice) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    scenario = generate(seed=13, citizens=5, days=1, places=3, start=now - timedelta(days=1))
    count = await env.publish_scenario(scenario)
    settings = env.settings(Settings, generation_refresh_s=0.2)
    environ = {**os.environ, "KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
               "MONGO_URL": settings.mongo_url, "KHAIBAO_TOPIC_PREFIX": settings.topic_prefix,
               "TRACE_MONGO_DB": settings.mongo_db, "TRACE_GENERATION_REFRESH_S": "0.2",
               "LOG_LEVEL": "WARNING"}
    reports = []
    for _ in range(3):
        done = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-m", "services.movement_trace.rebuild"], env=environ,
            capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        reports.append(json.loads(done.stdout.strip().splitlines()[-1]))
    async with AsyncMongoClient[dict[str, Any]](env.servers.mongo_url) as client:
        db = client[settings.mongo_db]
        names = set(await db.list_collection_names())
        pointer = await db["meta"].find_one({"_id": "generation"})
        kept = await db["movements_3"].count_documents({})
    assert [r["generation"] for r in reports] == [1, 2, 3]
    assert all(r["events"] == count and r["events_per_s"] > 0 for r in reports)
    assert pointer is not None and (pointer["active"], pointer["previous"]) == (3, 2)
    assert kept == count
    assert {"movements_2", "movements_3"} <= names and not {"movements", "movements_1"} & names
