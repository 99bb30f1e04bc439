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


def test_every_catalogue_topic_is_declared_with_partitions_and_kept_forever(base: list[Doc]) -> None:
    topics = {d["spec"]["topicName"]: d["spec"] for d in base if d["kind"] == "KafkaTopic"}
    assert set(topics) == set(ALL_TOPICS)
    for spec in topics.values():
        assert spec["partitions"] >= 1 and spec["config"]["retention.ms"] == -1


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
    assert read <= files


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
              "data": {"jwt-issuer.pem": "", "subject-secret": ""}}
    config_maps = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "mongo-init"}, "data": {}}]
    errors = references.check_config_refs([*base, secret, *config_maps], secrets_present=True)
    assert any("reads key mongo-password-checkpoint of Secret khaibao-secrets" in e for e in errors)
    assert not any("mongo-init" in e and "ConfigMap" in e for e in errors)


def test_production_rules_refuse_a_single_copy(base: list[Doc]) -> None:
    errors = project.check_production(base)
    assert "KafkaTopic/declaration-submitted: fewer than 3 replicas" in errors
    assert "StatefulSet/mongo: fewer than 3 members" in errors
