"""What runs in a cluster, and how big: the one table behind the manifests.

`generate.py` writes the per-service and per-topic manifests from it,
`validate.py` and the tests check the rendered result against it and against
the code (run.SERVICES, the topic catalogue), and docs/scaling.md explains the
numbers. Change sizing here, then `python -m deploy.k8s.generate`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from deploy.local.run import SERVICES, ServiceProcess
from libs.contracts.topics import (
    ALL_TOPICS,
    CHECKPOINT_PASSED,
    CHECKPOINT_REFUSED,
    DECLARATION_SUBMITTED,
    DLQ_SUFFIX,
    IDENTITY_REJECTED,
    IDENTITY_VERIFIED,
    WARD_NOTIFIED,
)
from libs.runtime.retention import Retention

KAFKA_CLUSTER = "khaibao"
# The default policy (28 days of personal data, 730 of audit): the topics' retention.
RETENTION = Retention(timedelta(days=28), timedelta(days=730))
KAFKA_VERSION = "4.1.1"  # the local stack's (deploy/local/kafka/pom.xml) and compose's
MONGO_REPLICA_SET = "rs0"
KEYS_DIR = "/etc/khaibao/keys"
SECRET = "khaibao-secrets"
CONFIG = "khaibao-config"

# Keycloak, the staff identity provider (base/keycloak/): the version of the local
# stack (deploy/keycloak/pom.xml) and compose, and the realm every environment
# imports. The services check its tokens with the realm's public keys: they hold
# no signing key of their own.
KEYCLOAK = "keycloak"
KEYCLOAK_VERSION = "26.7.3"
KEYCLOAK_IMAGE = f"quay.io/keycloak/keycloak:{KEYCLOAK_VERSION}"
KEYCLOAK_HTTP_PORT = 8080
KEYCLOAK_MANAGEMENT_PORT = 9000  # health (and metrics) live here, not on the HTTP port
KEYCLOAK_IMPORT_DIR = "/opt/keycloak/data/import"  # what `start --import-realm` reads
REALM_FILE = Path(__file__).resolve().parents[1] / "keycloak" / "khaibao-realm.json"
REALM_CONFIG_MAP = "keycloak-realm"


def realm_name() -> str:
    name: str = json.loads(REALM_FILE.read_text())["realm"]
    return name


@dataclass(frozen=True)
class Size:
    """Pod requests/limits and autoscaling bounds of one service in one environment."""

    cpu: str
    memory: str
    memory_limit: str
    min_replicas: int
    max_replicas: int


@dataclass(frozen=True)
class Service:
    process: ServiceProcess  # name, module, port env and port, from deploy/local/run.py
    mongo_db: str
    base: Size
    production: Size
    files: tuple[str, ...] = ()  # Secret keys mounted as files under KEYS_DIR
    extra_env: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        return self.process.name

    @property
    def prefix(self) -> str:
        """The service's settings prefix: DECLARATION_PORT -> DECLARATION_."""
        return self.process.port_env.removesuffix("PORT")

    @property
    def port(self) -> int:
        return self.process.port

    @property
    def image(self) -> str:
        return f"khaibao-{self.name}"

    @property
    def password_key(self) -> str:
        return f"mongo-password-{self.name}"


# Base: a small cluster (two replicas each, so a drain never takes a service away).
_BASE = Size("100m", "256Mi", "512Mi", 2, 6)
# Production: one Python process uses at most one core, so a pod asks for one and
# the autoscaler adds pods; the bounds come from docs/scaling.md's sizing.
_PRODUCTION = {
    "declaration": Size("1", "512Mi", "1Gi", 4, 24),
    "identity-verification": Size("1", "512Mi", "1Gi", 3, 12),
    "checkpoint": Size("1", "512Mi", "1Gi", 8, 64),
    "movement-trace": Size("1", "768Mi", "1536Mi", 8, 64),
    "ward-notification": Size("1", "512Mi", "1Gi", 6, 48),
}
_DATABASES = {
    "declaration": "khaibao_declaration",
    "identity-verification": "khaibao_identity",
    "checkpoint": "khaibao_checkpoint",
    "movement-trace": "khaibao_trace",
    "ward-notification": "khaibao_notification",
}


def _service(process: ServiceProcess) -> Service:
    files: tuple[str, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()
    if process.name == "declaration":
        # The QR signing key ring is declaration's alone; production refuses to start without it.
        files += ("qr-signing.json",)
        extra = (("DECLARATION_QR_KEY_FILE", f"{KEYS_DIR}/qr-signing.json"),)
    return Service(process, _DATABASES[process.name], _BASE, _PRODUCTION[process.name], files, extra)


SERVICE_PLAN: tuple[Service, ...] = tuple(_service(p) for p in SERVICES)

# Partitions bound how many replicas of a consumer group do work, and a keyed
# topic cannot gain partitions later without moving subjects between partitions
# (their order breaks during the move), so production sizes them up front: the
# hot topics for the peak in docs/scaling.md, the rest small.
BASE_PARTITIONS = 6  # as the local stack and compose
HOT_TOPICS = {DECLARATION_SUBMITTED: 64, IDENTITY_VERIFIED: 64, CHECKPOINT_PASSED: 64,
              WARD_NOTIFIED: 64, CHECKPOINT_REFUSED: 16, IDENTITY_REJECTED: 16}
COLD_PARTITIONS = 8
DLQ_PARTITIONS = 3
PRODUCTION_REPLICATION = 3
PRODUCTION_MIN_INSYNC = 2


def production_partitions(topic: str) -> int:
    if topic.endswith(DLQ_SUFFIX):
        return DLQ_PARTITIONS
    return HOT_TOPICS.get(topic, COLD_PARTITIONS)


def resource_name(topic: str) -> str:
    """A Kubernetes name for a topic: `zone.level_changed` -> `zone-level-changed`."""
    return topic.replace(".", "-").replace("_", "-")


TOPICS: tuple[str, ...] = ALL_TOPICS
