"""Running the declaration service in tests, and talking to its topics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from libs.contracts.envelope import Envelope, parse_event
from services.declaration.app import build
from services.declaration.settings import Settings
from tests.conftest import ServerSlice
from tests.support.apps import running
from tests.support.kafka import read_topic


def settings(env: ServerSlice, **overrides: Any) -> Settings:
    # Generous limits unless a test is about them: tests submit from one address, and at
    # times hundreds at once.
    return env.settings(Settings, **{"rate_per_minute": 6000, "rate_burst": 1000,
                                     "max_in_flight": 1000, **overrides})


@asynccontextmanager
async def declaration_service(env: ServerSlice, **overrides: Any
                              ) -> AsyncIterator[httpx.AsyncClient]:
    async with running(build(settings(env, **overrides))) as client:
        yield client



async def events_on(env: ServerSlice, topic: str, at_least: int = 1,
                    settle_s: float = 1.0) -> list[tuple[str, Envelope[Any]]]:
    """(key, envelope) of every record on one of this test's topics."""
    # 60 s is a bound for a busy shared machine; reading ends as soon as enough arrived.
    records = await read_topic(env.servers.kafka_bootstrap, env.topics(topic),
                               at_least=at_least, settle_s=settle_s, timeout_s=60.0)
    return [(record.key.decode(), parse_event(record.value)) for record in records]


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}
