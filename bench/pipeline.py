"""The whole pipeline under sustained load: submit → verified, traced and notified.

    .venv/bin/python -m bench.pipeline [--seconds 60] [--window 300] [--concurrency 16]

Starts the five services as their own processes, exactly as `make run` does
(deploy/local/run.py), on ports of their own with a topic prefix and databases
of their own, loads registry residents, and submits their declarations over
HTTP. The load is closed-loop on the whole pipeline: at most `window`
declarations may be submitted but not yet verified, traced *and* notified, so
the figure is what the pipeline sustains, not how fast a backlog grows.

Observed from outside, as a user would: verdicts and `ward.notified` on Kafka; the
declarations the trace has stored from its own /metrics (not by counting its store,
which would cost FerretDB a scan a second). Store commands per declaration (all of
them, and the writes) are read from the services' own `khaibao_store_commands_total`;
CPU per process from /proc; FerretDB's CPU by package from its Go profiler
(bench/ferretdb_profile.py); peak RSS from /proc (VmHWM).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer
from pymongo import AsyncMongoClient

from bench import ferretdb_profile
from bench.common import Row, cpu_seconds, http_load, markdown_table, ms, pct
from bench.ferretdb_profile import cpu_profile
from deploy.local import run
from deploy.local.procs import ProcessSlot
from libs.contracts.topics import (
    DECLARATION_SUBMITTED,
    IDENTITY_REJECTED,
    IDENTITY_VERIFIED,
    WARD_NOTIFIED,
    Topics,
)
from libs.contracts.vietnam_time import vn_today
from libs.runtime.topics_admin import delete_topics, ensure_topics
from services.identity_verification.load_registry import load
from services.identity_verification.store.registry import RegistryStore
from synthetic.population.generator import PopulationGenerator
from tests.support.declaration_samples import VUNG_TAU, form

KAFKA = os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092")
MONGO = os.environ.get("MONGO_URL", "mongodb://127.0.0.1:27017")
PORT_OFFSET = 20000
WRITE_COMMANDS = ("insert", "update", "delete", "findAndModify")
NOTIFICATIONS_PER_DECLARATION = 2  # the origin ward and the destination ward


def environ(prefix: str, keys_dir: str) -> dict[str, str]:
    env = {**os.environ, "KAFKA_BOOTSTRAP": KAFKA, "MONGO_URL": MONGO,
           "KHAIBAO_TOPIC_PREFIX": prefix, "KHAIBAO_INSTANCE": "bench-", "ENV": "test",
           "LOG_LEVEL": "WARNING", "DECLARATION_QR_KEY_FILE": f"{keys_dir}/qr.json",
           "DECLARATION_RATE_PER_MINUTE": "10000000", "DECLARATION_RATE_BURST": "1000000"}
    for service in run.SERVICES:
        env[service.port_env] = str(service.port + PORT_OFFSET)
        env[service.port_env.replace("_PORT", "_MONGO_DB")] = f"{prefix.rstrip('.')}_{service.module}"
    return env


def adults(count: int) -> list[dict[str, Any]]:
    """Living adult residents; their declarations match the registry exactly."""
    cutoff = vn_today().year - 19
    rows = (r for r in PopulationGenerator(11).residents(count * 3)
            if r["status"] == "living" and int(r["date_of_birth"][:4]) < cutoff)
    return list(islice(rows, count))


def declaration_of(resident: dict[str, Any]) -> dict[str, Any]:
    ward = resident["permanent_ward"] if resident["permanent_ward"] != VUNG_TAU else "00070"
    return form(person__full_name=resident["full_name"],
                person__date_of_birth=resident["date_of_birth"],
                person__gender=resident["gender"], person__national_id=resident["national_id"],
                residence__permanent__ward_code=ward, residence__current__ward_code=ward,
                trip__origin_ward=ward)


@dataclass
class Progress:
    """What has reached each end of the pipeline, as seen from outside."""

    submitted_at: dict[str, float] = field(default_factory=dict)
    verified_at: dict[str, float] = field(default_factory=dict)
    notified: Counter[str] = field(default_factory=Counter)
    traced: int = 0

    def stages(self) -> dict[str, int]:
        notified = sum(1 for n in self.notified.values() if n >= NOTIFICATIONS_PER_DECLARATION)
        return {"submitted": len(self.submitted_at), "verified": len(self.verified_at),
                "traced": self.traced, "notified": notified}

    def completed(self) -> int:
        stages = self.stages()
        return min(stages["verified"], stages["traced"], stages["notified"])


async def watch_kafka(topics: Topics, progress: Progress, stop: asyncio.Event) -> None:
    consumer = AIOKafkaConsumer(topics(IDENTITY_VERIFIED), topics(IDENTITY_REJECTED),
                                topics(WARD_NOTIFIED), bootstrap_servers=KAFKA, group_id=None,
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=200, max_records=2000)
            now = time.monotonic()
            for records in batch.values():
                for record in records:
                    declaration_id = str(json.loads(record.value)["payload"]["declaration_id"])
                    if record.topic == topics(WARD_NOTIFIED):
                        progress.notified[declaration_id] += 1
                    else:
                        progress.verified_at.setdefault(declaration_id, now)
    finally:
        await consumer.stop()


async def watch_trace(environ: dict[str, str], progress: Progress, stop: asyncio.Event) -> None:
    """Declarations the trace has stored, from its own counter of handled events: counting
    `declared` movements in its store would make FerretDB scan the collection every
    second, CPU the pipeline's figures would then charge to the services."""
    trace = next(s for s in run.existing() if s.name == "movement-trace")
    while not stop.is_set():
        counted = await asyncio.to_thread(metric, trace.url(environ), "khaibao_events_consumed_total",
                                          {"type": DECLARATION_SUBMITTED})
        progress.traced = int(sum(value for _, value in counted))
        await asyncio.sleep(1.0)


def metric(base_url: str, name: str, labels: dict[str, str] | None = None
           ) -> list[tuple[dict[str, str], float]]:
    """One counter of a service's /metrics: each label set (those holding `labels`) and its
    value, as Prometheus renders them."""
    with urllib.request.urlopen(f"{base_url}/metrics", timeout=5) as answer:
        text = answer.read().decode()
    found = []
    for line in text.splitlines():
        match = re.fullmatch(rf"{name}{{(.*)}} (\S+)", line)
        if match is None:
            continue
        held = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
        if all(held.get(k) == v for k, v in (labels or {}).items()):
            found.append((held, float(match.group(2))))
    return found


def store_commands(environ: dict[str, str]) -> Counter[tuple[str, str, str]]:
    """Store commands each service has issued so far, by command and collection, from its
    /metrics."""
    counted: Counter[tuple[str, str, str]] = Counter()
    for service in run.existing():
        for held, value in metric(service.url(environ), "khaibao_store_commands_total"):
            counted[service.name, held["command"], held.get("collection", "")] += int(value)
    return counted


def writes_of(commands: Counter[tuple[str, str, str]]) -> int:
    return sum(n for (_, command, _), n in commands.items() if command in WRITE_COMMANDS)


def processes(environ: dict[str, str]) -> dict[str, int]:
    """Every process the pipeline runs on: the five services, Kafka, FerretDB, the identity
    provider (idle here, counted all the same), and this load generator."""
    found = {service.name: service.slot(environ).pid() for service in run.existing()}
    for server in ("kafka", "ferretdb", "keycloak"):
        found[server] = ProcessSlot(server).pid()
    found["load generator"] = os.getpid()
    return {name: pid for name, pid in found.items() if pid}


def cpu_now(pids: dict[str, int]) -> dict[str, float]:
    return {name: cpu_seconds(pid) for name, pid in pids.items()}


def peak_rss_mib(environ: dict[str, str]) -> dict[str, float]:
    peaks = {}
    for service in run.existing():
        pid = service.slot(environ).pid()
        status = open(f"/proc/{pid}/status").read()
        peaks[service.name] = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]
    return peaks


@dataclass(frozen=True)
class Drive:
    completed: int  # during the run
    commands: Counter[tuple[str, str, str]]  # store commands in the run: service, command, collection
    elapsed: float  # seconds
    errors: int  # 4xx/5xx answers
    cpu: dict[str, float]  # CPU seconds each process spent during the run
    store_profile: bytes | None  # FerretDB's CPU profile over the first half of the run


async def drive(environ: dict[str, str], forms: list[dict[str, Any]], progress: Progress,
                seconds: float, window: int, concurrency: int) -> Drive:
    """Submit for `seconds` with at most `window` unfinished."""
    base = run.SERVICES[0].url(environ)
    forms_left = iter(forms)
    errors = 0

    async def submit(client: httpx.AsyncClient, _: int) -> httpx.Response:
        nonlocal errors
        # Polled: progress is fed by the watchers, there is no event to wait on.
        while len(progress.submitted_at) - progress.completed() >= window:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        response = await client.post(f"{base}/v1/declarations", json=next(forms_left))
        if response.status_code == 201:
            progress.submitted_at[response.json()["declaration_id"]] = time.monotonic()
        else:
            errors += 1
        return response

    async def until_done(limit_s: float) -> None:
        deadline = time.monotonic() + limit_s
        while (progress.completed() < len(progress.submitted_at)  # noqa: ASYNC110
               and time.monotonic() < deadline):
            await asyncio.sleep(0.5)

    await http_load(submit, total=concurrency * 2, concurrency=concurrency)  # warm-up:
    await until_done(180)  # the first consumer-group joins happen here
    done_before, commands_before = progress.completed(), store_commands(environ)
    pids = processes(environ)
    cpu_before = cpu_now(pids)
    started = time.monotonic()
    stop_at = started + seconds
    profiling = asyncio.create_task(cpu_profile(max(int(seconds / 2), 1)))

    async def worker(client: httpx.AsyncClient) -> None:
        while time.monotonic() < stop_at:
            await submit(client, 0)

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    elapsed = time.monotonic() - started
    completed = progress.completed() - done_before
    commands = store_commands(environ) - commands_before
    cpu = {name: spent - cpu_before[name] for name, spent in cpu_now(pids).items()}
    store_profile = await profiling
    print(f"[pipeline] at the end of the load: {progress.stages()}", flush=True)
    await until_done(120)  # drain before the services stop, so nothing is cut mid-write
    return Drive(completed, commands, elapsed, errors, cpu, store_profile)


async def collect(seconds: float = 60, window: int = 300, concurrency: int = 16,
                  raw_insert_per_s: float | None = None) -> list[Row]:
    prefix = f"bp{uuid.uuid4().hex[:8]}."
    topics = Topics(prefix)
    people = adults(int(seconds * 150) + 1000)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGO, tz_aware=True)
    await ensure_topics(KAFKA, topics.all(), partitions=6)
    stop = asyncio.Event()
    with tempfile.TemporaryDirectory() as keys_dir:
        env = environ(prefix, keys_dir)
        try:
            store = RegistryStore(client[env["IDENTITY_MONGO_DB"]], 100)
            await store.open()
            await load(iter([dict(p) for p in people]), store)
            run.start_services(env, timeout_s=120)
            progress = Progress()
            watchers = [asyncio.create_task(watch_kafka(topics, progress, stop)),
                        asyncio.create_task(watch_trace(env, progress, stop))]
            done = await drive(env, [declaration_of(p) for p in people], progress, seconds,
                               window, concurrency)
            peaks = peak_rss_mib(env)
        finally:
            stop.set()
            run.stop_services(env)
            await delete_topics(KAFKA, topics.all())
            for name in await client.list_database_names():
                if name.startswith(prefix.rstrip(".")):
                    await client.drop_database(name)
            await client.close()
    await asyncio.gather(*watchers, return_exceptions=True)
    latencies = [progress.verified_at[d] - t for d, t in progress.submitted_at.items()
                 if d in progress.verified_at]
    completed, elapsed, errors = done.completed, done.elapsed, done.errors
    per_declaration = writes_of(done.commands) / max(completed, 1)
    baseline = (f"{raw_insert_per_s / per_declaration:,.0f} declarations/s "
                f"(raw insert_one {raw_insert_per_s:,.0f}/s ÷ {per_declaration:.1f} writes)"
                if raw_insert_per_s else f"{per_declaration:.1f} store writes per declaration")
    rows = [
        Row(f"pipeline: declarations/s submitted → verified, traced and notified, "
            f"sustained {elapsed:.0f} s ({window} in flight at most)",
            f"{completed / elapsed:,.1f} declarations/s"
            + (f", {errors} refused submits" if errors else ""), baseline),
        Row("pipeline: submit → verdict on Kafka, p50 / p99",
            f"{ms(pct(latencies, 0.5))} / {ms(pct(latencies, 0.99))} (n={len(latencies):,})",
            "—"),
    ]
    rows.append(cpu_row(done))
    rows.append(commands_row(done))
    rows.append(Row("pipeline: FerretDB's CPU by package (its Go profile, the run's first half)",
                    ferretdb_profile.summary(done.store_profile), "—"))
    rows += [Row(f"peak RSS: {name}", f"{mib:.0f} MiB", "—") for name, mib in peaks.items()]
    return rows


def cpu_row(done: Drive) -> Row:
    """CPU milliseconds per completed declaration, per process, largest first."""
    per = {name: 1000 * spent / max(done.completed, 1) for name, spent in done.cpu.items()}
    ranked = sorted(per.items(), key=lambda item: -item[1])
    total = sum(v for name, v in ranked if name != "load generator")
    parts = ", ".join(f"{name} {value:.1f}" for name, value in ranked)
    return Row("pipeline: CPU ms per declaration, per process (from /proc)",
               f"{total:.1f} ms without the load generator: {parts}",
               f"2 cores = {2000 / max(total, 0.001):,.0f} declarations/s if CPU were the "
               "only limit")


def commands_row(done: Drive) -> Row:
    """Store commands per completed declaration, per service, with its three most frequent
    (command on collection): what FerretDB's share of the CPU is spent on."""
    per_service: Counter[str] = Counter()
    for (service, _, _), n in done.commands.items():
        per_service[service] += n
    completed = max(done.completed, 1)
    parts = []
    for service, n in per_service.most_common():
        own = Counter({f"{command} {collection}".strip(): k
                       for (s, command, collection), k in done.commands.items() if s == service})
        detail = ", ".join(f"{what} {k / completed:.1f}" for what, k in own.most_common(3))
        parts.append(f"{service} {n / completed:.1f} ({detail})")
    total = sum(per_service.values()) / completed
    return Row("pipeline: store commands per declaration, per service (from their /metrics)",
               f"{total:.1f}: " + "; ".join(parts),
               f"{writes_of(done.commands) / completed:.1f} of them writes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--window", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    print(markdown_table(asyncio.run(collect(args.seconds, args.window, args.concurrency))))


if __name__ == "__main__":
    main()
