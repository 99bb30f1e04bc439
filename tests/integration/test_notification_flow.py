"""Events in, notifications out: on the real Kafka and store, through the real consumers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from pymongo import AsyncMongoClient

from libs.contracts.envelope import parse_event
from libs.contracts.topics import DECLARATION_SUBMITTED, WARD_NOTIFIED, dlq
from libs.runtime.auth import Role
from services.ward_notification.app import build
from services.ward_notification.settings import Settings
from tests.conftest import ServerSlice
from tests.support.apps import running
from tests.support.kafka import eventually, read_topic
from tests.support.notification_kit import BEN_THANH, declaration, passage, rejection
from tests.support.samples import HOAN_KIEM, VUNG_TAU
from tests.support.tokens import bearer

HANOI = bearer(Role.ward_official, [HOAN_KIEM])
VUNGTAU = bearer(Role.ward_official, [VUNG_TAU])
BOTH = bearer(Role.ward_official, [HOAN_KIEM, VUNG_TAU, BEN_THANH])


async def inbox(api: httpx.AsyncClient, headers: Mapping[str, str],
                **params: str) -> list[dict[str, Any]]:
    response = await api.get("/v1/notifications", headers=headers, params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_a_declaration_notifies_both_wards(env: ServerSlice) -> None:
    decl = declaration()
    declaration_id = decl.payload.declaration_id
    async with running(build(env.settings(Settings))) as api:
        await env.publish(decl)
        arriving = await eventually(lambda: inbox(api, VUNGTAU))
        departing = await eventually(lambda: inbox(api, HANOI))

        assert [n["reason"] for n in arriving] == ["arriving"]
        assert [n["reason"] for n in departing] == ["departing"]
        assert arriving[0]["declaration_id"] == departing[0]["declaration_id"] == declaration_id
        assert arriving[0]["detail"]["origin_ward"] == HOAN_KIEM
        assert departing[0]["detail"]["destination_ward"] == VUNG_TAU
        text = json.dumps(arriving + departing, ensure_ascii=False)
        assert "Nguyễn" not in text and "001085012345" not in text  # no names, no ID numbers

        records = await read_topic(env.servers.kafka_bootstrap, env.topics(WARD_NOTIFIED),
                                   at_least=2, settle_s=1.0)
    events = sorted((parse_event(r.value).payload for r in records), key=lambda p: p.reason)
    assert [(e.reason, e.ward_code) for e in events] == [("arriving", VUNG_TAU),
                                                          ("departing", HOAN_KIEM)]
    assert sorted(r.key.decode() for r in records) == sorted([VUNG_TAU, HOAN_KIEM])


async def test_a_checkpoint_passage_notifies_the_destination(env: ServerSlice) -> None:
    decl = declaration()
    async with running(build(env.settings(Settings))) as api:
        await env.publish(decl, passage(decl))
        items = await eventually(lambda: inbox(api, VUNGTAU, reason="passed"))
    assert len(items) == 1
    assert items[0]["detail"]["checkpoint_id"] == "cp-hn-01"
    assert items[0]["detail"]["expected_date"] == decl.payload.trip.departure_date.isoformat()


async def test_redelivered_events_create_no_duplicates(env: ServerSlice) -> None:
    decl = declaration()
    first_pass = passage(decl, "p-1", "cp-hn-01")
    second_checkpoint = passage(decl, "p-2", "cp-hn-02")
    async with running(build(env.settings(Settings))) as api:
        # Every event three times, as a redelivery or a replay would bring them.
        await env.publish(decl, decl, first_pass, first_pass, decl, first_pass, second_checkpoint)

        async def settled() -> bool:
            items = await inbox(api, BOTH)
            passed = [n for n in items if n["reason"] == "passed"]
            return len(items) == 3 and bool(passed) and len(passed[0]["facts"]) == 2

        await eventually(settled, timeout_s=60)  # a busy machine: the group join is slow
        items = await inbox(api, BOTH)
        records = await read_topic(env.servers.kafka_bootstrap, env.topics(WARD_NOTIFIED),
                                   at_least=3, settle_s=2.0)

    assert sorted(n["reason"] for n in items) == ["arriving", "departing", "passed"]
    passed = next(n for n in items if n["reason"] == "passed")
    assert [f["fact_id"] for f in passed["facts"]] == ["p-1", "p-2"]  # one notification, 2 facts
    # One ward.notified per notification, whatever the redeliveries. The outbox relay is
    # at-least-once (a mark FerretDB loses to a concurrent fact means a second send of the
    # same event), and consumers deduplicate on event_id: count events, not records.
    published = [parse_event(r.value) for r in records]
    assert len({e.event_id for e in published}) == 3
    assert sorted({e.payload.reason for e in published}) == ["arriving", "departing", "passed"]


async def test_events_before_their_declaration_wait_for_it(env: ServerSlice) -> None:
    """Topics are not ordered with each other: the passage and the rejection come first."""
    decl = declaration(current=BEN_THANH)
    async with running(build(env.settings(Settings))) as api:
        rejected = rejection(decl)
        await env.publish(passage(decl), rejected, passage(decl, "p-9", refused="symptoms"))
        await eventually(lambda: _parked(env, decl.payload.declaration_id))
        assert await inbox(api, BOTH) == []
        await env.publish(decl)

        async def all_four() -> list[dict[str, Any]]:
            items = await inbox(api, BOTH)
            alerts = [n for n in items if n["reason"] == "alert"]
            return items if len(items) == 4 and alerts and len(alerts[0]["facts"]) == 2 else []

        items = await eventually(all_four)
    by_reason = {n["reason"]: n for n in items}
    assert set(by_reason) == {"arriving", "departing", "passed", "alert"}
    alert = by_reason["alert"]
    assert alert["ward_code"] == BEN_THANH  # the ward of current stay
    # One alert (same subject, declaration, ward, reason), both causes kept as its facts.
    assert sorted(f["fact_id"] for f in alert["facts"]) == sorted(["p-9", rejected.event_id])


async def _parked(env: ServerSlice, declaration_id: str) -> bool:
    async with AsyncMongoClient[dict[str, Any]](env.servers.mongo_url) as client:
        parked = client[env.db_name("ward-notification")]["parked_events"]
        return await parked.count_documents({"declaration_id": declaration_id}) == 3


async def test_poison_events_are_dead_lettered_and_the_flow_goes_on(env: ServerSlice) -> None:
    good = declaration()
    not_json = b'{"event_id": "x", "type": "declaration.submitted", '
    wrong_ward = good.model_dump(mode="json")
    wrong_ward["payload"]["trip"]["destination_ward"] = "99999"
    async with running(build(env.settings(Settings))) as api:
        producer = AIOKafkaProducer(bootstrap_servers=env.servers.kafka_bootstrap)
        await producer.start()
        try:
            for value in (not_json, json.dumps(wrong_ward).encode()):
                await producer.send_and_wait(env.topics(DECLARATION_SUBMITTED), value, key=b"k")
        finally:
            await producer.stop()
        await env.publish(good)
        arriving = await eventually(lambda: inbox(api, VUNGTAU))
        dead = await read_topic(env.servers.kafka_bootstrap,
                                dlq(env.topics(DECLARATION_SUBMITTED)), at_least=2)
    assert [n["declaration_id"] for n in arriving] == [good.payload.declaration_id]
    assert sorted(r.value for r in dead) == sorted([not_json, json.dumps(wrong_ward).encode()])
