"""Benchmark: identity verifications per second against a population registry.

    .venv/bin/python -m bench.identity_verify [--registry-db DB] [--declarations 2000]

A backlog of declarations (70 % exact, 10 % names in capitals, 10 %
unknown IDs, 10 % wrong date of birth) is put on a fresh topic; the service then
runs in-process and the clock stops when every verdict is on the verdict topics.
Modes: batches with one lookup per ID, batches with one `$in` per partition,
and no batching. Baselines from the same run: bare aiokafka produce/consume of
the same records, bare PyMongo `_id` lookups and inserts on the same store.
The registry is reused from `bench.identity_population --keep` when there, else
a smaller one is loaded; scratch topics and verifications are removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import time
import uuid
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from asgi_lifespan import LifespanManager
from pymongo import AsyncMongoClient

from bench.common import Row, markdown_table, rate
from libs.contracts.envelope import Envelope
from libs.contracts.topics import (
    DECLARATION_SUBMITTED,
    IDENTITY_REJECTED,
    IDENTITY_VERIFIED,
    Topics,
    dlq,
)
from libs.runtime.topics_admin import delete_topics, ensure_topics
from services.identity_verification.app import build
from services.identity_verification.load_registry import load
from services.identity_verification.settings import Settings
from services.identity_verification.store.registry import RegistryStore
from synthetic.population.generator import PopulationGenerator
from tests.support.identity_verification_samples import declaration, shifted

DEADLINE_S = 600
MODES: list[tuple[str, dict[str, Any]]] = [("batches of 200, one lookup per ID", {"batched_lookup": False}),
         ("batches of 200, one $in per partition", {"batched_lookup": True}),
         ("no batching (1 record per poll)", {"batch_max_records": 1})]


@dataclass
class Bench:
    settings: Settings
    client: AsyncMongoClient[Any]
    db: str

    loaded: bool = False

    async def registry(self, residents: int) -> int:
        store = RegistryStore(self.client[self.db], 1000 if residents >= 200_000 else 100)
        await store.open()
        stored, _ = await store.registry_size()
        if stored == 0:
            await load(PopulationGenerator(1).residents(residents), store)
            stored, self.loaded = residents, True
        return stored

    async def run_mode(self, records: list[bytes], keys: list[bytes],
                       **mode: Any) -> tuple[float, float]:
        """(seconds from service start to the last verdict, steady verdicts/s between the
        first and the last verdict, by their Kafka timestamps)."""
        prefix = f"benchid{uuid.uuid4().hex[:8]}."
        names = [Topics(prefix)(t) for t in (DECLARATION_SUBMITTED, IDENTITY_VERIFIED,
                                              IDENTITY_REJECTED)]
        names.append(dlq(names[0]))
        await ensure_topics(self.settings.kafka_bootstrap, names, partitions=3)
        try:
            await produce(self.settings.kafka_bootstrap, names[0], records, keys)
            await self.client[self.db].drop_collection("verifications")
            settings = self.settings.model_copy(update={
                "topic_prefix": prefix, "mongo_db": self.db, "outbox_poll_s": 0.2, **mode})
            started, stamps = time.perf_counter(), list[int]()
            async with LifespanManager(build(settings), startup_timeout=60):
                await consume(self.settings.kafka_bootstrap, names[1:3], len(records), stamps)
            span_s = (max(stamps) - min(stamps)) / 1000
            return time.perf_counter() - started, (len(stamps) - 1) / max(span_s, 1e-3)
        finally:
            await delete_topics(self.settings.kafka_bootstrap, names)


def declarations(count: int, registry_size: int) -> list[Envelope[Any]]:
    rng = random.Random(3)
    wanted = sorted(rng.sample(range(min(registry_size, 200_000)), count))
    rows = [row for i, row in enumerate(PopulationGenerator(1).residents(wanted[-1] + 1))
            if i in set(wanted)]
    out = []
    for i, row in enumerate(rows):
        kind, did = i % 10, f"bench-{uuid.uuid4().hex}"
        changes: dict[str, Any] = {}
        if kind == 7:
            changes["full_name"] = row["full_name"].upper()  # NFC/case only, still exact
        elif kind == 8:
            changes["national_id"] = row["national_id"][:6] + f"{rng.randrange(10**6):06d}"
        elif kind == 9:
            changes["date_of_birth"] = shifted(row["date_of_birth"], 3)
        out.append(declaration(row, did, **changes))
    return out


async def produce(bootstrap: str, topic: str, records: list[bytes], keys: list[bytes]) -> float:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5,
                                enable_idempotence=True)
    await producer.start()
    started = time.perf_counter()
    sent = [await producer.send(topic, value, key=key) for value, key in zip(records, keys,
                                                                              strict=True)]
    for future in sent:
        await future
    await producer.stop()
    return time.perf_counter() - started


async def consume(bootstrap: str, topics: list[str], count: int,
                  stamps: list[int] | None = None) -> float:
    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    started, seen = time.perf_counter(), 0
    try:
        while seen < count:
            if time.perf_counter() - started > DEADLINE_S:
                raise TimeoutError(f"only {seen} of {count} records within {DEADLINE_S} s")
            batch = await consumer.getmany(timeout_ms=500, max_records=5000)
            seen += sum(len(part) for part in batch.values())
            if stamps is not None:
                stamps.extend(r.timestamp for part in batch.values() for r in part)
    finally:
        await consumer.stop()
    return time.perf_counter() - started


async def baselines(bench: Bench, records: list[bytes], keys: list[bytes],
                    ids: list[str]) -> list[Row]:
    topic = f"benchid{uuid.uuid4().hex[:8]}.raw"
    await ensure_topics(bench.settings.kafka_bootstrap, [topic], partitions=3)
    produce_s = await produce(bench.settings.kafka_bootstrap, topic, records, keys)
    consume_s = await consume(bench.settings.kafka_bootstrap, [topic], len(records))
    await delete_topics(bench.settings.kafka_bootstrap, [topic])
    store = RegistryStore(bench.client[bench.db])
    await store.open()
    started = time.perf_counter()
    for key in ids:
        await store.residents(key).find_one({"_id": key})
    lookup_s = time.perf_counter() - started
    scratch = bench.client[bench.db]["bench_bare_inserts"]
    started = time.perf_counter()
    await scratch.insert_many([{"_id": i, "value": r.decode()} for i, r in enumerate(records)])
    insert_s = time.perf_counter() - started
    await scratch.drop()
    n = len(records)
    return [Row("bare aiokafka produce of the declarations", rate(n, produce_s, " msg/s")),
            Row("bare aiokafka consume of the declarations", rate(n, consume_s, " msg/s")),
            Row("bare PyMongo `_id` lookups in the registry partitions, one at a time",
                rate(len(ids), lookup_s, " lookups/s")),
            Row("bare PyMongo insert_many of the declarations", rate(n, insert_s, " docs/s"))]


async def main(args: argparse.Namespace) -> None:
    settings = Settings()
    client: AsyncMongoClient[Any] = AsyncMongoClient(settings.mongo_url, tz_aware=True)
    bench = Bench(settings, client, args.registry_db)
    size = await bench.registry(args.residents)
    events = declarations(args.declarations, size)
    records, keys = [e.to_bytes() for e in events], [e.payload.subject_id.encode() for e in events]
    rows = []
    for name, mode in MODES:
        n = args.declarations if "batch_max_records" not in mode else args.declarations // 4
        wall_s, steady = await bench.run_mode(records[:n], keys[:n], **mode)
        rows.append(Row(f"identity verifications/s, {name} ({n:,} declarations)",
                        f"{steady:,.0f} verifications/s steady; {wall_s:.1f} s from start "
                        "(incl. group join)"))
    ids = [e.payload.person.national_id for e in events[:500]]
    rows[0] = Row(rows[0].name, rows[0].figure, "see rows below")
    rows += await baselines(bench, records, keys, ids)
    if bench.loaded:
        await client.drop_database(args.registry_db)
    else:
        await client[args.registry_db].drop_collection("verifications")
        await client[args.registry_db].drop_collection("counters")
    await client.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n### Identity verification ({size:,} residents in the registry, "
          f"peak RSS of the bench process with the service in it: {peak:.0f} MiB)\n")
    print(markdown_table(rows))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry-db", default="bench_identity_population")
    parser.add_argument("--residents", type=int, default=100_000,
                        help="registry size to load when the database holds none")
    parser.add_argument("--declarations", type=int, default=2000)
    asyncio.run(main(parser.parse_args()))
