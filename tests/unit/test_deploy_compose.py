"""docker-compose.yml agrees with the code: every service, its port, the start order."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy.k8s.plan import SERVICE_PLAN, Service
from deploy.local.run import SERVICES
from libs.runtime import topics_admin

REPO = Path(__file__).resolve().parents[2]
ONE_SHOT = {"kafka-topics", "demo-seed"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return loaded["services"]


def test_every_service_of_the_launcher_is_in_compose(compose: dict[str, Any]) -> None:
    infrastructure = {"kafka", "mongo"} | ONE_SHOT
    assert set(compose) - infrastructure == {s.name for s in SERVICES}


@pytest.mark.parametrize("service", SERVICE_PLAN, ids=lambda s: s.name)
def test_service_builds_its_module_and_listens_on_its_port(compose: dict[str, Any], service: Service) -> None:
    entry = compose[service.name]
    assert entry["build"]["args"]["SERVICE"] == service.process.module
    env = entry["environment"]
    # HOST 0.0.0.0 or the service would only answer inside its own container.
    assert env[f"{service.prefix}HOST"] == "0.0.0.0"
    assert env[f"{service.prefix}PORT"] == str(service.port)
    assert entry["ports"] == [f"127.0.0.1:{service.port}:{service.port}"]
    assert f"http://127.0.0.1:{service.port}/readyz" in " ".join(entry["healthcheck"]["test"])
    # Same image name as the Kubernetes base, so a local build runs there too (kind, minikube).
    assert entry["image"] == f"{service.image}:dev"


@pytest.mark.parametrize("service", SERVICE_PLAN, ids=lambda s: s.name)
def test_service_starts_after_topics_and_a_healthy_replica_set(compose: dict[str, Any],
                                                               service: Service) -> None:
    entry = compose[service.name]
    assert entry["depends_on"] == {"kafka-topics": {"condition": "service_completed_successfully"},
                                   "mongo": {"condition": "service_healthy"}}
    assert entry["environment"]["KAFKA_BOOTSTRAP"] == "kafka:9092"
    assert "replicaSet=rs0" in entry["environment"]["MONGO_URL"]


def test_conditions_refer_to_services_that_can_meet_them(compose: dict[str, Any]) -> None:
    for name, entry in compose.items():
        for dependency, rule in (entry.get("depends_on") or {}).items():
            assert dependency in compose, f"{name} depends on unknown {dependency}"
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in compose[dependency], f"{dependency} has no health check"
            if rule["condition"] == "service_completed_successfully":
                assert dependency in ONE_SHOT and "restart" not in compose[dependency]


def test_mongo_is_the_replica_set_the_services_name(compose: dict[str, Any]) -> None:
    command = compose["mongo"]["command"]
    replica_set = command[command.index("--replSet") + 1]
    assert f"_id: '{replica_set}'" in " ".join(compose["mongo"]["healthcheck"]["test"])
    urls = {compose[s.name]["environment"]["MONGO_URL"] for s in SERVICE_PLAN}
    assert urls == {f"mongodb://mongo:27017/?replicaSet={replica_set}"}


def test_kafka_is_the_version_of_the_local_stack(compose: dict[str, Any]) -> None:
    pom = ET.parse(REPO / "deploy/local/kafka/pom.xml").getroot()
    version = next(e.text for e in pom.iter() if e.tag.endswith("kafka.version"))
    assert compose["kafka"]["image"] == f"apache/kafka:{version}"


def test_topic_job_runs_the_catalogue_admin(compose: dict[str, Any]) -> None:
    job = compose["kafka-topics"]
    assert job["command"] == ["python", "-m", "libs.runtime.topics_admin"]
    assert callable(topics_admin.main)
    assert job["depends_on"] == {"kafka": {"condition": "service_healthy"}}
    # Compose's broker keeps data forever like the topics the job creates.
    assert str(compose["kafka"]["environment"]["KAFKA_LOG_RETENTION_HOURS"]) == "-1"


def test_demo_seed_runs_after_every_service_is_ready(compose: dict[str, Any]) -> None:
    seed = compose["demo-seed"]
    assert seed["command"] == ["python", "-m", "deploy.local.demo"]
    assert seed["depends_on"] == {s.name: {"condition": "service_healthy"} for s in SERVICES}
    for service in SERVICE_PLAN:  # it reaches each service by its compose name
        assert seed["environment"][f"{service.prefix}URL"] == f"http://{service.name}:{service.port}"


def test_keys_are_shared_where_the_image_keeps_its_state(compose: dict[str, Any]) -> None:
    state = re.search(r"KHAIBAO_STATE=(\S+)", (REPO / "Dockerfile").read_text())
    assert state is not None
    for name in [s.name for s in SERVICE_PLAN] + ["demo-seed"]:
        assert compose[name]["volumes"] == [f"keys:{state.group(1)}/keys"]
