"""The services as separate processes, started the way `make run` starts them.

They get ports of their own (18001…), a topic prefix and databases of their
own, so a `make run` on the same machine is left alone.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio
from pymongo import AsyncMongoClient

from deploy.local import run
from libs.contracts.topics import Topics
from libs.runtime.topics_admin import delete_topics, ensure_topics
from tests.support.servers import Servers

E2E_PORT_OFFSET = 10000


@dataclass(frozen=True)
class System:
    environ: dict[str, str]
    prefix: str

    def url(self, service: str) -> str:
        return next(s for s in run.existing() if s.name == service).url(self.environ)


@pytest.fixture(scope="session")
def system_environ(servers: Servers, tmp_path_factory: pytest.TempPathFactory
                   ) -> dict[str, str]:
    prefix = f"e{uuid.uuid4().hex[:8]}."
    environ = {**os.environ, "KAFKA_BOOTSTRAP": servers.kafka_bootstrap,
               "MONGO_URL": servers.mongo_url, "KHAIBAO_TOPIC_PREFIX": prefix,
               "KHAIBAO_INSTANCE": "e2e-", "ENV": "test", "LOG_LEVEL": "WARNING",
               # A QR signing key file of its own: the keys page's test rotates and retires
               # keys, which must not reach the development key file `make run` signs with.
               "DECLARATION_QR_KEY_FILE": str(tmp_path_factory.mktemp("keys") / "qr.json"),
               # Webhooks of the admin console's test reach a local address.
               "NOTIFICATION_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1"}
    for service in run.SERVICES:
        environ[service.port_env] = str(service.port + E2E_PORT_OFFSET)
        db_env = service.port_env.replace("_PORT", "_MONGO_DB")
        environ[db_env] = f"{prefix.rstrip('.')}_{service.module}"
    return environ


@pytest_asyncio.fixture(scope="session")
async def system(system_environ: dict[str, str], servers: Servers) -> AsyncIterator[System]:
    prefix = system_environ["KHAIBAO_TOPIC_PREFIX"]
    topics = Topics(prefix).all()
    await ensure_topics(servers.kafka_bootstrap, topics, partitions=3)
    try:
        run.start_services(system_environ)
        yield System(system_environ, prefix)
    finally:
        run.stop_services(system_environ)
        await delete_topics(servers.kafka_bootstrap, topics)
        async with AsyncMongoClient[dict[str, Any]](servers.mongo_url) as client:
            for name in await client.list_database_names():
                if name.startswith(prefix.rstrip(".")):
                    await client.drop_database(name)
