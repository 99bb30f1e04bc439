"""Benchmark: generate and load a synthetic population registry (default 1,000,000).

    .venv/bin/python -m bench.identity_population [--count 1000000] [--keep]

Prints a Markdown table: generation alone, generation + load through the
service's store (partitioned), and from the same run the raw baseline of bare
PyMongo `insert_many` into one collection, plus the `_id` lookup cost of both
layouts (why the registry is partitioned on FerretDB). Uses a scratch database
on MONGO_URL and drops it at the end unless --keep.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import time
from collections.abc import Awaitable, Callable
from itertools import islice
from typing import Any

from pymongo import AsyncMongoClient

from services.identity_verification.load_registry import load
from services.identity_verification.settings import Settings
from services.identity_verification.store.registry import RegistryStore
from synthetic.population.generator import PopulationGenerator

BASELINE_MAX = 200_000
LOOKUPS = 200


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def timed(job: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    await job()
    return time.perf_counter() - started


async def bare_insert(client: AsyncMongoClient[Any], db: str, count: int, seed: int) -> float:
    rows = PopulationGenerator(seed).residents(count)
    docs = [{"_id": r.pop("national_id"), **r} for r in rows]  # prepared before timing
    collection = client[db]["bare_residents"]

    async def insert() -> None:
        for start in range(0, len(docs), 10_000):
            await collection.insert_many(docs[start:start + 10_000], ordered=False)

    return await timed(insert)


async def lookup_ms(find: Callable[[str], Awaitable[Any]], ids: list[str]) -> float:
    started = time.perf_counter()
    for key in ids:
        assert await find(key) is not None
    return (time.perf_counter() - started) / len(ids) * 1000


async def main(args: argparse.Namespace) -> None:
    settings = Settings()
    client: AsyncMongoClient[Any] = AsyncMongoClient(settings.mongo_url, tz_aware=True)
    store = RegistryStore(client[args.db], args.partitions)
    await store.open(require=True)
    gen_s = await timed(lambda: asyncio.to_thread(
        lambda: sum(1 for _ in PopulationGenerator(args.seed).residents(args.count))))
    load_s = await timed(lambda: load(PopulationGenerator(args.seed).residents(args.count), store))
    load_peak = peak_mib()
    base_n = min(args.count, BASELINE_MAX)
    bare_s = await bare_insert(client, args.db, base_n, args.seed)
    sample = [r["national_id"] for r in islice(PopulationGenerator(args.seed).residents(
        base_n), 0, base_n, max(1, base_n // LOOKUPS))]
    random.Random(0).shuffle(sample)
    part_ms = await lookup_ms(store.resident, sample)
    bare = client[args.db]["bare_residents"]
    bare_ms = await lookup_ms(lambda key: bare.find_one({"_id": key}), sample[:20])
    residents, aliases = await store.registry_size()
    if not args.keep:
        await client.drop_database(args.db)
    await client.close()
    print(f"\n### Population registry ({args.count:,} residents, seed {args.seed}, "
          f"{args.partitions} partitions; {residents:,} stored, {aliases:,} CMND aliases)\n")
    print("| step | residents | seconds | residents/s | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|")
    print(f"| generate only | {args.count:,} | {gen_s:.1f} | {args.count / gen_s:,.0f} | |")
    print(f"| generate + load (store, partitioned) | {args.count:,} | {load_s:.1f} | "
          f"{args.count / load_s:,.0f} | {load_peak:.0f} |")
    print(f"| baseline: bare insert_many, 1 collection, 10k batches | {base_n:,} | {bare_s:.1f} "
          f"| {base_n / bare_s:,.0f} | {peak_mib():.0f} |")
    print("\n| `_id` lookup | ms per lookup |\n|---|---:|")
    print(f"| registry partition (~{args.count // args.partitions:,} docs) | {part_ms:.1f} |")
    print(f"| baseline: one collection of {base_n:,} docs | {bare_ms:.1f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--partitions", type=int, default=1000)
    parser.add_argument("--db", default="bench_identity_population")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    asyncio.run(main(parser.parse_args()))
