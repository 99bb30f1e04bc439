"""Ward-notification figures on the local stack, with raw baselines from the same run.

    .venv/bin/python -m bench.notification_throughput [--declarations 400] [--webhooks 60]

1. Notifications per second: N `declaration.submitted` events are put on a fresh
   topic; the service (in-process, real Kafka and store) turns each into two
   notifications, stores them with their outbox and publishes `ward.notified`.
   Timed from the first publish until all 2N are stored and 2N events are out.
   Baselines: bare aiokafka produce+consume of N records, bare PyMongo inserts
   of 2N documents (one at a time, as the service writes them).
2. Webhook latency: M declarations with a subscription on a local receiver
   (127.0.0.1): notification stored → receiver's 2xx (the delivery log).
   Baseline: bare POSTs to the same receiver, each written in one send.

Prints a Markdown table (bench.common). Uses its own topics and database and removes them.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from asgi_lifespan import LifespanManager
from pymongo import AsyncMongoClient

from bench.common import Row, markdown_table, pct, rate
from libs.contracts.topics import DECLARATION_SUBMITTED, WARD_NOTIFIED, Topics
from libs.runtime.auth import Role
from libs.runtime.mongo import Document
from libs.runtime.topics_admin import delete_topics, ensure_topics
from services.ward_notification.app import build
from services.ward_notification.settings import Settings
from tests.support.notification_kit import Receiver, declaration, serving
from tests.support.samples import VUNG_TAU
from tests.support.tokens import bearer


async def _until(check: Callable[[], Awaitable[bool]], limit_s: float = 300) -> None:
    deadline = time.monotonic() + limit_s
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError("the service did not finish in time")
        await asyncio.sleep(0.5)  # each check is a scan on FerretDB: do not add load


async def _publish(bootstrap: str, topic: str, values: list[tuple[bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=2)
    await producer.start()
    try:
        await asyncio.gather(*[await producer.send(topic, v, key=k) for k, v in values])
    finally:
        await producer.stop()


async def _count_topic(bootstrap: str, topic: str, expected: int) -> int:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    seen, deadline = 0, time.monotonic() + 300
    try:
        while seen < expected and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            seen += sum(len(records) for records in batch.values())
    finally:
        await consumer.stop()
    return seen


async def service_rate(settings: Settings, n: int) -> tuple[float, float, int]:
    """Seconds until all 2n notifications are stored, until all 2n events are out; events seen."""
    events = [declaration(f"0010{i:08d}") for i in range(n)]
    values = [(e.payload.subject_id.encode(), e.to_bytes()) for e in events]
    topics = Topics(settings.topic_prefix)
    async with LifespanManager(build(settings), startup_timeout=120), \
            AsyncMongoClient[Document](settings.mongo_url) as client:
        notes = client[settings.mongo_db]["notifications"]
        started = time.perf_counter()
        await _publish(settings.kafka_bootstrap, topics(DECLARATION_SUBMITTED), values)
        await _until(lambda: _at_least(notes, 2 * n))
        stored = time.perf_counter() - started
        published = await _count_topic(settings.kafka_bootstrap, topics(WARD_NOTIFIED), 2 * n)
        return stored, time.perf_counter() - started, published


async def _at_least(collection: Any, n: int) -> bool:
    return bool(await collection.count_documents({}) >= n)


async def kafka_baseline(bootstrap: str, topic: str, n: int, size: int) -> float:
    """Produce n records and consume them with a consumer that was already running."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer.getmany(timeout_ms=500)  # joined and positioned before the clock starts
        started = time.perf_counter()
        await _publish(bootstrap, topic, [(str(i).encode(), b"x" * size) for i in range(n)])
        seen, deadline = 0, time.monotonic() + 120
        while seen < n and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            seen += sum(len(records) for records in batch.values())
        return time.perf_counter() - started
    finally:
        await consumer.stop()


async def mongo_baseline(url: str, db: str, n: int) -> float:
    async with AsyncMongoClient[Document](url) as client:
        collection = client[db]["baseline"]
        started = time.perf_counter()
        for i in range(n):
            await collection.insert_one({"_id": uuid.uuid4().hex, "ward_day": f"x:{i}",
                                         "detail": {"k": "v" * 200}, "outbox": [{"v": "x" * 600}]})
        return time.perf_counter() - started


async def webhook_latency(settings: Settings, m: int) -> tuple[list[float], list[float]]:
    receiver = Receiver()
    headers = bearer(Role.ward_official, [VUNG_TAU])
    topic = Topics(settings.topic_prefix)(DECLARATION_SUBMITTED)
    async with serving(receiver.app()) as hook_base, \
            LifespanManager(build(settings), startup_timeout=120) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as api:
            hook = (await api.post("/v1/webhooks", headers=headers, json={
                "ward_code": VUNG_TAU, "url": f"{hook_base}/hook"})).json()
            for i in range(m):  # one at a time: latency, not throughput
                event = declaration(f"0020{i:08d}")
                await _publish(settings.kafka_bootstrap, topic,
                               [(event.payload.subject_id.encode(), event.to_bytes())])
                await _until(partial(_received, receiver, i + 1), limit_s=120)
            log = (await api.get(f"/v1/webhooks/{hook['id']}/deliveries",
                                 headers=headers, params={"limit": 200})).json()
        raw = [await _raw_post(hook_base, 1200) for _ in range(m)]
    return [d["latency_ms"] for d in log if d["state"] == "delivered"], raw


async def _raw_post(base: str, size: int) -> float:
    """One POST written in a single send on a fresh connection: the receiver's own cost."""
    host, port = base.removeprefix("http://").split(":")
    request = (f"POST /hook HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\n"
               f"content-length: {size}\r\nconnection: close\r\n\r\n").encode() + b"x" * size
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(request)
    await reader.read()  # until the receiver closes
    writer.close()
    return (time.perf_counter() - started) * 1000


async def _received(receiver: Receiver, n: int) -> bool:
    return len(receiver.received) >= n


def _settings(prefix: str) -> Settings:
    return Settings(topic_prefix=prefix, env="test").model_copy(update={
        "mongo_db": f"{prefix.rstrip('.')}_notification", "outbox_poll_s": 0.2,
        "webhook_poll_s": 0.2, "feed_poll_s": 1.0,
        "webhook_allowed_hosts": "127.0.0.1"})  # the receiver runs here


async def main(n: int, m: int) -> list[Row]:
    run = uuid.uuid4().hex[:8]
    # Each measure on topics and a database of its own: no consumer group carries over.
    settings, hooks = _settings(f"bench{run}a."), _settings(f"bench{run}b.")
    names = [*Topics(settings.topic_prefix).all(), *Topics(hooks.topic_prefix).all(),
             settings.topic_prefix + "baseline"]
    await ensure_topics(settings.kafka_bootstrap, names, partitions=3)
    try:
        stored_s, out_s, published = await service_rate(settings, n)
        size = len(declaration().to_bytes())
        kafka_s = await kafka_baseline(settings.kafka_bootstrap, names[-1], n, size)
        mongo_s = await mongo_baseline(settings.mongo_url, settings.mongo_db, 2 * n)
        hook_ms, raw_ms = await webhook_latency(hooks, m)
    finally:
        await delete_topics(settings.kafka_bootstrap, names)
        async with AsyncMongoClient[Document](settings.mongo_url) as client:
            for db in (settings.mongo_db, hooks.mongo_db):
                await client.drop_database(db)
    return [
        Row("ward-notification: declarations → notifications stored",
            f"{rate(2 * n, stored_s, ' notifications/s')} ({2 * n} in {stored_s:.1f} s)",
            f"bare PyMongo insert_one {rate(2 * n, mongo_s, ' docs/s')}; bare aiokafka "
            f"produce+consume {rate(n, kafka_s, ' records/s')} ({size} B)"),
        Row("ward-notification: … and every ward.notified published (outbox relay)",
            f"{rate(published, out_s, ' events/s')} ({published} of {2 * n} in {out_s:.1f} s)",
            "same baselines"),
        Row(f"ward-notification: webhook latency, stored → receiver 2xx (n={len(hook_ms)})",
            f"p50 {statistics.median(hook_ms):.0f} ms, p95 {pct(hook_ms, .95):.0f} ms, "
            f"max {max(hook_ms):.0f} ms",
            f"bare POST (one write, new connection) to the same receiver p50 "
            f"{statistics.median(raw_ms):.1f} ms, "
            f"p95 {pct(raw_ms, .95):.1f} ms"),
    ]


async def collect(n: int = 300, m: int = 50) -> list[Row]:
    """For bench/run.py."""
    return await main(n, m)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--declarations", type=int, default=400)
    parser.add_argument("--webhooks", type=int, default=60)
    args = parser.parse_args()
    print(markdown_table(asyncio.run(main(args.declarations, args.webhooks))))
