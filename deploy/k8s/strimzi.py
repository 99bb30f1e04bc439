"""Offline checks of Strimzi custom resources (Kafka, KafkaNodePool, KafkaTopic).

kubernetes-validate knows only built-in kinds, and the Strimzi CRDs are not
published on a registry this project can reach, so the required fields and the
rules the operator enforces when it reconciles (v1 API, KRaft with node pools,
as documented for Strimzi 0.49+) are written down here. Each check returns
messages; an empty list means the resources pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

Doc = dict[str, Any]
API = "kafka.strimzi.io/v1"
KINDS = ("Kafka", "KafkaNodePool", "KafkaTopic")
CLUSTER_LABEL = "strimzi.io/cluster"
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
LISTENER_NAME = re.compile(r"^[a-z0-9]{1,11}$")
LISTENER_TYPES = {"internal", "route", "loadbalancer", "nodeport", "ingress", "cluster-ip"}
STORAGE_TYPES = {"ephemeral", "persistent-claim", "jbod"}
# Broker options the operator sets itself and refuses in spec.kafka.config.
FORBIDDEN_CONFIG = ("listeners", "advertised.", "broker.", "listener.", "host.name", "port",
                    "inter.broker.listener.name", "sasl.", "ssl.", "security.", "password.",
                    "log.dir", "node.id", "process.roles", "controller.", "metadata.log.dir",
                    "zookeeper.", "authorizer.", "super.user")


def _name(doc: Doc) -> str:
    return f"{doc.get('kind')}/{(doc.get('metadata') or {}).get('name')}"


def _is_int(value: Any, low: int, high: int | None = None) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= low and (
        high is None or value <= high)


def _common(doc: Doc, name_pattern: re.Pattern[str]) -> list[str]:
    errors = []
    if doc.get("apiVersion") != API:
        errors.append(f"apiVersion must be {API} (older versions are gone in Strimzi 1.0)")
    name = (doc.get("metadata") or {}).get("name")
    if not isinstance(name, str) or not name_pattern.match(name) or len(name) > 253:
        errors.append(f"metadata.name {name!r} is not a valid Kubernetes name")
    if not isinstance(doc.get("spec"), dict):
        errors.append("spec is required")
    return errors


def _cluster_label(doc: Doc) -> list[str]:
    labels = (doc.get("metadata") or {}).get("labels") or {}
    return [] if labels.get(CLUSTER_LABEL) else [f"label {CLUSTER_LABEL} is required"]


def _storage(storage: Any) -> list[str]:
    if not isinstance(storage, dict) or storage.get("type") not in STORAGE_TYPES:
        return [f"spec.storage.type must be one of {sorted(STORAGE_TYPES)}"]
    if storage["type"] == "persistent-claim" and not storage.get("size"):
        return ["spec.storage.size is required for persistent-claim"]
    if storage["type"] != "jbod":
        return []
    volumes = storage.get("volumes")
    if not isinstance(volumes, list) or not volumes:
        return ["spec.storage.volumes is required for jbod"]
    errors = []
    for i, volume in enumerate(volumes):
        if volume.get("type") not in ("ephemeral", "persistent-claim"):
            errors.append(f"spec.storage.volumes[{i}].type must be ephemeral or persistent-claim")
        if not _is_int(volume.get("id"), 0):
            errors.append(f"spec.storage.volumes[{i}].id is required for jbod volumes")
        if volume.get("type") == "persistent-claim" and not volume.get("size"):
            errors.append(f"spec.storage.volumes[{i}].size is required for persistent-claim")
    ids = [v.get("id") for v in volumes]
    if len(set(ids)) != len(ids):
        errors.append("spec.storage.volumes ids must be unique")
    if sum(v.get("kraftMetadata") == "shared" for v in volumes) > 1:
        errors.append("at most one volume may hold KRaft metadata")
    return errors


def check_node_pool(doc: Doc) -> list[str]:
    errors = _common(doc, DNS_LABEL) + _cluster_label(doc)
    spec = doc.get("spec") or {}
    if not _is_int(spec.get("replicas"), 0):
        errors.append("spec.replicas is required (an integer >= 0)")
    roles = spec.get("roles")
    if not isinstance(roles, list) or not roles or not set(roles) <= {"controller", "broker"} \
            or len(set(roles)) != len(roles):
        errors.append("spec.roles is required: controller and/or broker, each once")
    return errors + _storage(spec.get("storage"))


def _listener(i: int, listener: Any) -> list[str]:
    where = f"spec.kafka.listeners[{i}]"
    if not isinstance(listener, dict):
        return [f"{where} must be an object"]
    errors = []
    if not LISTENER_NAME.match(str(listener.get("name", ""))):
        errors.append(f"{where}.name is required: 1-11 lower-case letters or digits")
    port = listener.get("port")
    if not _is_int(port, 9092, 65535) or port in (9404, 9999):
        errors.append(f"{where}.port is required: 9092 or higher, not 9404 or 9999")
    if listener.get("type") not in LISTENER_TYPES:
        errors.append(f"{where}.type must be one of {sorted(LISTENER_TYPES)}")
    if not isinstance(listener.get("tls"), bool):
        errors.append(f"{where}.tls is required (true or false)")
    return errors


def check_kafka(doc: Doc) -> list[str]:
    errors = _common(doc, DNS_LABEL)
    spec = doc.get("spec") or {}
    kafka = spec.get("kafka")
    if not isinstance(kafka, dict):
        return [*errors, "spec.kafka is required"]
    for legacy in ("replicas", "storage"):
        if legacy in kafka:
            errors.append(f"spec.kafka.{legacy} is gone in v1: it belongs to the KafkaNodePools")
    if "zookeeper" in spec:
        errors.append("spec.zookeeper is gone: Strimzi runs KRaft only")
    listeners = kafka.get("listeners")
    if not isinstance(listeners, list) or not listeners:
        errors.append("spec.kafka.listeners is required (at least one)")
        listeners = []
    for i, listener in enumerate(listeners):
        errors += _listener(i, listener)
    for key in ("name", "port"):
        values = [item.get(key) for item in listeners if isinstance(item, dict)]
        if len(set(values)) != len(values):
            errors.append(f"spec.kafka.listeners: each {key} must be unique")
    for option in kafka.get("config") or {}:
        if option.startswith(FORBIDDEN_CONFIG):
            errors.append(f"spec.kafka.config.{option} is set by the operator and refused")
    return errors


def check_topic(doc: Doc) -> list[str]:
    errors = _common(doc, DNS_SUBDOMAIN) + _cluster_label(doc)
    spec = doc.get("spec") or {}
    if not _is_int(spec.get("partitions"), 1):
        errors.append("spec.partitions is required here (an integer >= 1): the broker default hides intent")
    if not _is_int(spec.get("replicas"), 1, 32767):
        errors.append("spec.replicas is required here (1 to 32767)")
    if "config" in spec and not isinstance(spec["config"], dict):
        errors.append("spec.config must be an object")
    return errors


CHECKS = {"Kafka": check_kafka, "KafkaNodePool": check_node_pool, "KafkaTopic": check_topic}


def check(doc: Doc) -> list[str]:
    return [f"{_name(doc)}: {e}" for e in CHECKS[doc["kind"]](doc)]


def check_cluster(docs: Iterable[Doc]) -> list[str]:
    """Rules across resources: pools and topics belong to a Kafka, quorum, replication."""
    docs = list(docs)
    clusters = {d["metadata"]["name"]: d for d in docs if d.get("kind") == "Kafka"}
    errors = []
    for doc in docs:
        if doc.get("kind") in ("KafkaNodePool", "KafkaTopic"):
            cluster = (doc["metadata"].get("labels") or {}).get(CLUSTER_LABEL)
            if cluster not in clusters:
                errors.append(f"{_name(doc)}: no Kafka named {cluster!r}")
    for name, kafka in clusters.items():
        errors += [f"Kafka/{name}: {e}" for e in _cluster_rules(name, kafka, docs)]
    return errors


def _of(docs: list[Doc], kind: str, cluster: str) -> list[Doc]:
    return [d for d in docs if d.get("kind") == kind
            and (d["metadata"].get("labels") or {}).get(CLUSTER_LABEL) == cluster]


def _cluster_rules(name: str, kafka: Doc, docs: list[Doc]) -> list[str]:
    pools, topics = _of(docs, "KafkaNodePool", name), _of(docs, "KafkaTopic", name)
    count = {role: sum(p["spec"].get("replicas", 0) for p in pools if role in p["spec"].get("roles", ()))
             for role in ("controller", "broker")}
    errors = []
    if count["controller"] < 1 or count["controller"] % 2 == 0:
        errors.append(f"{count['controller']} controllers: a KRaft quorum needs an odd number")
    if count["broker"] < 1:
        errors.append("no node pool with the broker role")
    config = kafka["spec"]["kafka"].get("config") or {}
    for option in ("default.replication.factor", "offsets.topic.replication.factor",
                   "transaction.state.log.replication.factor"):
        if int(config.get(option, 3)) > count["broker"]:
            errors.append(f"{option}={config.get(option, 3)} but only {count['broker']} brokers")
    if topics and "topicOperator" not in (kafka["spec"].get("entityOperator") or {}):
        errors.append("KafkaTopics exist but spec.entityOperator.topicOperator is not enabled")
    default_isr = int(config.get("min.insync.replicas", 1))
    seen: dict[str, str] = {}
    for topic in topics:
        spec, topic_name = topic["spec"], topic["spec"].get("topicName", topic["metadata"]["name"])
        replicas = int(spec.get("replicas", config.get("default.replication.factor", 1)))
        isr = int((spec.get("config") or {}).get("min.insync.replicas", default_isr))
        if replicas > count["broker"]:
            errors.append(f"topic {topic_name}: {replicas} replicas but {count['broker']} brokers")
        if replicas > 1 and isr >= replicas:
            errors.append(f"topic {topic_name}: min.insync.replicas={isr} with {replicas} replicas "
                          "stops acks=all writes when one broker is down")
        resource = topic["metadata"]["name"]
        if topic_name in seen:
            errors.append(f"topic {topic_name} declared twice: {seen[topic_name]}, {resource}")
        seen[topic_name] = resource
    return errors
