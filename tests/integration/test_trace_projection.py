"""The projection on the real topics and store: every consumed event type, no personal
data, redelivered and out-of-order events, poison to the DLQ, the timeline."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from pymongo import AsyncMongoClient

from libs.contracts.events.checkpoint import CheckpointKind
from libs.contracts.topics import CHECKPOINT_PASSED, dlq
from libs.runtime.auth import Role
from services.movement_trace.app import build
from services.movement_trace.settings import Settings
from synthetic.scenario import Place, Scenario
from tests.conftest import ServerSlice
from tests.support.apps import running
from tests.support.kafka import eventually, read_topic
from tests.support.tokens import bearer

EPI = bearer(Role.epidemiologist, who='epi-projection')
VENUE = Place("cp-market-1", CheckpointKind.market, "00070")


def _small_world(now: datetime) -> Scenario:
    scenario = Scenario(now - timedelta(hours=5), 1, [VENUE])
    person = scenario.add_citizen("00070", "26506")
    scenario.visit(person, VENUE, now - timedelta(hours=3), now - timedelta(hours=2))
    return scenario


async def _send(bootstrap: str, records: list[tuple[str, bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for topic, key, value in records:
            await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


async def test_every_event_type_becomes_one_movement_without_personal_data(env: ServerSlice) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    scenario = _small_world(now)
    person = scenario.citizens[0]
    events = list(scenario.events())
    # Out of order (the check-out first) and redelivered (everything twice), plus poison.
    records = [(env.topics(t), k.encode(), e.to_bytes()) for t, k, e in reversed(events)] * 2
    records.append((env.topics(CHECKPOINT_PASSED), b"x", b'{"not": "an event"}'))
    await _send(env.servers.kafka_bootstrap, records)
    settings = env.settings(Settings)
    async with running(build(settings)) as api, \
            AsyncMongoClient[dict[str, Any]](env.servers.mongo_url) as client:
        db = client[settings.mongo_db]

        async def all_stored() -> bool:
            return await db["movements"].count_documents({}) >= len(events)

        await eventually(all_stored, timeout_s=60)
        dead = await read_topic(env.servers.kafka_bootstrap, dlq(env.topics(CHECKPOINT_PASSED)))
        response = await api.get("/v1/timeline", headers=EPI, params={
            "subject_id": person.subject_id, "purpose": "projection test",
            "from": (now - timedelta(hours=6)).isoformat()})
        movements = await db["movements"].find({}).to_list()
        raw = movements + [d for name in ("subject_weeks", "place_hours")
                           for d in await db[name].find({}).to_list()]
    assert len(movements) == len(events)
    assert response.status_code == 200, response.text
    kinds = [m["kind"] for m in response.json()["movements"]]
    assert kinds == ["declared", "identity_verified", "ward_notified", "passed", "passed"]
    assert [m["direction"] for m in response.json()["movements"][3:]] == ["in", "out"]
    stored = json.dumps(raw, default=str)
    assert person.national_id not in stored and "Nguyễn" not in stored and "officer" not in stored
    assert len(dead) == 1 and dead[0].value == b'{"not": "an event"}'


async def test_events_older_than_retention_are_not_projected(env: ServerSlice) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    scenario = Scenario(now - timedelta(days=40), 1, [VENUE])
    person = scenario.add_citizen("00070", "26506")
    scenario.visit(person, VENUE, now - timedelta(days=30), now - timedelta(days=30, hours=-1))
    fresh = scenario.add_citizen("00070", "26506")
    scenario.visit(fresh, VENUE, now - timedelta(days=1), now - timedelta(hours=23))
    events = [(env.topics(t), k.encode(), e.to_bytes()) for t, k, e in scenario.events()]
    await _send(env.servers.kafka_bootstrap, events)
    settings = env.settings(Settings)
    async with running(build(settings)), \
            AsyncMongoClient[dict[str, Any]](env.servers.mongo_url, tz_aware=True) as client:
        movements = client[settings.mongo_db]["movements"]

        async def fresh_stored() -> bool:
            return await movements.count_documents({"subject_id": fresh.subject_id}) >= 2

        await eventually(fresh_stored, timeout_s=60)
        kept = await movements.find({}, {"at": 1}).to_list()
    # Declarations of 40 days ago and the 30-day-old visit are past the 28 days.
    assert kept and all(d["at"] >= now - timedelta(days=28) for d in kept)
    assert len(kept) == 2
