"""Checks that a rendering matches the code: every service, every topic, the same Kafka.

The catalogue (libs/contracts/topics.py) and the service list (deploy/local/run.py)
are the truth; the manifests must follow them, whether generated or not.
"""

from __future__ import annotations

from typing import Any

from deploy.k8s import plan

Doc = dict[str, Any]


def _find(docs: list[Doc], kind: str, name: str) -> Doc | None:
    return next((d for d in docs if d.get("kind") == kind and d["metadata"]["name"] == name), None)


def _env(container: Doc) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container.get("env", []) if "value" in e}


def check_service(docs: list[Doc], service: plan.Service) -> list[str]:
    where = f"service {service.name}"
    missing = [k for k in ("Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler")
               if _find(docs, k, service.name) is None]
    if missing:
        return [f"{where}: no {', '.join(missing)}"]
    deployment = _find(docs, "Deployment", service.name)
    assert deployment is not None
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    env, errors = _env(container), []
    if [p["containerPort"] for p in container.get("ports", [])] != [service.port]:
        errors.append(f"{where}: container port is not {service.port}")
    if env.get(f"{service.prefix}PORT") != str(service.port) or env.get(f"{service.prefix}HOST") != "0.0.0.0":
        errors.append(f"{where}: {service.prefix}PORT/{service.prefix}HOST do not make it listen on "
                      f"0.0.0.0:{service.port}")
    if not container["image"].split("/")[-1].split(":")[0].endswith(service.name):
        errors.append(f"{where}: image {container['image']} is not the {service.name} image")
    for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
        got = (container.get(probe) or {}).get("httpGet", {})
        if got.get("path") != path or got.get("port") not in ("http", service.port):
            errors.append(f"{where}: {probe} must GET {path} on the service port")
    resources = container.get("resources", {})
    if not resources.get("requests", {}).get("cpu") or not resources.get("limits", {}).get("memory"):
        errors.append(f"{where}: needs a CPU request (the autoscaler works from it) and a memory limit")
    return errors


def check_topics(docs: list[Doc]) -> list[str]:
    declared = {d["spec"].get("topicName", d["metadata"]["name"]): d
                for d in docs if d.get("kind") == "KafkaTopic"}
    errors = [f"topic {t}: no KafkaTopic" for t in plan.TOPICS if t not in declared]
    errors += [f"KafkaTopic {t}: not in the catalogue (libs/contracts/topics.py)"
               for t in declared if t not in plan.TOPICS]
    for name, doc in declared.items():
        retention = (doc["spec"].get("config") or {}).get("retention.ms")
        if str(retention) != "-1":
            errors.append(f"topic {name}: retention.ms is {retention}, the event log keeps everything (-1)")
    return errors


def check_kafka(docs: list[Doc]) -> list[str]:
    kafka = _find(docs, "Kafka", plan.KAFKA_CLUSTER)
    if kafka is None:
        return [f"no Kafka named {plan.KAFKA_CLUSTER}"]
    version = kafka["spec"]["kafka"].get("version")
    if version != plan.KAFKA_VERSION:
        return [f"Kafka version {version}: the local stack and compose run {plan.KAFKA_VERSION}"]
    return []


def check_mongo(docs: list[Doc]) -> list[str]:
    statefulset, job = _find(docs, "StatefulSet", "mongo"), _find(docs, "Job", "mongo-init")
    if statefulset is None or job is None:
        return ["MongoDB: needs the StatefulSet mongo and the Job mongo-init"]
    env = _env(job["spec"]["template"]["spec"]["containers"][0])
    errors = []
    if env.get("MONGO_MEMBERS") != str(statefulset["spec"]["replicas"]):
        errors.append(f"Job/mongo-init: MONGO_MEMBERS={env.get('MONGO_MEMBERS')} but the StatefulSet "
                      f"has {statefulset['spec']['replicas']} replicas")
    users = dict(pair.split("=") for pair in env.get("MONGO_USERS", "").split(",") if pair)
    for service in plan.SERVICE_PLAN:
        deployment = _find(docs, "Deployment", service.name)
        if deployment is None:
            continue
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        database, owned = _env(container).get(f"{service.prefix}MONGO_DB"), users.get(service.name)
        if owned != database:
            errors.append(f"Job/mongo-init: user {service.name} must own {database}, not {owned}")
    return errors


def check_production(docs: list[Doc]) -> list[str]:
    """What a production rendering needs beyond being consistent: redundancy everywhere."""
    errors = []
    for doc in docs:
        kind, name, spec = doc.get("kind"), doc["metadata"]["name"], doc.get("spec") or {}
        if kind == "KafkaTopic" and spec.get("replicas", 0) < 3:
            errors.append(f"KafkaTopic/{name}: fewer than 3 replicas")
        if kind == "KafkaNodePool" and spec.get("replicas", 0) < 3:
            errors.append(f"KafkaNodePool/{name}: fewer than 3 nodes")
        if kind == "StatefulSet" and spec.get("replicas", 1) < 3:
            errors.append(f"StatefulSet/{name}: fewer than 3 members")
        if kind == "HorizontalPodAutoscaler" and spec.get("minReplicas", 1) < 2:
            errors.append(f"HorizontalPodAutoscaler/{name}: fewer than 2 replicas at least")
    most = max((d["spec"]["partitions"] for d in docs if d.get("kind") == "KafkaTopic"), default=0)
    for doc in docs:
        if doc.get("kind") == "HorizontalPodAutoscaler" and doc["spec"]["maxReplicas"] > most:
            errors.append(f"HorizontalPodAutoscaler/{doc['metadata']['name']}: more replicas than any "
                          f"topic has partitions ({most}): the extra consumers would idle")
    return errors


def check_all(docs: list[Doc], *, production: bool) -> list[str]:
    errors = [e for s in plan.SERVICE_PLAN for e in check_service(docs, s)]
    errors += check_topics(docs) + check_kafka(docs) + check_mongo(docs)
    return errors + (check_production(docs) if production else [])
