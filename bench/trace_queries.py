"""Movement-trace queries with 1,000,000 movements stored: timeline, visits, contacts p50/p99.

A third of the people declared a flight, a train or a coach (about 30 passengers a
journey, seats by mode: synthetic/scenario.py), so the contacts rows include the third rule,
shared journeys; one row asks only about passengers.

    .venv/bin/python -m bench.trace_queries [--movements 1000000] [--queries 200]

Loads a generated population (synthetic/scenario.py) into a private database, then
asks the service in-process over HTTP (auth, audit write and `trace.accessed`
included). Raw baselines from the same run: PyMongo `find_one` by `_id` on the
same store, once and once a week in a row, and one `_id $in` read of a 28-day
timeline's weeks (what the service reads).
Prints a Markdown table; drops its database and topics at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from pymongo import AsyncMongoClient

from bench.common import Row, markdown_table, ms, pct, rate
from bench.trace_load import loaded_trace
from libs.contracts.vietnam_time import vn_day
from libs.runtime.auth import Role
from services.movement_trace.app import build
from services.movement_trace.domain.movements import hour_key, weeks_between
from services.movement_trace.settings import Settings
from services.movement_trace.store.cases import CaseStore
from services.movement_trace.store.generation import BUCKET_FIELD
from services.movement_trace.store.layout import place_hour_id, subject_week_id
from services.movement_trace.store.purge import purge_once
from services.movement_trace.store.trace import TraceStore
from synthetic.scenario import Scenario
from tests.support.tokens import bearer


def say(text: str) -> None:
    print(f"[trace_queries] {text}", file=sys.stderr, flush=True)


EPI = bearer(Role.epidemiologist, who="bench-epi")
JOURNEY_SHARE = 1 / 3


async def timed(samples: int, call: Callable[[int], Awaitable[object]]) -> list[float]:
    took = []
    for i in range(samples):
        started = time.perf_counter()
        await call(i)
        took.append(time.perf_counter() - started)
    return took


def summary(took: list[float]) -> str:
    return f"p50 {ms(pct(took, 0.5))}, p99 {ms(pct(took, 0.99))} (n={len(took)})"


async def run(target: int, queries: int, kafka: str, mongo: str) -> list[Row]:
    async with loaded_trace(target, kafka, mongo, "trace", say, journey_share=JOURNEY_SHARE,
                            passengers=30) as trace:
        say(f"loaded {trace.stored:,} movements; querying")
        rows = [trace.load_row, *await measure(build(trace.settings), trace.scenario,
                                               trace.client, trace.settings, queries)]
        return [*rows, await purge_a_week(trace.store, trace.client, trace.settings,
                                          trace.stored)]


async def purge_a_week(store: TraceStore, client: AsyncMongoClient[dict[str, object]],
                       settings: Settings, stored: int) -> Row:
    """The retention purge a week on: the oldest quarter of the movements goes, day by day in
    chunks by `_id` (libs/runtime/retention.py)."""
    say("purging the oldest week")
    started = time.perf_counter()
    deleted = await purge_once(store, CaseStore(client[settings.mongo_db]), settings,
                               now=datetime.now(UTC) + timedelta(days=7))
    took = time.perf_counter() - started
    return Row(f"retention purge at {stored:,} movements, the oldest week "
               f"({deleted['movements']:,} movements, "
               f"{sum(v for k, v in deleted.items() if k in BUCKET_FIELD):,} buckets)",
               f"{took:.0f} s",
               rate(deleted["movements"], took, " movements/s"))


async def measure(app: FastAPI, scenario: Scenario, client: AsyncMongoClient[dict[str, object]],
                  settings: Settings, queries: int) -> list[Row]:
    rng = random.Random(7)
    people = [c.subject_id for c in rng.sample(scenario.citizens, queries)]
    # Passengers whose journey lies in the contact search's default window (the last 14 days).
    recent = scenario.start + timedelta(days=14)
    riders = [c.subject_id for c in scenario.citizens
              if c.ride is not None and c.ride.journey.departure >= vn_day(recent)]
    riders = rng.sample(riders, min(queries, len(riders)))
    places = [p.checkpoint_id for p in scenario.places]
    mid = scenario.start + timedelta(days=14)
    async with LifespanManager(app, startup_timeout=60) as manager:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app),
                                     base_url="http://trace", timeout=120) as http:
            async def ask(path: str, **params: str | int) -> None:
                response = await http.get(path, headers=EPI, params={"purpose": "bench", **params})
                assert response.status_code == 200, response.text

            say("service started")
            timeline = await timed(queries, lambda i: ask("/v1/timeline", subject_id=people[i]))
            say("timelines done")
            visits = await timed(queries, lambda i: ask(
                "/v1/visits", checkpoint_id=rng.choice(places), to=mid.isoformat()))
            say("visits done")
            contacts = await timed(queries, lambda i: ask("/v1/contacts", subject_id=people[i]))
            say("contacts done")
            aboard = await timed(len(riders), lambda i: ask("/v1/contacts", subject_id=riders[i]))
            say("passengers' contacts done")
            second = await timed(max(2, queries // 10), lambda i: ask(
                "/v1/contacts", subject_id=people[i], degree=2))
            # The epidemiologists' dashboard (issue 18): the counters the projection keeps
            # per day (store/tallies.py); bench/trace_dashboard.py measures every window.
            board = await timed(max(2, queries // 10), lambda i: ask("/v1/dashboard", days=14))
    buckets = client[settings.mongo_db]["subject_weeks"]
    hours = client[settings.mongo_db]["place_hours"]
    one = await timed(queries, lambda i: hours.find_one(
        {"_id": place_hour_id(rng.choice(places), hour_key(mid))}))
    weeks = weeks_between(mid - timedelta(days=14), mid + timedelta(days=14))

    async def month(i: int) -> None:
        for w in weeks:
            await buckets.find_one({"_id": subject_week_id(people[i], w)})

    raw_month = await timed(queries, month)
    raw_month_in = await timed(queries, lambda i: buckets.find(
        {"_id": {"$in": [subject_week_id(people[i], w) for w in weeks]}}).to_list())
    tallies = client[settings.mongo_db]["tallies"]
    fortnight = [(vn_day(datetime.now(UTC)) - timedelta(days=n)).isoformat() for n in range(14)]
    raw_board = await timed(max(2, queries // 10), lambda i: tallies.find(
        {"day": {"$in": fortnight}}).to_list())
    return [
        Row("timeline, 28 days, HTTP (incl. audit)", summary(timeline),
            f"1 find by _id $in of its {len(weeks)} weeks (what it reads): "
            f"{summary(raw_month_in)}; {len(weeks)} × find_one by _id: {summary(raw_month)}"),
        Row("visits to a checkpoint, 24 h window, HTTP", summary(visits),
            f"1 × find_one by _id: {summary(one)}"),
        Row(f"contacts degree 1, 14 days, ±15 min + shared journeys ({JOURNEY_SHARE:.0%} of "
            f"people aboard), HTTP", summary(contacts), "—"),
        Row("contacts degree 1 of passengers (journey in the window), HTTP", summary(aboard), "—"),
        Row("contacts degree 1+2, 14 days, HTTP", summary(second), "—"),
        Row("dashboard, last 14 days, HTTP (counters per day; incl. audit)", summary(board),
            f"bare find of the 14 days' counter documents: {summary(raw_board)}"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    kafka = os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    mongo = os.environ.get("MONGO_URL", "mongodb://127.0.0.1:27017")
    rows = asyncio.run(run(args.movements, args.queries, kafka, mongo))
    print(markdown_table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
