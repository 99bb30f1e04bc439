"""docker-compose.yml agrees with the code: every service, its port, the start order,
and Keycloak (the realm the services trust, the one the seed job extends)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy.k8s import plan
from deploy.k8s.plan import SERVICE_PLAN, Service
from deploy.local.run import SERVICES
from libs.runtime import topics_admin

REPO = Path(__file__).resolve().parents[2]
ONE_SHOT = {"kafka-topics", "demo-seed"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services: dict[str, Any] = loaded["services"]
    return services


def test_every_service_of_the_launcher_is_in_compose(compose: dict[str, Any]) -> None:
    infrastructure = {"kafka", "mongo", "keycloak"} | ONE_SHOT
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
def test_service_starts_after_topics_a_healthy_replica_set_and_keycloak(compose: dict[str, Any],
                                                                       service: Service) -> None:
    entry = compose[service.name]
    assert entry["depends_on"] == {"kafka-topics": {"condition": "service_completed_successfully"},
                                   "mongo": {"condition": "service_healthy"},
                                   "keycloak": {"condition": "service_healthy"}}
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
    # Compose's broker deletes by age like the local stack: 45 days unless a topic says less.
    assert str(compose["kafka"]["environment"]["KAFKA_LOG_RETENTION_HOURS"]) == "1080"


def test_demo_seed_extends_the_realm_then_loads_the_demo(compose: dict[str, Any]) -> None:
    seed = compose["demo-seed"]
    # The development client and demo staff first: the loader signs in with them.
    assert seed["command"] == ["sh", "-c", "python -m deploy.keycloak.development && "
                                           "exec python -m deploy.local.demo"]
    assert (REPO / "deploy/keycloak/development.py").is_file()
    assert seed["depends_on"] == {"keycloak": {"condition": "service_healthy"},
                                  **{s.name: {"condition": "service_healthy"} for s in SERVICES}}
    for service in SERVICE_PLAN:  # it reaches each service by its compose name
        assert seed["environment"][f"{service.prefix}URL"] == f"http://{service.name}:{service.port}"


def test_demo_seed_administers_keycloak_by_its_compose_name(compose: dict[str, Any]) -> None:
    env, keycloak = compose["demo-seed"]["environment"], compose["keycloak"]
    assert env["KEYCLOAK_URL"] == f"http://keycloak:{_keycloak_option(keycloak, 'http-port')}"
    assert env["KEYCLOAK_ADMIN_USER"] == keycloak["environment"]["KC_BOOTSTRAP_ADMIN_USERNAME"]
    assert env["KEYCLOAK_ADMIN_PASSWORD"] == keycloak["environment"]["KC_BOOTSTRAP_ADMIN_PASSWORD"]
    # The issuer tells it the realm's name; the tokens it gets carry that issuer.
    assert env["KHAIBAO_OIDC_ISSUER"] == compose["declaration"]["environment"]["KHAIBAO_OIDC_ISSUER"]


def test_only_declaration_keeps_keys_where_the_image_keeps_its_state(compose: dict[str, Any]) -> None:
    # Its QR signing key ring must outlive the container; no service holds a token
    # signing key any more (Keycloak signs), so nothing else needs the volume.
    state = re.search(r"KHAIBAO_STATE=(\S+)", (REPO / "Dockerfile").read_text())
    assert state is not None
    assert compose["declaration"]["volumes"] == [f"keys:{state.group(1)}/keys"]
    for name in [s.name for s in SERVICE_PLAN if s.name != "declaration"] + ["demo-seed"]:
        assert "volumes" not in compose[name], name


def test_no_service_is_given_a_token_signing_key(compose: dict[str, Any]) -> None:
    for name, entry in compose.items():
        assert not any("JWT" in key for key in entry.get("environment") or {}), name


# Keycloak: the realm the services trust is the one Keycloak imports and issues.

REALM = json.loads(plan.REALM_FILE.read_text())


def _keycloak_option(entry: dict[str, Any], option: str) -> str:
    found: list[str] = [arg.split("=", 1)[1] for arg in entry["command"]
                        if arg.startswith(f"--{option}=")]
    assert len(found) == 1, f"keycloak: --{option} given {len(found)} times"
    return found[0]


def test_keycloak_is_the_version_of_the_local_stack_and_the_cluster(compose: dict[str, Any]) -> None:
    pom = ET.parse(REPO / "deploy/keycloak/pom.xml").getroot()
    version = next(e.text for e in pom.iter() if e.tag.endswith("keycloak.version"))
    assert version == plan.KEYCLOAK_VERSION
    assert compose["keycloak"]["image"] == plan.KEYCLOAK_IMAGE


def test_keycloak_imports_the_realm_file_and_reports_its_health(compose: dict[str, Any]) -> None:
    keycloak = compose["keycloak"]
    assert keycloak["command"][0] == "start-dev" and "--import-realm" in keycloak["command"]
    realm_file = plan.REALM_FILE.relative_to(REPO).as_posix()
    assert (f"./{realm_file}:{plan.KEYCLOAK_IMPORT_DIR}/{plan.REALM_FILE.name}:ro"
            in keycloak["volumes"])
    # start-dev keeps its H2 database under /opt/keycloak/data: a named volume.
    assert "keycloak-data:/opt/keycloak/data" in keycloak["volumes"]
    assert _keycloak_option(keycloak, "health-enabled") == "true"
    probe = " ".join(keycloak["healthcheck"]["test"])
    assert f"/dev/tcp/127.0.0.1/{plan.KEYCLOAK_MANAGEMENT_PORT}" in probe and "/health/ready" in probe
    # The realm's redirect URIs are written ${KHAIBAO_PUBLIC_URL:…}: Keycloak needs the value.
    assert "${KHAIBAO_PUBLIC_URL" in plan.REALM_FILE.read_text()
    assert keycloak["environment"]["KHAIBAO_PUBLIC_URL"].startswith("http")


def test_keycloak_is_published_where_its_hostname_says(compose: dict[str, Any]) -> None:
    keycloak = compose["keycloak"]
    hostname = _keycloak_option(keycloak, "hostname")
    port = _keycloak_option(keycloak, "http-port")
    assert keycloak["ports"] == [f"{hostname.removeprefix('http://')}:{port}"]
    # The services and demo-seed call it as keycloak:8080 and still get this hostname's URLs.
    assert _keycloak_option(keycloak, "hostname-backchannel-dynamic") == "true"


@pytest.mark.parametrize("service", SERVICE_PLAN, ids=lambda s: s.name)
def test_services_trust_the_realm_keycloak_imports(compose: dict[str, Any], service: Service) -> None:
    env, keycloak = compose[service.name]["environment"], compose["keycloak"]
    hostname = _keycloak_option(keycloak, "hostname")
    # Tokens carry the issuer the browser sees; the keys come over the compose network.
    assert env["KHAIBAO_OIDC_ISSUER"] == f"{hostname}/realms/{REALM['realm']}"
    assert env["KHAIBAO_OIDC_JWKS_URL"] == (f"http://keycloak:{_keycloak_option(keycloak, 'http-port')}"
                                            f"/realms/{REALM['realm']}/protocol/openid-connect/certs")
    client = next(c for c in REALM["clients"] if c["clientId"] == env["KHAIBAO_OIDC_CLIENT_ID"])
    audiences = {m["config"]["included.custom.audience"] for m in client["protocolMappers"]
                 if m["protocolMapper"] == "oidc-audience-mapper"}
    assert env["KHAIBAO_OIDC_AUDIENCE"] in audiences
