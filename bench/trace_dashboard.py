"""The epidemiologists' dashboard (GET /v1/dashboard) over a stored projection: p50/p99.

    .venv/bin/python -m bench.trace_dashboard [--movements 100000] [--queries 10]

Loads a generated population over 28 days (synthetic/scenario.py, bulk-loaded as
bench/trace_load.py does, the way bench/trace_queries.py loads its million) into a
private database, then asks the service in-process over HTTP (auth, audit write
included) for the last 1, 7, 14 and 28 days, each from a fresh service (cold: its first
answer, new connections; warm: the next ones). Every answer reads the window's counter
documents (store/tallies.py, a few a day), never the movements. The retention purge
runs once after the load, and not in the services: at start it would run beside the
answers (4-10 s of FerretDB at 100,000 movements) and measure itself.
Prints a Markdown table; drops its database and topics at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from unittest import mock

import httpx
from asgi_lifespan import LifespanManager

from bench.common import Row, markdown_table, ms
from bench.trace_load import loaded_trace
from bench.trace_queries import EPI, summary, timed
from services.movement_trace.app import build
from services.movement_trace.store.cases import CaseStore
from services.movement_trace.store.purge import purge_once


def no_purge_job(*_: object, **__: object) -> object:
    async def idle() -> None:
        return None

    return idle


def say(text: str) -> None:
    print(f"[trace_dashboard] {text}", file=sys.stderr, flush=True)


async def run(target: int, queries: int, kafka: str, mongo: str) -> list[Row]:
    async with loaded_trace(target, kafka, mongo, "dash", say) as trace:
        rows = [trace.load_row]
        db = trace.client[trace.settings.mongo_db]
        await CaseStore(db).create_indexes()
        say(f"purged {await purge_once(trace.store, CaseStore(db), trace.settings)}")
        for days in (1, 7, 14, 28):
            # A fresh service per window: its first answer opens the connections (cold).
            with mock.patch("services.movement_trace.app.purge_job", no_purge_job):
                app = build(trace.settings)
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
                            f"counted of {trace.stored:,} movements)",
                            f"cold {ms(took[0])}; then {summary(took[1:])}", "—"))
        return rows


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
