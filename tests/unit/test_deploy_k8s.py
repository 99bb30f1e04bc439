"""deploy/k8s agrees with the code, and its checks catch what they claim to.

No kustomize here (`python -m deploy.k8s.validate` renders and checks the
overlays in CI); these read the files as written and run the same checks.
"""

from __future__ import annotations

import copy
import importlib
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy.k8s import generate, plan, project, references, strimzi, validate
from deploy.k8s.plan import SERVICE_PLAN, Service
from deploy.local.run import SERVICES
from libs.contracts.topics import ALL_TOPICS

K8S = Path(validate.__file__).parent
Doc = dict[str, Any]


def _load(path: Path) -> list[Doc]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def _kustomization(target: str) -> Doc:
    loaded: Doc = yaml.safe_load((K8S / target / "kustomization.yaml").read_text())
    return loaded


@pytest.fixture(scope="module")
def base() -> list[Doc]:
    resources = _kustomization("base")["resources"]
    return [doc for resource in resources for doc in _load(K8S / "base" / resource)]


def test_generated_manifests_are_current() -> None:
    assert generate.stale() == [], "run python -m deploy.k8s.generate"


def test_the_plan_covers_exactly_the_services_of_the_launcher() -> None:
    assert [s.process for s in SERVICE_PLAN] == SERVICES


def test_every_manifest_file_is_in_the_base(base: list[Doc]) -> None:
    listed = {K8S / "base" / r for r in _kustomization("base")["resources"]}
    on_disk = {p for p in (K8S / "base").rglob("*.yaml") if p.name != "kustomization.yaml"}
    assert on_disk == listed


def test_the_base_passes_every_check_but_rendering(base: list[Doc]) -> None:
    errors = [e for doc in base for e in validate.check_schema(doc)]
    errors += strimzi.check_cluster(base) + references.check_selectors(base) + references.check_targets(base)
    assert errors + project.check_all(base, production=False) == []


def test_every_catalogue_topic_is_declared_with_partitions_and_the_policys_retention(
        base: list[Doc]) -> None:
    topics = {d["spec"]["topicName"]: d["spec"] for d in base if d["kind"] == "KafkaTopic"}
    assert set(topics) == set(ALL_TOPICS)
    for name, spec in topics.items():
        days = 730 if name.removesuffix(".dlq") in ("trace.accessed", "person.revealed") else 45
        assert spec["partitions"] >= 1 and spec["config"]["retention.ms"] == days * 86_400_000


def test_production_patches_every_topic_for_replication() -> None:
    patches = {d["metadata"]["name"]: d["spec"] for d in _load(K8S / "overlays/production/topics.yaml")}
    assert set(patches) == {plan.resource_name(t) for t in ALL_TOPICS}
    for spec in patches.values():
        assert spec["replicas"] == 3 and spec["config"]["min.insync.replicas"] == 2
    assert len({plan.resource_name(t) for t in ALL_TOPICS}) == len(ALL_TOPICS), "two topics, one name"


def test_production_patches_only_objects_of_the_base(base: list[Doc]) -> None:
    known = {(d["kind"], d["metadata"]["name"]) for d in base}
    for patch in _kustomization("overlays/production")["patches"]:
        for doc in _load(K8S / "overlays/production" / patch["path"]):
            assert (doc["kind"], doc["metadata"]["name"]) in known, f"{patch['path']}: {doc['kind']}"


def test_the_secret_holds_what_the_pods_read_and_the_tool_makes(base: list[Doc]) -> None:
    generator = _kustomization("overlays/production")["secretGenerator"]
    files = {Path(f).name for g in generator if g["name"] == plan.SECRET for f in g["files"]}
    from deploy.k8s import secrets

    assert files == set(secrets.names())
    read = {key for _, template in references.pod_specs(base)
            for kind, name, key in references._refs(template["spec"]) if kind == "Secret"}
    patched = [d for d in _load(K8S / "overlays/production/keycloak.yaml") if d["kind"] == "Deployment"]
    read |= {key for d in patched for kind, name, key in references._refs(d["spec"]["template"]["spec"])
             if kind == "Secret"}
    assert "keycloak-db-password" in read
    assert read <= files


def test_a_secret_volume_mounts_only_the_keys_it_names(base: list[Doc]) -> None:
    # Without `items` a Secret volume holds every key (Mongo passwords, the subject
    # secret). The services check staff tokens with Keycloak's public keys, so the
    # only key file left is declaration's QR key ring.
    mounted = {}
    for workload, template in references.pod_specs(base):
        for volume in template["spec"].get("volumes", []):
            if "secret" in volume:
                assert volume["secret"].get("items"), f"{workload['metadata']['name']}: {volume['name']}"
                if workload["kind"] == "Deployment":
                    mounted[workload["metadata"]["name"]] = [i["key"] for i in volume["secret"]["items"]]
    assert mounted == {"declaration": ["qr-signing.json"]}


def test_the_realm_config_map_is_the_realm_file(base: list[Doc]) -> None:
    (realm,) = [d for d in base if d["kind"] == "ConfigMap"
                and d["metadata"]["name"] == plan.REALM_CONFIG_MAP]
    assert realm["data"] == {plan.REALM_FILE.name: plan.REALM_FILE.read_text()}


@pytest.mark.parametrize("service", [s for s in SERVICE_PLAN if s.process.exists], ids=lambda s: s.name)
def test_the_plan_matches_the_service_settings(service: Service) -> None:
    settings = importlib.import_module(f"services.{service.process.module}.settings").Settings
    assert settings.model_config["env_prefix"] == service.prefix, "HOST/PORT would not reach it"
    assert settings.model_fields["port"].default == service.port
    assert settings.model_fields["mongo_db"].default == service.mongo_db


# The checks must fail on what they guard against: each case breaks one thing.

def _broken(base: list[Doc], kind: str, name: str, change: Any) -> list[Doc]:
    docs = copy.deepcopy(base)
    change(next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name))
    return docs


def _set(path: str, value: Any) -> Any:
    def change(doc: Doc) -> None:
        *parents, last = path.split(".")
        for key in parents:
            doc = doc[int(key)] if isinstance(doc, list) else doc[key]
        doc[last] = value
    return change


def _env_set(name: str, value: str) -> Any:
    """Give the first container's variable `name` a literal value."""
    def change(doc: Doc) -> None:
        env = doc["spec"]["template"]["spec"]["containers"][0]["env"]
        env[:] = [e for e in env if e["name"] != name] + [{"name": name, "value": value}]
    return change


CONTAINER = "spec.template.spec.containers.0"
BREAKAGES = [
    ("Deployment", "checkpoint", _set(f"{CONTAINER}.ports", [{"name": "http", "containerPort": 9000}]),
     "container port"),
    ("Deployment", "movement-trace", _set(f"{CONTAINER}.readinessProbe.httpGet.path", "/healthz"), "/readyz"),
    ("Deployment", "declaration", _set(f"{CONTAINER}.unknownField", 1), "Additional properties"),
    ("Deployment", "declaration", _set("spec.template.metadata.labels", {"app": "x"}), "selector"),
    ("HorizontalPodAutoscaler", "checkpoint", _set("spec.scaleTargetRef.name", "gone"), "no Deployment gone"),
    ("KafkaTopic", "ward-notified", _set("spec.config", {"retention.ms": 604800000}), "retention.ms"),
    ("KafkaTopic", "ward-notified", _set("spec.replicas", 3), "3 replicas but 1 brokers"),
    ("KafkaTopic", "ward-notified", _set("spec.partitions", 0), "spec.partitions"),
    ("KafkaNodePool", "controllers", _set("spec.replicas", 2), "odd number"),
    ("KafkaNodePool", "brokers", _set("spec.storage", {"type": "jbod"}), "volumes is required"),
    ("Kafka", "khaibao", _set("spec.kafka.version", "3.9.0"), "the local stack and compose run"),
    ("Kafka", "khaibao", _set("spec.kafka.listeners.0.tls", "no"), "tls is required"),
    ("Kafka", "khaibao", _set("spec.kafka.config.listeners", "PLAINTEXT://:9092"), "set by the operator"),
    ("Kafka", "khaibao", _set("spec.entityOperator", {}), "topicOperator"),
    ("Job", "mongo-init", _set(f"{CONTAINER}.env.0.value", "3"), "MONGO_MEMBERS=3"),
    ("Deployment", "keycloak", _set(f"{CONTAINER}.image", "quay.io/keycloak/keycloak:25.0.6"),
     "the local stack and compose run Keycloak"),
    ("Deployment", "keycloak", _set(f"{CONTAINER}.args", ["start"]), "--import-realm"),
    ("Deployment", "keycloak", _set(f"{CONTAINER}.readinessProbe.httpGet.port", "http"), "management port"),
    ("Deployment", "keycloak", _set(f"{CONTAINER}.volumeMounts.1.mountPath", "/realm"),
     "where --import-realm reads"),
    ("Deployment", "keycloak", _env_set("KC_HEALTH_ENABLED", "false"), "KC_HEALTH_ENABLED"),
    ("Deployment", "keycloak", _env_set("KC_HOSTNAME", "https://auth.example.org"), "KC_HOSTNAME must come"),
    ("Service", "keycloak", _set("spec.ports", [{"name": "http", "port": 8080, "targetPort": "http"}]),
     "needs ports 8080 (http) and 9000"),
    ("ConfigMap", "khaibao-config", _set("data.KHAIBAO_OIDC_ISSUER", "http://127.0.0.1:8080/realms/other"),
     "Keycloak issues tokens as http://127.0.0.1:8080/realms/khaibao"),
    ("ConfigMap", "khaibao-config", _set("data.KHAIBAO_OIDC_JWKS_URL", "http://127.0.0.1:8080/x"),
     "the in-cluster Service"),
    ("ConfigMap", "khaibao-config", _set("data.KHAIBAO_OIDC_CLIENT_ID", "khaibao-dev-token"), "no client"),
    ("ConfigMap", "khaibao-config", _set("data.KHAIBAO_OIDC_AUDIENCE", "account"), "not in the tokens"),
]


@pytest.mark.parametrize(("kind", "name", "change", "expected"), BREAKAGES,
                         ids=[f"{k}-{n}-{e}" for k, n, _, e in BREAKAGES])
def test_a_broken_manifest_is_reported(base: list[Doc], kind: str, name: str, change: Any,
                                       expected: str) -> None:
    docs = _broken(base, kind, name, change)
    errors = [e for doc in docs for e in validate.check_schema(doc)]
    errors += strimzi.check_cluster(docs) + references.check_selectors(docs) + references.check_targets(docs)
    errors += project.check_all(docs, production=False)
    assert any(expected in e for e in errors), errors


def test_a_missing_topic_or_service_is_reported(base: list[Doc]) -> None:
    without = [d for d in base if d["metadata"]["name"] not in ("case-confirmed-dlq", "checkpoint")]
    errors = project.check_all(without, production=False)
    assert "topic case.confirmed.dlq: no KafkaTopic" in errors
    assert any(e.startswith("service checkpoint: no Deployment") for e in errors)


def test_an_unknown_secret_key_is_reported(base: list[Doc]) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": plan.SECRET},
              "data": {"qr-signing.json": "", "subject-secret": ""}}
    config_maps = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "mongo-init"}, "data": {}}]
    errors = references.check_config_refs([*base, secret, *config_maps], secrets_present=True)
    assert any("reads key mongo-password-checkpoint of Secret khaibao-secrets" in e for e in errors)
    assert not any("mongo-init" in e and "ConfigMap" in e for e in errors)


def test_production_rules_refuse_a_single_copy(base: list[Doc]) -> None:
    errors = project.check_production(base)
    assert "KafkaTopic/declaration-submitted: fewer than 3 replicas" in errors
    assert "StatefulSet/mongo: fewer than 3 members" in errors
    assert "Deployment/keycloak: fewer than 2 replicas" in errors
    assert any("KC_DB=dev-file" in e for e in errors)
    assert "ConfigMap/khaibao-config: KEYCLOAK_HOSTNAME must be https:// in production" in errors


def _with_production_keycloak(base: list[Doc]) -> list[Doc]:
    """The base with the overlay's Keycloak and config patches merged as kustomize would
    (strategic merge: env by name, data by key); validate.py checks the real rendering."""
    docs = copy.deepcopy(base)
    overlay = K8S / "overlays/production"
    for patch in _load(overlay / "keycloak.yaml") + _load(overlay / "config.yaml"):
        key = (patch["kind"], patch["metadata"]["name"])
        doc = next(d for d in docs if (d["kind"], d["metadata"]["name"]) == key)
        if doc["kind"] == "ConfigMap":
            doc["data"].update(patch["data"])
            continue
        doc["spec"]["replicas"] = patch["spec"]["replicas"]
        container = doc["spec"]["template"]["spec"]["containers"][0]
        (changes,) = patch["spec"]["template"]["spec"]["containers"]
        names = {e["name"] for e in changes["env"]}
        container["env"] = [*changes["env"], *(e for e in container["env"] if e["name"] not in names)]
        container["resources"] = changes["resources"]
    return docs


def test_production_keycloak_is_shared_replicated_and_public(base: list[Doc]) -> None:
    docs = _with_production_keycloak(base)
    assert project.check_keycloak(docs) + project.check_keycloak_production(docs) == []
    config = next(d for d in docs if d["metadata"]["name"] == plan.CONFIG)["data"]
    assert config["KHAIBAO_OIDC_ISSUER"].startswith("https://")
