"""Declaration submit throughput and latency, with the raw baselines of the same run.

    .venv/bin/python -m bench.declaration_submit [--requests 600] [--concurrency 16]

Starts the declaration service as its own process (as `make run` does) on a
free 127.0.0.1 port, with a topic prefix and database of its own on the real
Kafka and store, and drives it over HTTP at a fixed concurrency. Baselines
from the same run: bare PyMongo `insert_one` of the same documents, and bare
aiokafka sends of the same event bytes (acks=all, idempotent). Prints a
Markdown table; cleans up its topics and database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pymongo import AsyncMongoClient

from bench.common import LoadResult, Row, http_load, markdown_table, ms, process
from deploy.local.procs import free_port
from libs.contracts.events.declaration import Channel
from libs.contracts.topics import DECLARATION_SUBMITTED, Topics
from libs.runtime.topics_admin import delete_topics, ensure_topics
from services.declaration.api import qr_render
from services.declaration.domain.declarations import submitted_events
from services.declaration.domain.form import DeclarationForm
from services.declaration.store.declarations import declaration_document
from tests.support.declaration_samples import form

KAFKA = os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092")
MONGO = os.environ.get("MONGO_URL", "mongodb://127.0.0.1:27017")


async def timed(count: int, concurrency: int, one: Callable[[int], Awaitable[object]]) -> LoadResult:
    """Run `one(i)` `count` times with `concurrency` in flight (for the non-HTTP baselines)."""
    latencies: list[float] = []
    queue = iter(range(count))

    async def worker() -> None:
        for i in queue:
            started = time.perf_counter()
            await one(i)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return LoadResult(count, time.perf_counter() - started, latencies, 0)


def service_env(prefix: str, db: str, port: int, keys: Path) -> dict[str, str]:
    return {**os.environ, "KAFKA_BOOTSTRAP": KAFKA, "MONGO_URL": MONGO,
            "KHAIBAO_TOPIC_PREFIX": prefix, "DECLARATION_PORT": str(port),
            "DECLARATION_MONGO_DB": db, "DECLARATION_QR_KEY_FILE": str(keys),
            "DECLARATION_RATE_PER_MINUTE": "1000000", "DECLARATION_RATE_BURST": "100000",
            "LOG_LEVEL": "WARNING", "ENV": "test"}


class Arrivals:
    """Counts records reaching a topic, to time the outbox relay behind the HTTP answers."""

    def __init__(self, topic: str) -> None:
        self.consumer = AIOKafkaConsumer(topic, bootstrap_servers=KAFKA, group_id=None,
                                         auto_offset_reset="earliest")
        self.count = 0

    async def until(self, expected: int, timeout_s: float = 120) -> float:
        """Reads until `expected` records arrived; returns the monotonic time of the last."""
        deadline = time.monotonic() + timeout_s
        while self.count < expected and time.monotonic() < deadline:
            batch = await self.consumer.getmany(timeout_ms=100)
            self.count += sum(len(records) for records in batch.values())
        return time.monotonic()


async def against_service(base: str, requests: int, concurrency: int, arrivals: Arrivals
                          ) -> tuple[LoadResult, LoadResult, float]:
    body = form()
    issued: list[tuple[str, str]] = []

    async def submit(client: httpx.AsyncClient, _: int) -> httpx.Response:
        response = await client.post(f"{base}/v1/declarations", json=body)
        if response.status_code == 201:
            answer = response.json()
            issued.append((answer["qr"]["png"], answer["access_token"]))
        return response

    async def qr(client: httpx.AsyncClient, i: int) -> httpx.Response:
        path, token = issued[i % len(issued)]
        return await client.get(f"{base}{path}", headers={"authorization": f"Bearer {token}"})

    await http_load(submit, total=concurrency * 2, concurrency=concurrency)  # warm-up
    await arrivals.until(concurrency * 2)
    submits = await http_load(submit, total=requests, concurrency=concurrency)
    answered = time.monotonic()
    drained = await arrivals.until(concurrency * 2 + requests) - answered
    return submits, await http_load(qr, total=requests, concurrency=concurrency), drained


async def baselines(prefix: str, db: str, requests: int, concurrency: int
                    ) -> tuple[LoadResult, LoadResult]:
    parsed = DeclarationForm.model_validate(form())
    events = [submitted_events(parsed, channel=Channel.web, secret=b"bench",
                               validity_hours=72)[0] for _ in range(requests)]
    async with AsyncMongoClient[dict[str, Any]](MONGO, tz_aware=True) as client:
        collection = client[db]["baseline"]
        inserts = await timed(requests, concurrency, lambda i: collection.insert_one(
            declaration_document(events[i])))
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA, acks="all", enable_idempotence=True,
                                linger_ms=2)
    await producer.start()
    topic = Topics(prefix)(DECLARATION_SUBMITTED)
    try:
        sends = await timed(requests, concurrency, lambda i: producer.send_and_wait(
            topic, events[i].to_bytes(), key=events[i].payload.subject_id.encode()))
    finally:
        await producer.stop()
    return inserts, sends


def render_baseline(count: int) -> str:
    token = "A" * 160
    started = time.perf_counter()
    for _ in range(count):
        qr_render.png(token)
    return f"{count / (time.perf_counter() - started):,.0f} renders/s, one core, no HTTP"


async def collect(requests: int = 600, concurrency: int = 16) -> list[Row]:
    prefix = f"bench{uuid.uuid4().hex[:8]}."
    db = f"{prefix.rstrip('.')}_declaration"
    port = free_port()
    topics = Topics(prefix).all()
    await ensure_topics(KAFKA, topics, partitions=6)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = service_env(prefix, db, port, Path(tmp) / "qr.json")
            arrivals = Arrivals(Topics(prefix)(DECLARATION_SUBMITTED))
            await arrivals.consumer.start()
            try:
                with process(["-m", "services.declaration"],
                             f"http://127.0.0.1:{port}/readyz", env):
                    submits, qrs, drained = await against_service(
                        f"http://127.0.0.1:{port}", requests, concurrency, arrivals)
            finally:
                await arrivals.consumer.stop()
        inserts, sends = await baselines(prefix, db, requests, concurrency)
    finally:
        await delete_topics(KAFKA, topics)
        async with AsyncMongoClient[dict[str, Any]](MONGO) as client:
            await client.drop_database(db)
    load = f"{requests} requests, {concurrency} in flight"
    return [
        Row(f"declaration: POST /v1/declarations ({load})", submits.summary(),
            f"bare PyMongo insert_one of the same document: {inserts.summary()}"),
        Row(f"declaration: GET /v1/declarations/{{id}}/qr.png ({load})", qrs.summary(),
            render_baseline(200)),
        Row(f"declaration: outbox → Kafka, last `declaration.submitted` after the last 201 "
            f"({requests} events)", ms(drained),
            f"bare aiokafka send_and_wait of the same events, acks=all: {sends.summary()}"),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    print(f"Declaration service as its own process, {os.cpu_count()} cores shared with Kafka, "
          "FerretDB and the load generator.\n")
    print(markdown_table(asyncio.run(collect(args.requests, args.concurrency))))
