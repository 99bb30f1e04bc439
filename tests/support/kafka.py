"""Reading topics directly, to check what services published."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord


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


async def eventually(check: Any, timeout_s: float = 20.0, interval_s: float = 0.2) -> Any:
    """Await `check()` until it returns something truthy; fail after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    last: Any = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval_s)
    raise AssertionError(f"condition not met within {timeout_s} s (last value: {last!r})")
