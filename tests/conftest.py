"""Fixtures shared by every tier.

Integration and e2e tests run against the real Kafka and MongoDB-protocol store
(see support/servers.py for how they are found). Each test gets topics of its
own (a unique prefix in front of every catalogue name) and databases of its own.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
import pytest_asyncio
from pymongo import AsyncMongoClient

from libs.contracts.envelope import Envelope
from libs.contracts.topics import Topics
from libs.runtime.settings import ServiceSettings
from libs.runtime.topics_admin import delete_topics, ensure_topics
from synthetic.scenario import Scenario
from tests.support.kafka import publish, publish_scenario
from tests.support.servers import Servers, find_servers

TIERS = ("unit", "integration", "e2e", "reliability")
S = TypeVar("S", bound=ServiceSettings)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under `make test-clock` (tests/support/fake_clock.py) the clock must really have moved:
    a run that silently kept the real time would prove nothing about the hour it names."""
    wanted = os.environ.get("KHAIBAO_TEST_CLOCK")
    if wanted:
        drift = datetime.now(UTC) - datetime.fromisoformat(wanted)
        if not timedelta(0) <= drift < timedelta(minutes=10):
            pytest.exit(f"KHAIBAO_TEST_CLOCK={wanted} but the clock reads {datetime.now(UTC)}: "
                        "libfaketime is not loaded", returncode=3)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The folder a test lives in is its tier marker; every page and process test (e2e) also
    depends on the calendar."""
    for item in items:
        tier = Path(str(item.fspath)).parent.name
        if tier in TIERS:
            item.add_marker(getattr(pytest.mark, tier))
        if tier == "e2e":
            item.add_marker(pytest.mark.calendar)


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    with ExitStack() as resources:
        yield find_servers(resources)


@dataclass
class ServerSlice:
    """One test's private slice of the real servers."""

    servers: Servers
    prefix: str

    @property
    def topics(self) -> Topics:
        return Topics(self.prefix)

    def db_name(self, service: str) -> str:
        return f"{self.prefix.rstrip('.')}_{service}".replace("-", "_")

    async def publish(self, *events: Envelope[Any], key: str | None = None) -> int:
        """`events` onto this test's topics, keyed as their producers key them."""
        return await publish(self.servers.kafka_bootstrap, self.topics, *events, key=key)

    async def publish_scenario(self, scenario: Scenario) -> int:
        return await publish_scenario(self.servers.kafka_bootstrap, self.topics, scenario)

    def settings(self, cls: type[S], **overrides: Any) -> S:
        base = cls(kafka_bootstrap=self.servers.kafka_bootstrap,
                   mongo_url=self.servers.mongo_url, topic_prefix=self.prefix, env="test")
        values = {"mongo_db": self.db_name(base.service_name), "outbox_poll_s": 0.2, **overrides}
        return base.model_copy(update=values)


@pytest_asyncio.fixture
async def env(servers: Servers) -> AsyncIterator[ServerSlice]:
    test_env = ServerSlice(servers, f"t{uuid.uuid4().hex[:10]}.")
    names = test_env.topics.all()
    await ensure_topics(servers.kafka_bootstrap, names, partitions=3)
    yield test_env
    await delete_topics(servers.kafka_bootstrap, names)
    async with AsyncMongoClient[dict[str, Any]](servers.mongo_url) as client:
        for name in await client.list_database_names():
            if name.startswith(test_env.prefix.rstrip(".")):
                await client.drop_database(name)


@pytest.fixture
def unique() -> Callable[[str], str]:
    return lambda stem: f"{stem}-{uuid.uuid4().hex[:8]}"
