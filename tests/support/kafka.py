"""Talking to Kafka as another service would: publishing events onto a test's topics,
reading topics to check what the services published, redelivering records."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord

from libs.contracts.envelope import Envelope
from libs.contracts.topics import Topics
from synthetic.scenario import Scenario

JSON = [("content-type", b"application/json")]


def key_of(event: Envelope[Any]) -> str:
    """The key the producing service would give `event`: its subject (so one person's
    events stay in order on one partition), a vehicle's plate, else a fixed key."""
    payload = event.payload
    return str(getattr(payload, "subject_id", None) or getattr(payload, "plate", None) or "k")


async def produce(bootstrap: str, records: Iterable[tuple[str, str, bytes]]) -> int:
    """(topic, key, value) records, in order, each acknowledged by every replica before
    the call returns; how many were sent."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    count = 0
    try:
        for topic, key, value in records:
            await producer.send(topic, value, key=key.encode(), headers=JSON)
            count += 1
        await producer.flush()
    finally:
        await producer.stop()
    return count


async def publish(bootstrap: str, topics: Topics, *events: Envelope[Any],
                  key: str | None = None) -> int:
    """`events` onto the test's topics (`topics(event.type)`), keyed as their producers
    key them unless `key` is given."""
    return await produce(bootstrap, ((topics(e.type), key or key_of(e), e.to_bytes())
                                     for e in events))


async def publish_scenario(bootstrap: str, topics: Topics, scenario: Scenario) -> int:
    """Every event of a synthetic scenario, keyed as on the real topics; how many."""
    return await produce(bootstrap, ((topics(topic), key, envelope.to_bytes())
                                     for topic, key, envelope in scenario.events()))


async def read_topic(bootstrap: str, topic: str, *, at_least: int = 1,
                     timeout_s: float = 20.0, settle_s: float = 0.0) -> list[ConsumerRecord[Any, Any]]:
    """Every record of `topic` from the beginning, once `at_least` arrived (or time ran out).

    `settle_s` keeps reading that long after the count is reached, to catch duplicates.
    """
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False, group_id=None)
    await consumer.start()
    records: list[ConsumerRecord[Any, Any]] = []
    try:
        deadline = time.monotonic() + timeout_s
        settle_until: float | None = None
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for part in batch.values():
                records.extend(part)
            if len(records) >= at_least and settle_until is None:
                settle_until = time.monotonic() + settle_s
            if settle_until is not None and time.monotonic() >= settle_until:
                break
    finally:
        await consumer.stop()
    return records


async def redeliver(bootstrap: str, topic: str, records: list[ConsumerRecord[Any, Any]],
                    then: Any = None) -> None:
    """Send `records` to `topic` again, as a broker's redelivery would, each on its own key
    (so its partition); `then(record)`, when given, is sent right after each on the same
    key (a marker whose arrival shows the redelivery was consumed)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for record in records:
            await producer.send_and_wait(topic, record.value, key=record.key)
            if then is not None:
                await producer.send_and_wait(topic, then(record), key=record.key)
    finally:
        await producer.stop()


T = TypeVar("T")


async def eventually(check: Callable[[], Awaitable[T | None]], timeout_s: float = 20.0,
                     interval_s: float = 0.2) -> T:
    """Await `check()` until it returns something truthy, and return that (so never None);
    fail after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    last: T | None = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval_s)
    raise AssertionError(f"condition not met within {timeout_s} s (last value: {last!r})")
