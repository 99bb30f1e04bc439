"""`make bench`: every benchmark, one Markdown table, written to bench/results.md.

    .venv/bin/python -m bench.run [--quick] [--only NAME ...]

Runs against the local stack (or KAFKA_BOOTSTRAP / MONGO_URL) with bounded
loads, one section after the other so that they do not disturb each other.
Each project figure sits beside a raw baseline measured in the same run. A
section that fails is reported in the table (and the exit code), the others
still run. `--quick` shrinks every load (for trying the harness, not for figures).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import (
    baselines,
    checkpoint_scan,
    declaration_submit,
    notification_throughput,
    pipeline,
    qr_render,
    token_check,
    trace_queries,
    trace_replay,
)
from bench import notices as citizen_messages
from bench.common import Row, markdown_table
from deploy.local.procs import Endpoint

RESULTS = Path(__file__).with_name("results.md")


@dataclass(frozen=True)
class Sizes:
    """How big each load is; `--quick` divides them."""

    kafka_messages: int = 50_000
    submit_requests: int = 600
    pipeline_seconds: float = 60
    scan_rates: tuple[float, ...] = (50, 100, 200)
    scan_seconds: float = 10
    scan_overload: bool = True  # the capacity, then twice of it offered
    trace_movements: int = 1_000_000
    trace_queries: int = 200
    replay_citizens: int = 1500
    notification_declarations: int = 300
    token_checks: int = 5000
    notices_people: int = 300

    @classmethod
    def quick(cls) -> Sizes:
        return cls(kafka_messages=5_000, submit_requests=100, pipeline_seconds=10,
                   scan_rates=(50,), scan_seconds=3, trace_movements=20_000, trace_queries=20,
                   replay_citizens=200, notification_declarations=40, token_checks=500,
                   notices_people=50)


class Run:
    """Runs the sections in order, keeping the rows and the raw rates later rows need."""

    def __init__(self, kafka: str, mongo: str, sizes: Sizes) -> None:
        self.kafka, self.mongo, self.sizes = kafka, mongo, sizes
        self.rows: list[Row] = []
        self.failed: list[str] = []
        self.raw_insert_per_s: float | None = None

    async def section(self, name: str, produce: Callable[[], Awaitable[list[Row]]]) -> None:
        print(f"[bench] {name}…", file=sys.stderr, flush=True)
        started = time.monotonic()
        try:
            self.rows += await produce()
        except Exception as error:  # one broken section must not hide the others' figures
            traceback.print_exc()
            self.failed.append(name)
            self.rows.append(Row(f"{name}: FAILED", f"{type(error).__name__}: {error}"[:200]))
        print(f"[bench] {name} took {time.monotonic() - started:.0f} s", file=sys.stderr,
              flush=True)

    async def raw(self) -> list[Row]:
        rows = await baselines.kafka(self.kafka, self.sizes.kafka_messages)
        store_rows, self.raw_insert_per_s = await baselines.mongo(self.mongo)
        bare = await baselines.bare_http_insert(self.mongo)
        return rows + store_rows + [
            Row("bare FastAPI endpoint, one insert_one, 32 in flight", bare.summary())]

    async def qr(self) -> list[Row]:
        return qr_render.collect(100)

    async def auth(self) -> list[Row]:
        return await token_check.collect(self.sizes.token_checks)

    async def submit(self) -> list[Row]:
        return await declaration_submit.collect(self.sizes.submit_requests, 16)

    async def pipeline(self) -> list[Row]:
        return await pipeline.collect(self.sizes.pipeline_seconds, 300, 16,
                                      self.raw_insert_per_s)

    async def scan(self) -> list[Row]:
        return await checkpoint_scan.collect(list(self.sizes.scan_rates),
                                             self.sizes.scan_seconds, 2000,
                                             self.sizes.scan_overload)

    async def trace(self) -> list[Row]:
        return await trace_queries.run(self.sizes.trace_movements, self.sizes.trace_queries,
                                       self.kafka, self.mongo)

    async def replay(self) -> list[Row]:
        return await trace_replay.run(self.sizes.replay_citizens, 7, self.kafka, self.mongo)

    async def notifications(self) -> list[Row]:
        return await notification_throughput.collect(self.sizes.notification_declarations, 50)

    async def notices(self) -> list[Row]:
        return await citizen_messages.collect(self.sizes.notices_people)


SECTIONS = ("raw", "qr", "auth", "submit", "pipeline", "scan", "trace", "replay", "notifications",
            "notices")


def header(seconds: float, load_before: float) -> str:
    return (f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `make bench` "
            f"({seconds / 60:.0f} min) on {os.cpu_count()} cores, "
            f"{platform.python_implementation()} {platform.python_version()}, local stack "
            "(Kafka 4.1 KRaft, FerretDB 1.24 SQLite with the project's index pushdown patch, "
            "synchronous=normal and GOGC=400, Keycloak 26.7); services, "
            "servers and load generator share the machine (load average before "
            f"{load_before:.1f}, after {os.getloadavg()[0]:.1f}).")


async def main(only: list[str], sizes: Sizes) -> int:
    kafka = os.environ.get("KAFKA_BOOTSTRAP", Endpoint.from_kafka_env().address)
    mongo = os.environ.get("MONGO_URL", f"mongodb://{Endpoint.from_mongo_env().address}")
    bench = Run(kafka, mongo, sizes)
    started, load_before = time.monotonic(), os.getloadavg()[0]
    for name in SECTIONS:
        if name == "raw" or not only or name in only:
            await bench.section(name, getattr(bench, name))
    text = f"{header(time.monotonic() - started, load_before)}\n\n{markdown_table(bench.rows)}\n"
    print(text)
    if not only and sizes == Sizes():
        RESULTS.write_text(text)
    return 1 if bench.failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small loads, results not saved")
    parser.add_argument("--only", nargs="*", default=[], choices=SECTIONS,
                        help="these sections only (the raw baselines always run)")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.only, Sizes.quick() if args.quick else Sizes())))
