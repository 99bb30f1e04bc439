"""`make bench`: every benchmark, one Markdown table, written to bench/results.md.

Runs against the local stack (or KAFKA_BOOTSTRAP / MONGO_URL), with bounded
loads. Each project figure sits beside a raw baseline measured in the same run.
"""

from __future__ import annotations

import asyncio
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import baselines
from bench.common import Row, markdown_table
from deploy.local.procs import Endpoint

RESULTS = Path(__file__).with_name("results.md")


async def collect(kafka: str, mongo: str) -> list[Row]:
    rows: list[Row] = []
    rows += await baselines.kafka(kafka)
    rows += await baselines.mongo(mongo)
    bare = await baselines.bare_http_insert(mongo)
    rows.append(Row("bare FastAPI endpoint, one insert, 32 in flight", bare.summary()))
    return rows


def header() -> str:
    return (f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `make bench` on "
            f"{os.cpu_count()} cores, {platform.python_implementation()} "
            f"{platform.python_version()}, local stack (Kafka 4.1 KRaft, FerretDB 1.24 SQLite); "
            "load generator on the same machine.")


def main() -> int:
    kafka = os.environ.get("KAFKA_BOOTSTRAP", Endpoint.from_kafka_env().address)
    mongo = os.environ.get("MONGO_URL", f"mongodb://{Endpoint.from_mongo_env().address}")
    rows = asyncio.run(collect(kafka, mongo))
    text = f"{header()}\n\n{markdown_table(rows)}\n"
    print(text)
    RESULTS.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
