"""Retention: the purge removes movements past the retention period and nothing younger;
the audit log is kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import AsyncMongoClient

from libs.runtime.auth import Role
from services.movement_trace.app import build
from services.movement_trace.domain.movements import day_key
from services.movement_trace.settings import Settings
from services.movement_trace.store.cases import CaseStore
from services.movement_trace.store.purge import purge_once
from services.movement_trace.store.trace import TraceStore
from synthetic.scenario import generate
from tests.conftest import ServerSlice
from tests.support.apps import running
from tests.support.kafka import eventually
from tests.support.tokens import bearer


async def test_purge_removes_only_what_is_old(env: ServerSlice) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    scenario = generate(seed=21, citizens=8, days=3, places=4, start=now - timedelta(days=3),
                        journey_share=0.5, passengers=1)
    count = await env.publish_scenario(scenario)
    settings = env.settings(Settings)
    async with running(build(settings)) as api, \
            AsyncMongoClient[dict[str, Any]](env.servers.mongo_url, tz_aware=True) as client:
        db = client[settings.mongo_db]

        async def projected() -> bool:
            return await db["movements"].count_documents({}) >= count

        await eventually(projected, timeout_s=90)
        audited = await api.get("/v1/timeline", params={
            "subject_id": scenario.citizens[0].subject_id, "purpose": "before purge"},
            headers=bearer(Role.epidemiologist, who='epi'))
        assert audited.status_code == 200
        before = await db["movements"].find({}, {"at": 1}).to_list()
        weeks_before = {d["_id"]: d for d in await db["subject_weeks"].find({}).to_list()}
        journeys_before = {d["_id"]: d["day"] for d in await db["journeys"].find({}, {"day": 1}).to_list()}
        # Pretend it is 28 days after the middle of the scenario.
        later = now - timedelta(days=1, hours=12) + timedelta(days=28)
        cutoff = later - timedelta(days=28)
        deleted = await purge_once(TraceStore(db), CaseStore(db), settings, now=later)
        after = await db["movements"].find({}, {"at": 1}).to_list()
        weeks_after = {d["_id"]: d for d in await db["subject_weeks"].find({}).to_list()}
        journeys_after = {d["_id"] for d in await db["journeys"].find({}, {"_id": 1}).to_list()}
        audit = await db["audit"].count_documents({})
    old = {d["_id"] for d in before if d["at"] < cutoff}
    assert old and len(old) < len(before)
    assert {d["_id"] for d in after} == {d["_id"] for d in before} - old
    assert deleted["movements"] == len(old)
    # A person's week keeps only its entries within the window, and goes once it has none
    # (its `_id` names the person): exact to the purge, not to the bucket's Sunday.
    kept = {k: [e for e in week["m"] if e["at"] >= cutoff] for k, week in weeks_before.items()}
    assert any(len(entries) < len(weeks_before[k]["m"]) for k, entries in kept.items() if entries)
    assert {k: week["m"] for k, week in weeks_after.items()} == \
        {k: entries for k, entries in kept.items() if entries}
    # Journeys go whole after their day, like the other buckets.
    assert journeys_before and journeys_after == {
        k for k, day in journeys_before.items() if day >= day_key(cutoff)}
    assert deleted["journeys"] == len(journeys_before) - len(journeys_after)
    assert audit == 1 and deleted["audit"] == 0
