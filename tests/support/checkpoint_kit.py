"""Helpers for the checkpoint service's tests: the service in-process with QR keys of
the test's own (real Ed25519 signatures), events to publish, tokens to scan."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from libs.contracts.envelope import Envelope, new_event_id, parse_event
from libs.contracts.topics import CHECKPOINT_PASSED, CHECKPOINT_REFUSED
from libs.runtime.auth import Role
from services.checkpoint.app import build
from services.checkpoint.settings import Settings
from tests.conftest import ServerSlice
from tests.support.apps import running
from tests.support.checkpoint_samples import Keys as Keys
from tests.support.checkpoint_samples import declaration as declaration
from tests.support.checkpoint_samples import rejected as rejected
from tests.support.checkpoint_samples import vehicle as vehicle
from tests.support.checkpoint_samples import verified as verified
from tests.support.kafka import eventually
from tests.support.samples import HOAN_KIEM
from tests.support.tokens import bearer

ROAD = "cp-test-road"
MARKET = "cp-test-market"
MARKET_2 = "cp-test-market-2"
DEPOT = "cp-test-depot"
NOI_BAI = "00433"  # Xã Nội Bài, Hà Nội


def settings(env: ServerSlice, **overrides: Any) -> Settings:
    return env.settings(Settings, **{"keys_min_refresh_s": 0.0, "zone_cache_s": 0.0, **overrides})


@asynccontextmanager
async def checkpoint_service(env: ServerSlice, keys: Keys, **overrides: Any
                             ) -> AsyncIterator[httpx.AsyncClient]:
    app = build(settings(env, **overrides), key_source=keys.source)
    async with running(app) as client:
        client.app = app  # type: ignore[attr-defined]
        yield client


ADMIN = bearer(Role.admin, who="admin-1")
OFFICER = bearer(Role.officer, [ROAD, MARKET, MARKET_2, DEPOT], who="officer-7")


async def add_checkpoints(client: httpx.AsyncClient) -> None:
    for checkpoint_id, kind, name in [(ROAD, "road", "Chốt QL1 test"),
                                      (MARKET, "market", "Chợ test"),
                                      (MARKET_2, "supermarket", "Siêu thị test"),
                                      (DEPOT, "depot", "Kho test")]:
        answer = await client.put(f"/v1/checkpoints/{checkpoint_id}", headers=ADMIN, json={
            "name": name, "kind": kind, "ward_code": HOAN_KIEM,
            "latitude": 21.03, "longitude": 105.85})
        assert answer.status_code in (200, 201), answer.text



def scan_id() -> str:
    return new_event_id()


async def passages_on(env: ServerSlice, at_least: int, *, settle_s: float = 1.0,
                      timeout_s: float = 30.0) -> list[Envelope[Any]]:
    """Every checkpoint.passed and checkpoint.refused of this test, once `at_least`
    arrived, reading `settle_s` longer to catch duplicates."""
    consumer = AIOKafkaConsumer(env.topics(CHECKPOINT_PASSED), env.topics(CHECKPOINT_REFUSED),
                                bootstrap_servers=env.servers.kafka_bootstrap, group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    found: list[Envelope[Any]] = []
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                found += [parse_event(r.value) for r in records]
            if len(found) >= at_least:
                deadline = min(deadline, time.monotonic() + settle_s)
    finally:
        await consumer.stop()
    return found


def decided(env_events: list[Envelope[Any]], subject_id: str) -> list[tuple[str, str, str]]:
    """(checkpoint, direction, officer) of one person's passages, in time order."""
    mine = sorted((e for e in env_events if e.payload.subject_id == subject_id),
                  key=lambda e: (e.payload.at, e.payload.direction != "out"))
    return [(e.payload.checkpoint_id, e.payload.direction, e.payload.officer_id) for e in mine]


async def caught_up(env: ServerSlice, *topics: str, group: str | None = None) -> None:
    """Wait until the service's consumer group committed everything on `topics`."""
    admin = AIOKafkaAdminClient(bootstrap_servers=env.servers.kafka_bootstrap)
    probe = AIOKafkaConsumer(bootstrap_servers=env.servers.kafka_bootstrap)
    await admin.start()
    await probe.start()
    try:
        described = await admin.describe_topics([env.topics(t) for t in topics])
        parts = [TopicPartition(t["topic"], p["partition"]) for t in described
                 for p in t["partitions"]]
        assert len(parts) >= len(topics), described
        ends = await probe.end_offsets(parts)

        async def done() -> bool:
            committed = await admin.list_consumer_group_offsets(
                group or f"{env.prefix}checkpoint")
            return all(ends[tp] == 0 or (tp in committed and committed[tp].offset >= ends[tp])
                       for tp in parts)

        await eventually(done)
    finally:
        await probe.stop()
        await admin.close()
