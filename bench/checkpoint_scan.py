"""Checkpoint scan latency at fixed request rates, with baselines from the same run.

    .venv/bin/python -m bench.checkpoint_scan [--rates 20,50,100] [--seconds 10] [--people 2000]
                                              [--overload]

Starts the checkpoint service as its own process (as `make run` does) on a free
127.0.0.1 port, with a topic prefix and database of its own on the real Kafka
and store, and a tiny JWKS server standing in for the declaration service.
Loads `people` declarations (verified) through Kafka, then sends
`POST /v1/scans` open-loop at each fixed rate: request i leaves at t0 + i/rate
whether or not earlier ones have returned, and its latency counts from that
planned time, so a service that falls behind shows it (no coordinated
omission). Each scan verifies a real Ed25519 signature and stores a scan
document. Baselines at the same rates: `GET /healthz` of the same process (the
HTTP stack alone) and a bare PyMongo `find_one` by `_id` on the same store.
Past its capacity the service sheds (503 + `Retry-After`, libs/runtime/shedding.py): each
row gives the latency and rate of what was served (the goodput) and how many were shed
and how fast. With `--overload` the capacity is measured first (32 requests back to back,
below the shedding limit), then twice of it is offered open-loop: does the goodput hold,
and how fast is the excess refused? The requests go through bench/raw_http.py (httpx's
pool cannot keep up with an open loop at hundreds a second).
Prints a Markdown table; removes its topics and database.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pymongo import AsyncMongoClient

from bench.common import Row, cpu_seconds, markdown_table, ms, pct, process
from bench.raw_http import RawHttp, request_bytes
from deploy.local.procs import ProcessSlot, free_port
from libs.contracts.envelope import Envelope, new_event_id
from libs.contracts.events.declaration import DeclarationSubmitted
from libs.contracts.events.identity import IdentityVerified
from libs.contracts.topics import Topics
from libs.contracts.values import subject_id_for
from libs.runtime.auth import Role
from libs.runtime.qr_tokens import Kind, QrSigner, public_jwk
from libs.runtime.settings import DEV_SUBJECT_SECRET
from libs.runtime.topics_admin import delete_topics, ensure_topics
from tests.support.samples import declaration_form
from tests.support.tokens import bearer

KAFKA = os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092")
MONGO = os.environ.get("MONGO_URL", "mongodb://127.0.0.1:27017")
CHECKPOINT = "cp-bench-road"
ADMIN = bearer(Role.admin, who="bench-admin")
OFFICER = bearer(Role.officer, [CHECKPOINT], who="bench-officer")


@contextmanager
def jwks_server(jwks: dict[str, Any]) -> Iterator[str]:
    """The declaration service's `GET /v1/keys`, and nothing else."""
    body = json.dumps(jwks).encode()

    class Keys(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Keys)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/keys"
    finally:
        server.shutdown()


def national_id(i: int) -> str:
    return f"001085{i:06d}"


def events(i: int) -> tuple[Envelope[Any], Envelope[Any]]:
    form = declaration_form(national_id(i))
    subject = subject_id_for(DEV_SUBJECT_SECRET.encode(), national_id(i))
    declared = Envelope.wrap(DeclarationSubmitted(
        declaration_id=str(uuid.UUID(int=i + 1)), subject_id=subject, channel="web",
        person=form["person"], residence=form["residence"], trip=form["trip"],
        health=form["health"], valid_until=datetime.now(UTC) + timedelta(days=3)),
        producer="bench")
    verified = Envelope.wrap(IdentityVerified(declaration_id=str(uuid.UUID(int=i + 1)),
                                              subject_id=subject), producer="bench")
    return declared, verified


async def load_people(topics: Topics, people: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA, acks="all", linger_ms=5)
    await producer.start()
    try:
        sent = []
        for i in range(people):
            for event in events(i):
                sent.append(await producer.send(topics(event.type), event.to_bytes(),
                                                key=event.payload.subject_id.encode()))
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


async def until_known(client: httpx.AsyncClient, tokens: list[str]) -> None:
    """Every 50th person scans as verified: the service has consumed the load."""
    deadline = time.monotonic() + 300
    for token in tokens[::50] + tokens[-1:]:
        while True:
            answer = await client.post("/v1/scans", headers=OFFICER,
                                       json={"checkpoint_id": CHECKPOINT, "token": token})
            if answer.status_code == 200 and answer.json()["person"]["status"] == "verified":
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"service never caught up: {answer.status_code}")
            await asyncio.sleep(0.5)


@dataclass
class RateResult:
    served: list[float] = field(default_factory=list)  # 2xx: latency from the planned start
    shed: list[float] = field(default_factory=list)  # 503 + Retry-After (load shedding)
    errors: Counter[int] = field(default_factory=Counter)  # anything else by status, 0: no answer
    elapsed: float = 0.0

    def record(self, status: int, latency: float) -> None:
        if 200 <= status < 300:
            self.served.append(latency)
        elif status == 503:
            self.shed.append(latency)
        else:
            self.errors[status] += 1

    @property
    def goodput(self) -> float:
        return len(self.served) / self.elapsed if self.elapsed else 0.0

    def figure(self) -> str:
        """Latency of what was served, the goodput, and what was shed and how fast."""
        text = (f"p50 {ms(pct(self.served, 0.5))}, p99 {ms(pct(self.served, 0.99))} "
                f"({self.goodput:,.0f} req/s served)")
        if self.shed:
            text += (f", {len(self.shed):,} shed with 503 in p50 {ms(pct(self.shed, 0.5))}, "
                     f"p99 {ms(pct(self.shed, 0.99))}")
        return text + errors_text(self.errors)


def errors_text(errors: Counter[int]) -> str:
    """", 3 errors (no answer: 2, 500: 1)": neither served nor shed, by status (no answer:
    none within the client's 5 s, or the connection failed)."""
    if not errors:
        return ""
    statuses = ", ".join(f"{status or 'no answer'}: {n}"
                         for status, n in sorted(errors.items()))
    return f", {errors.total()} errors ({statuses})"


Send = Callable[[int], Awaitable[int]]  # request i → its HTTP status (0: no answer)


async def fixed_rate(send: Send, rate: float, seconds: float) -> RateResult:
    """Open loop: request i leaves at its planned time whatever the earlier ones did, and
    its latency counts from then, so a service that falls behind shows it."""
    total = int(rate * seconds)
    result = RateResult()
    start = time.perf_counter() + 0.2

    async def one(i: int) -> None:
        planned = start + i / rate
        await asyncio.sleep(max(0.0, planned - time.perf_counter()))
        status = await send(i)
        result.record(status, time.perf_counter() - planned)

    await asyncio.gather(*(one(i) for i in range(total)))
    result.elapsed = time.perf_counter() - start
    return result


async def closed_loop(send: Send, workers: int, seconds: float) -> RateResult:
    """`workers` requests back to back for `seconds`: the most the service serves (its
    capacity), with fewer in flight than its shedding limit so nothing is refused."""
    result = RateResult()
    counter = itertools.count()
    start = time.perf_counter()
    deadline = start + seconds

    async def worker() -> None:
        while time.perf_counter() < deadline:
            sent = time.perf_counter()
            status = await send(next(counter))
            result.record(status, time.perf_counter() - sent)

    await asyncio.gather(*(worker() for _ in range(workers)))
    result.elapsed = time.perf_counter() - start
    return result


CAPACITY_WORKERS = 32  # below the service's shedding limit (64), so the probe is never refused


async def measure(port: int, tokens: list[str], db: str, rates: list[float], seconds: float,
                  overload: bool, service_pid: int) -> list[Row]:
    rows = []
    host = f"127.0.0.1:{port}"
    health_request = request_bytes("GET", host, "/healthz", {})
    # 5 s: an answer later than that has failed the officer; it also bounds the run.
    async with RawHttp("127.0.0.1", port, max_connections=512, timeout_s=5) as http, \
            httpx.AsyncClient(base_url=f"http://{host}", timeout=5) as client, \
            AsyncMongoClient[dict[str, Any]](MONGO) as mongo:
        await until_known(client, tokens)
        declarations = mongo[db]["declarations"]

        async def scan(i: int) -> int:
            return await http.send(request_bytes("POST", host, "/v1/scans", OFFICER, {
                "checkpoint_id": CHECKPOINT, "token": tokens[i % len(tokens)],
                "scan_id": new_event_id()}))

        async def healthz(_: int) -> int:
            return await http.send(health_request)

        async def find_one(i: int) -> int:
            found = await declarations.find_one({"_id": str(uuid.UUID(int=i % len(tokens) + 1))})
            return 200 if found is not None else 0

        await fixed_rate(scan, 20, 2)  # warm-up
        for rate in rates:
            scans = (await fixed_rate(scan, rate, seconds)).figure()
            health = (await fixed_rate(healthz, rate, seconds)).figure()
            store = (await fixed_rate(find_one, rate, seconds)).figure()
            rows.append(Row(f"checkpoint: POST /v1/scans at {rate:g} req/s for {seconds:g} s",
                            scans, f"GET /healthz same process: {health}; "
                                   f"bare PyMongo find_one by _id: {store}"))
        if overload:
            pids = {"checkpoint": service_pid, "load generator": os.getpid()}
            if ferretdb := ProcessSlot("ferretdb").pid():  # the local stack's; not a remote store
                pids["ferretdb"] = ferretdb
            rows.append(await twice_capacity(scan, seconds, pids))
    return rows


async def twice_capacity(scan: Send, seconds: float, pids: dict[str, int]) -> Row:
    """The service's capacity measured first, then twice of it offered: what is served
    (the goodput) should hold near capacity, and the excess be refused at once."""
    capacity = await closed_loop(scan, CAPACITY_WORKERS, seconds)
    offered = 2 * capacity.goodput
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    over = await fixed_rate(scan, offered, seconds)
    busy = ", ".join(f"{name} {(cpu_seconds(pid) - before[name]) / over.elapsed:.0%}"
                     for name, pid in pids.items())
    share = over.goodput / capacity.goodput if capacity.goodput else 0.0
    return Row(f"checkpoint: POST /v1/scans at twice its capacity, {offered:,.0f} req/s "
               f"offered for {seconds:g} s",
               f"goodput {over.goodput:,.0f} req/s = {share:.0%} of capacity; {over.figure()}; "
               f"CPU of a core meanwhile: {busy}",
               f"capacity, measured first: {capacity.goodput:,.0f} req/s served with "
               f"{CAPACITY_WORKERS} back to back, p50 {ms(pct(capacity.served, 0.5))}, "
               f"p99 {ms(pct(capacity.served, 0.99))}"
               + (f", {len(capacity.shed)} shed" if capacity.shed else "")
               + errors_text(capacity.errors))


async def collect(rates: list[float], seconds: float, people: int,
                  overload: bool = False) -> list[Row]:
    prefix = f"bench{uuid.uuid4().hex[:8]}."
    db = f"{prefix.rstrip('.')}_checkpoint"
    port = free_port()
    topics = Topics(prefix)
    await ensure_topics(KAFKA, topics.all(), partitions=6)
    key = Ed25519PrivateKey.generate()
    signer = QrSigner(key)
    now = datetime.now(UTC)
    tokens = [signer.sign(str(uuid.UUID(int=i + 1)), Kind.declaration, now - timedelta(hours=1),
                          now + timedelta(days=2)) for i in range(people)]
    try:
        await load_people(topics, people)
        with jwks_server({"keys": [public_jwk(key.public_key())]}) as keys_url:
            env = {**os.environ, "KAFKA_BOOTSTRAP": KAFKA, "MONGO_URL": MONGO,
                   "KHAIBAO_TOPIC_PREFIX": prefix, "CHECKPOINT_PORT": str(port),
                   "CHECKPOINT_MONGO_DB": db, "CHECKPOINT_KEYS_URL": keys_url,
                   "LOG_LEVEL": "WARNING", "ENV": "test"}
            base = f"http://127.0.0.1:{port}"
            with process(["-m", "services.checkpoint"], f"{base}/readyz", env) as service:
                async with httpx.AsyncClient(base_url=base) as client:
                    answer = await client.put(f"/v1/checkpoints/{CHECKPOINT}", headers=ADMIN, json={
                        "name": "Chốt bench", "kind": "road", "ward_code": "00070"})
                    answer.raise_for_status()
                return await measure(port, tokens, db, rates, seconds, overload, service.pid)
    finally:
        await delete_topics(KAFKA, topics.all())
        async with AsyncMongoClient[dict[str, Any]](MONGO) as client:
            await client.drop_database(db)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rates", default="20,50,100", help="requests per second, comma-separated")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--overload", action="store_true",
                        help="also measure the capacity and offer twice of it")
    args = parser.parse_args()
    rates = [float(rate) for rate in args.rates.split(",")]
    print(f"Checkpoint service as its own process, {os.cpu_count()} cores shared with Kafka, "
          f"FerretDB and the load generator; {args.people} verified declarations loaded; "
          f"load average before: {os.getloadavg()[0]:.1f}.\n")
    rows = asyncio.run(collect(rates, args.seconds, args.people, args.overload))
    print(markdown_table(rows))
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")
