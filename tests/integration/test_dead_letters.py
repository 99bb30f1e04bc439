"""Poison messages go to `<topic>.dlq` with the error and attempt count; the partition keeps flowing."""

from __future__ import annotations

import json
from typing import Any

from aiokafka import AIOKafkaProducer

from libs.contracts.envelope import Envelope, utcnow
from libs.contracts.events.notification import ZoneLevelChanged
from libs.contracts.topics import ZONE_LEVEL_CHANGED, dlq
from libs.runtime.kafka import make_broker
from libs.runtime.settings import ServiceSettings
from libs.runtime.subscription import subscribe_all
from tests.conftest import ServerSlice
from tests.support.kafka import eventually, read_topic

CURSED_WARD = "00073"  # the handler below always fails for this ward


def zone_bytes(ward: str, **overrides: Any) -> bytes:
    event = Envelope.wrap(ZoneLevelChanged(ward_code=ward, level=3, effective_at=utcnow(),
                                           set_by="test"), producer="test")
    return json.dumps({**json.loads(event.to_bytes()), **overrides}).encode()


async def test_poison_messages_are_dead_lettered_and_the_partition_flows(env: ServerSlice) -> None:
    settings = env.settings(ServiceSettings, service_name="dlq-test", consumer_max_attempts=3)
    handled: list[str] = []

    async def on_zone(event: Envelope[Any]) -> None:
        if event.payload.ward_code == CURSED_WARD:
            raise RuntimeError("this handler has a bug")
        handled.append(event.payload.ward_code)

    broker = make_broker(settings)
    subscribe_all(broker, settings, {ZoneLevelChanged: on_zone})
    topic = env.topics(ZONE_LEVEL_CHANGED)
    poison = {
        "not_json": b"\xff{not json",
        "wrong_schema": zone_bytes("00070", payload={"ward_code": "00070", "level": "purple"}),
        "unknown_version": zone_bytes("00070", version=99),
        "always_fails": zone_bytes(CURSED_WARD),
    }
    producer = AIOKafkaProducer(bootstrap_servers=env.servers.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        # One key, so every message lands in the same partition, in this order.
        for value in [*poison.values(), zone_bytes("00070")]:
            await producer.send_and_wait(topic, value, key=b"same-partition")
    finally:
        await producer.stop()

    await broker.start()
    try:
        async def good_one_handled() -> bool:
            return handled == ["00070"]

        await eventually(good_one_handled)
        dead = await read_topic(env.servers.kafka_bootstrap, dlq(topic), at_least=4, settle_s=0.5)
    finally:
        await broker.stop()

    assert [record.value for record in dead] == list(poison.values())
    headers = [{k: v.decode() for k, v in record.headers} for record in dead]
    assert all(h["x-original-topic"] == topic for h in headers)
    assert [h["x-attempts"] for h in headers] == ["1", "1", "1", "3"]
    assert "RuntimeError: this handler has a bug" in headers[3]["x-error"]
    assert "99" in headers[2]["x-error"]
