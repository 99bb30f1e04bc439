"""A private stack and the five services as processes, for the fault test.

Everything runs on its own Kafka and FerretDB (tests/support/private_stack.py) and
the services start as `make run` starts them, so the shared servers are never touched.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from deploy.local import run
from libs.contracts.topics import Topics
from libs.runtime.topics_admin import ensure_topics
from services.identity_verification.load_registry import load
from services.identity_verification.store.registry import RegistryStore
from tests.support.faults.settings import ADMIN, CHECKPOINT, PORT_OFFSET
from tests.support.private_stack import PrivateStack, borrow_main_stack
from tests.support.samples import HOAN_KIEM


@dataclass
class System:
    stack: PrivateStack
    environ: dict[str, str]
    client: AsyncMongoClient[dict[str, Any]]
    outage_probe: httpx.Response | None = None

    def url(self, service: str) -> str:
        return next(s for s in run.existing() if s.name == service).url(self.environ)

    def db(self, service: str) -> Any:
        return self.client[self.environ[f"{service}_MONGO_DB"]]


def services_environ(stack: PrivateStack, prefix: str, keys_dir: Path) -> dict[str, str]:
    environ = {**os.environ, "KAFKA_BOOTSTRAP": stack.kafka, "MONGO_URL": stack.mongo,
               "KHAIBAO_TOPIC_PREFIX": prefix, "KHAIBAO_INSTANCE": "fault-", "ENV": "test",
               "LOG_LEVEL": "WARNING", "DECLARATION_QR_KEY_FILE": str(keys_dir / "qr.json"),
               "DECLARATION_RATE_PER_MINUTE": "10000000", "DECLARATION_RATE_BURST": "1000000"}
    for service in run.SERVICES:
        environ[service.port_env] = str(service.port + PORT_OFFSET)
        db_env = service.port_env.replace("_PORT", "_MONGO_DB")
        environ[db_env] = f"{prefix.rstrip('.')}_{service.module}"
    return environ


async def load_registry(db: Any, people: list[dict[str, Any]]) -> None:
    store = RegistryStore(db)
    await store.open()
    for first in range(0, len(people), 50):  # at most 50 documents a write
        await load(iter([dict(p) for p in people[first:first + 50]]), store)


@asynccontextmanager
async def fault_system(folder: Path, people: list[dict[str, Any]]) -> AsyncIterator[System]:
    borrow_main_stack(folder / "stack")
    stack = PrivateStack(folder / "stack")
    prefix = f"f{uuid.uuid4().hex[:8]}."
    environ = services_environ(stack, prefix, folder)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo, tz_aware=True)
    started = time.monotonic()
    try:
        await asyncio.to_thread(stack.run, "up")
        await ensure_topics(stack.kafka, Topics(prefix).all(), partitions=6)
        system = System(stack, environ, client)
        await load_registry(system.db("IDENTITY"), people)
        await asyncio.to_thread(run.start_services, environ, 120)
        print(f"\n[faults] private stack, registry and services ready in "
              f"{time.monotonic() - started:.0f} s", flush=True)
        async with httpx.AsyncClient(timeout=30) as http:
            added = await http.put(f"{system.url('checkpoint')}/v1/checkpoints/{CHECKPOINT}",
                                   headers=ADMIN, json={"name": "Chốt QL1 kiểm thử sự cố",
                                                        "kind": "road", "ward_code": HOAN_KIEM,
                                                        "latitude": 21.03, "longitude": 105.85})
            assert added.status_code in (200, 201), added.text
        yield system
    finally:
        await client.close()
        await asyncio.to_thread(run.stop_services, environ)
        await asyncio.to_thread(stack.run, "down")
