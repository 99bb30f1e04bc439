"""Finding the real servers the tests run against.

In order: `KAFKA_BOOTSTRAP` / `MONGO_URL` when set; the local stack when it
already answers; the local stack started now (`python -m deploy.local.stack up`);
testcontainers when a Docker engine answers. Never a mock. The staff identity
provider is `KHAIBAO_OIDC_ISSUER`'s (default: the local stack's Keycloak, which
`up` starts with the others); tests get real tokens from it (support/tokens.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import dataclass

from deploy.local.identity_provider import Keycloak
from deploy.local.procs import REPO, Endpoint, port_answers


@dataclass(frozen=True)
class Servers:
    kafka_bootstrap: str
    mongo_url: str


def find_servers(resources: ExitStack) -> Servers:
    if os.environ.get("KAFKA_BOOTSTRAP") and os.environ.get("MONGO_URL"):
        return Servers(os.environ["KAFKA_BOOTSTRAP"], os.environ["MONGO_URL"])
    kafka, mongo = Endpoint.from_kafka_env(), Endpoint.from_mongo_env()
    local = Servers(kafka.address, f"mongodb://{mongo.address}")
    if all(port_answers(e) for e in (kafka, mongo, Keycloak().endpoint)):
        return local
    if _local_tools_present():
        subprocess.run([sys.executable, "-m", "deploy.local.stack", "up"], cwd=REPO, check=True)
        return local
    if _docker_answers():
        return _testcontainers(resources)
    raise RuntimeError("no Kafka/MongoDB: set KAFKA_BOOTSTRAP and MONGO_URL, install Java, "
                       "Maven and Go for the local stack, or run a Docker engine")


def _local_tools_present() -> bool:
    from shutil import which

    return all(which(tool) for tool in ("java", "mvn", "go"))


def _docker_answers() -> bool:
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _testcontainers(resources: ExitStack) -> Servers:
    from testcontainers.kafka import KafkaContainer
    from testcontainers.mongodb import MongoDbContainer

    kafka = resources.enter_context(KafkaContainer("apache/kafka:4.1.1").with_kraft())
    mongo = resources.enter_context(MongoDbContainer("mongo:8"))
    return Servers(kafka.get_bootstrap_server(), mongo.get_connection_url())
