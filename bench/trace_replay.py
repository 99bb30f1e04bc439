"""Movement-trace rebuild: replay events per second, against bare Kafka and bare PyMongo.

    .venv/bin/python -m bench.trace_replay [--citizens 1500] [--days 7]

Publishes a generated population's events (synthetic/scenario.py) onto private
topics, then runs the real rebuild (`Rebuilder.run`: fresh consumer, parse,
project, idempotent batch writes, switch). Baselines from the same run: a bare
aiokafka consumer reading the same topics, and bare `insert_many` of as many
small documents into the same store. Prints a Markdown table; cleans up.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid

from aiokafka import AIOKafkaConsumer
from pymongo import AsyncMongoClient

from bench.common import Row, markdown_table, rate
from libs.contracts.topics import Topics
from libs.runtime.topics_admin import delete_topics, ensure_topics
from services.movement_trace.domain.projection import PROJECTORS
from services.movement_trace.rebuild import rebuilder
from services.movement_trace.settings import Settings
from services.movement_trace.store.trace import TraceStore
from synthetic.scenario import generate
from tests.support.kafka import publish_scenario


async def bare_consume(bootstrap: str, topics: list[str], expected: int) -> float:
    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    started, seen = time.perf_counter(), 0
    try:
        while seen < expected:
            batch = await consumer.getmany(timeout_ms=500, max_records=500)
            seen += sum(len(records) for records in batch.values())
    finally:
        await consumer.stop()
    return time.perf_counter() - started


async def bare_insert(client: AsyncMongoClient[dict[str, object]], db: str, count: int) -> float:
    collection = client[db]["bare_insert"]
    started = time.perf_counter()
    for i in range(0, count, 500):
        await collection.insert_many([{"_id": f"e{j}", "subject_id": "x" * 64, "n": j}
                                      for j in range(i, min(count, i + 500))], ordered=False)
    return time.perf_counter() - started


async def run(citizens: int, days: int, kafka: str, mongo: str) -> list[Row]:
    prefix = f"bench-replay-{uuid.uuid4().hex[:6]}."
    topics = Topics(prefix)
    settings = Settings(kafka_bootstrap=kafka, mongo_url=mongo, topic_prefix=prefix, env="test",
                        mongo_db=prefix.strip(".").replace("-", "_"), generation_refresh_s=0.2)
    await ensure_topics(kafka, topics.all(), partitions=6)
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo, tz_aware=True)
    try:
        events = await publish_scenario(kafka, topics, generate(seed=99, citizens=citizens,
                                                                days=days, places=200))
        store = TraceStore(client[settings.mongo_db], settings.retention.window, 0.2)
        await store.create_indexes()
        progress = await rebuilder(store, settings).run(by="bench")
        consumed = await bare_consume(kafka, [topics(c.TYPE) for c in PROJECTORS], events)
        inserted = await bare_insert(client, settings.mongo_db, events)
        return [Row(f"rebuild: replay {progress.events:,} events into a new generation",
                    rate(progress.events, progress.seconds, " events/s"),
                    f"bare aiokafka read {rate(events, consumed, ' events/s')}; "
                    f"bare insert_many {rate(events, inserted, ' docs/s')}")]
    finally:
        await client.drop_database(settings.mongo_db)
        await client.close()
        await delete_topics(kafka, topics.all())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=1500)
    parser.add_argument("--days", type=int, default=7)
    args = parser.parse_args()
    kafka = os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    mongo = os.environ.get("MONGO_URL", "mongodb://127.0.0.1:27017")
    print(markdown_table(asyncio.run(run(args.citizens, args.days, kafka, mongo))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
