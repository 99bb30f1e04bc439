"""The epidemiologists' dashboard (GET /v1/dashboard) over a stored projection: p50/p99.

    .venv/bin/python -m bench.trace_dashboard [--movements 100000] [--queries 10]

Loads a generated population over 28 days (synthetic/scenario.py, bulk-loaded as
bench/trace_load.py does, the way bench/trace_queries.py loads its million) into a
private database, then asks the service in-process over HTTP (auth, audit write
included) for the last 1, 7, 14 and 28 days, each from a fresh service: the first
answer reads every counted movement of the window (FerretDB scans for `day`), the
next ones only today's and yesterday's (older days' tallies are kept 10 minutes).
Prints a Markdown table; drops its database and topics at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import uuid

import httpx
from asgi_lifespan import LifespanManager
from pymongo import AsyncMongoClient

from bench.common import Row, markdown_table, ms, rate
from bench.trace_load import bulk_load, movements
from bench.trace_queries import EPI, summary, timed
from libs.contracts.topics import Topics
from libs.runtime.topics_admin import delete_topics, ensure_topics
from services.movement_trace.app import build
from services.movement_trace.settings import Settings
from services.movement_trace.store.trace import TraceStore
from synthetic.scenario import generate


def say(text: str) -> None:
    print(f"[trace_dashboard] {text}", file=sys.stderr, flush=True)


async def run(target: int, queries: int, kafka: str, mongo: str) -> list[Row]:
    citizens = max(100, target // 50)
    scenario = generate(seed=2026, citizens=citizens, days=28, places=max(20, target // 500),
                        visits_per_day=(target / citizens - 1) / 28 / 1.42)
    prefix = f"bench-dash-{uuid.uuid4().hex[:6]}."
    settings = Settings(kafka_bootstrap=kafka, mongo_url=mongo, topic_prefix=prefix,
                        mongo_db=prefix.strip(".").replace("-", "_"), env="test",
                        log_level="WARNING", purge_interval_s=86400)
    await ensure_topics(kafka, Topics(prefix).all(), partitions=3)
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo, tz_aware=True)
    try:
        store = TraceStore(client[settings.mongo_db])
        await store.create_indexes()
        say(f"loading {len(scenario.visits):,} visits of {citizens:,} people")
        stored, load_s = await bulk_load(store.generation(0), movements(scenario))
        rows = [Row(f"bulk load {stored:,} movements + buckets", f"{load_s:.0f} s",
                    rate(stored, load_s, " movements/s"))]
        for days in (1, 7, 14, 28):
            # A fresh service per window: its first answer reads every day (cold); the
            # next ones find the days before yesterday tallied (warm, for 10 minutes).
            app = build(settings)
            async with LifespanManager(app, startup_timeout=60) as manager, \
                    httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app),
                                      base_url="http://trace", timeout=600) as http:
                counted = 0

                async def ask(_: int, days: int = days) -> None:
                    nonlocal counted
                    answer = await http.get("/v1/dashboard", headers=EPI,
                                            params={"purpose": "bench", "days": days})
                    assert answer.status_code == 200, answer.text
                    totals = answer.json()["totals"]
                    counted = totals["passed"] + totals["refused"]

                took = await timed(queries, ask)
            say(f"{days} days done")
            rows.append(Row(f"dashboard, last {days} days, HTTP ({counted:,} passages "
                            f"counted of {stored:,} movements)",
                            f"cold {ms(took[0])}; then {summary(took[1:])}", "—"))
        return rows
    finally:
        await client.drop_database(settings.mongo_db)
        await client.close()
        await delete_topics(kafka, Topics(prefix).all())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movements", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=10)
    args = parser.parse_args()
    kafka = os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    mongo = os.environ.get("MONGO_URL", "mongodb://127.0.0.1:27017")
    print(markdown_table(asyncio.run(run(args.movements, args.queries, kafka, mongo))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
