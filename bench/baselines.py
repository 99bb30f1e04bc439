"""Raw baselines from the same run: bare aiokafka, bare PyMongo, bare FastAPI + one insert.

Every project figure in the table is read against these.
"""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection

from bench.common import LoadResult, Row, http_load, ms, pct, process, rate
from deploy.local.procs import free_port
from libs.runtime.topics_admin import delete_topics, ensure_topics

MESSAGE = os.urandom(1024)


async def kafka(bootstrap: str, count: int = 50_000) -> list[Row]:
    topic = f"bench.raw.{uuid.uuid4().hex[:8]}"
    await ensure_topics(bootstrap, [topic], partitions=6)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5,
                                enable_idempotence=True, max_batch_size=256 * 1024)
    await producer.start()
    started = time.perf_counter()
    pending = [await producer.send(topic, MESSAGE, key=str(i % 1000).encode())
               for i in range(count)]
    for future in pending:
        await future
    produce_s = time.perf_counter() - started
    await producer.stop()

    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    started, seen = time.perf_counter(), 0
    while seen < count:
        batch = await consumer.getmany(timeout_ms=1000, max_records=5000)
        seen += sum(len(records) for records in batch.values())
    consume_s = time.perf_counter() - started
    await consumer.stop()
    await delete_topics(bootstrap, [topic])
    return [Row("aiokafka produce, 1 KB, acks=all, idempotent", rate(count, produce_s, " msg/s")),
            Row("aiokafka consume, 1 KB", rate(count, consume_s, " msg/s"))]


async def mongo(url: str, single: int = 3_000, bulk: int = 50_000) -> tuple[list[Row], float]:
    """The raw store rows, and the insert_one rate (docs/s) other rows are read against."""
    db_name = f"bench_raw_{uuid.uuid4().hex[:8]}"
    client: AsyncMongoClient[dict[str, Any]]
    async with AsyncMongoClient(url) as client:
        docs: AsyncCollection[dict[str, Any]] = client[db_name]["docs"]
        await docs.create_index("key")
        started = time.perf_counter()
        for i in range(single):
            await docs.insert_one({"key": f"k{i}", "payload": "x" * 500})
        one_s = time.perf_counter() - started
        started = time.perf_counter()
        for first in range(0, bulk, 1000):
            await docs.insert_many([{"key": f"b{i}", "payload": "x" * 500}
                                    for i in range(first, first + 1000)], ordered=False)
        many_s = time.perf_counter() - started
        ids = [doc["_id"] async for doc in docs.find({}, {"_id": 1}).limit(bulk)]
        by_id = await _timed_finds(docs, [{"_id": ids[i]} for i in range(0, len(ids), 50)])
        # FerretDB 1.24 alone pushes down `{_id: …}` only and reads the whole collection for
        # another key; the stack's patch (deploy/local/ferretdb/*.patch) uses the index.
        by_key = await _timed_finds(docs, [{"key": f"b{i}"} for i in range(0, bulk, bulk // 20)])
        await client.drop_database(db_name)
    return [Row("PyMongo insert_one, ~0.5 KB docs", rate(single, one_s, " docs/s")),
            Row("PyMongo insert_many (1,000 a batch)", rate(bulk, many_s, " docs/s")),
            Row(f"PyMongo find by `_id` ({bulk + single:,} docs), p50 / p99",
                f"{ms(pct(by_id, 0.5))} / {ms(pct(by_id, 0.99))}"),
            Row(f"PyMongo find by a secondary-indexed key ({bulk + single:,} docs), p50",
                ms(pct(by_key, 0.5)))], single / one_s


async def _timed_finds(docs: AsyncCollection[dict[str, Any]], filters: list[dict[str, Any]]
                       ) -> list[float]:
    took = []
    for query in filters:
        started = time.perf_counter()
        await docs.find(query).to_list()
        took.append(time.perf_counter() - started)
    return took


async def bare_http_insert(url: str, total: int = 3_000, concurrency: int = 32) -> LoadResult:
    port, db_name = free_port(), f"bench_bare_{uuid.uuid4().hex[:8]}"
    body: dict[str, Any] = {"name": "Nguyễn Văn An", "payload": "x" * 500}

    async def post(client: Any, _: int) -> Any:
        return await client.post(f"http://127.0.0.1:{port}/insert", json=body)

    with process(["-m", "bench.bare_app", str(port), url, db_name],
                 f"http://127.0.0.1:{port}/readyz"):
        result = await http_load(post, total=total, concurrency=concurrency)
    client: AsyncMongoClient[dict[str, Any]]
    async with AsyncMongoClient(url) as client:
        await client.drop_database(db_name)
    return result

