"""Checks that a rendering matches the code: every service, every topic, the same Kafka,
the same Keycloak and realm.

The catalogue (libs/contracts/topics.py), the service list (deploy/local/run.py)
and the realm file (deploy/keycloak/khaibao-realm.json) are the truth; the
manifests must follow them, whether generated or not.
"""

from __future__ import annotations

import json
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
        wanted = plan.RETENTION.topic_configs(name)["retention.ms"]
        if str(retention) != wanted:
            errors.append(f"topic {name}: retention.ms is {retention}, the retention policy "
                          f"says {wanted} (libs/runtime/retention.py)")
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


def _realm(docs: list[Doc]) -> Doc | None:
    config_map = _find(docs, "ConfigMap", plan.REALM_CONFIG_MAP)
    text = ((config_map or {}).get("data") or {}).get(plan.REALM_FILE.name)
    return json.loads(text) if text else None


def _audiences(realm: Doc, client_id: str) -> set[str]:
    """The audiences the realm's audience mappers add to `client_id`'s tokens."""
    client: Doc = next((c for c in realm.get("clients", []) if c.get("clientId") == client_id), {})
    return {m["config"].get("included.custom.audience") for m in client.get("protocolMappers", [])
            if m.get("protocolMapper") == "oidc-audience-mapper"}


def _keycloak_container(docs: list[Doc]) -> Doc | None:
    deployment = _find(docs, "Deployment", plan.KEYCLOAK)
    if deployment is None:
        return None
    containers = deployment["spec"]["template"]["spec"]["containers"]
    return next((c for c in containers if c["name"] == plan.KEYCLOAK), None)


def _pod_volumes(docs: list[Doc], name: str) -> list[Doc]:
    deployment = _find(docs, "Deployment", name)
    return deployment["spec"]["template"]["spec"].get("volumes", []) if deployment else []


def check_keycloak(docs: list[Doc]) -> list[str]:
    """Keycloak runs the local stack's version, imports the realm, and says when it is ready;
    the services' KHAIBAO_OIDC_* settings name that realm, its public URL and its client."""
    container, service = _keycloak_container(docs), _find(docs, "Service", plan.KEYCLOAK)
    realm = _realm(docs)
    if container is None or service is None or realm is None:
        return [f"Keycloak: needs the Deployment and Service {plan.KEYCLOAK} and the ConfigMap "
                f"{plan.REALM_CONFIG_MAP} with {plan.REALM_FILE.name}"]
    where, env, errors = f"Deployment/{plan.KEYCLOAK}", _env(container), []
    if container["image"].rpartition(":")[2] != plan.KEYCLOAK_VERSION:
        errors.append(f"{where}: image {container['image']}: the local stack and compose run "
                      f"Keycloak {plan.KEYCLOAK_VERSION}")
    if "--import-realm" not in container.get("args", []) + container.get("command", []):
        errors.append(f"{where}: without --import-realm the realm is never created")
    if realm != json.loads(plan.REALM_FILE.read_text()):
        errors.append(f"ConfigMap/{plan.REALM_CONFIG_MAP}: not the realm of deploy/keycloak/"
                      f"{plan.REALM_FILE.name} (python -m deploy.k8s.generate)")
    hostname: Doc = next((e for e in container.get("env", []) if e["name"] == "KC_HOSTNAME"), {})
    if (hostname.get("valueFrom") or {}).get("configMapKeyRef") != {"name": plan.CONFIG,
                                                                     "key": "KEYCLOAK_HOSTNAME"}:
        errors.append(f"{where}: KC_HOSTNAME must come from {plan.CONFIG}'s KEYCLOAK_HOSTNAME, the "
                      "value KHAIBAO_OIDC_ISSUER is checked against")
    realm_volumes = {v["name"] for v in _pod_volumes(docs, plan.KEYCLOAK)
                     if (v.get("configMap") or {}).get("name") == plan.REALM_CONFIG_MAP}
    if not any(m["name"] in realm_volumes and m["mountPath"] == plan.KEYCLOAK_IMPORT_DIR
               for m in container.get("volumeMounts", [])):
        errors.append(f"{where}: ConfigMap {plan.REALM_CONFIG_MAP} is not mounted at "
                      f"{plan.KEYCLOAK_IMPORT_DIR}, where --import-realm reads")
    if env.get("KC_HEALTH_ENABLED") != "true":
        errors.append(f"{where}: KC_HEALTH_ENABLED must be true (the probes ask /health)")
    ports = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
    for probe, path in (("readinessProbe", "/health/ready"), ("livenessProbe", "/health/live")):
        got = (container.get(probe) or {}).get("httpGet", {})
        port = ports.get(got.get("port"), got.get("port"))  # a port's name or its number
        if got.get("path") != path or port != plan.KEYCLOAK_MANAGEMENT_PORT:
            errors.append(f"{where}: {probe} must GET {path} on the management port "
                          f"{plan.KEYCLOAK_MANAGEMENT_PORT}")
    service_ports = {p["port"] for p in service["spec"].get("ports", [])}
    if {plan.KEYCLOAK_HTTP_PORT, plan.KEYCLOAK_MANAGEMENT_PORT} - service_ports:
        errors.append(f"Service/{plan.KEYCLOAK}: needs ports {plan.KEYCLOAK_HTTP_PORT} (http) and "
                      f"{plan.KEYCLOAK_MANAGEMENT_PORT} (management)")
    return errors + check_oidc_config(docs, realm)


def check_oidc_config(docs: list[Doc], realm: Doc) -> list[str]:
    """khaibao-config's KHAIBAO_OIDC_* agree with Keycloak and the realm it imports."""
    config = (_find(docs, "ConfigMap", plan.CONFIG) or {}).get("data") or {}
    where, name = f"ConfigMap/{plan.CONFIG}", realm["realm"]
    hostname = config.get("KEYCLOAK_HOSTNAME", "").rstrip("/")
    errors = []
    if not hostname.startswith(("http://", "https://")):
        errors.append(f"{where}: KEYCLOAK_HOSTNAME must be Keycloak's full public URL (it is "
                      "KC_HOSTNAME, and the issuer is built on it)")
    if config.get("KHAIBAO_OIDC_ISSUER") != f"{hostname}/realms/{name}":
        errors.append(f"{where}: KHAIBAO_OIDC_ISSUER is {config.get('KHAIBAO_OIDC_ISSUER')}, but "
                      f"Keycloak issues tokens as {hostname}/realms/{name}")
    jwks = f"http://{plan.KEYCLOAK}:{plan.KEYCLOAK_HTTP_PORT}/realms/{name}/protocol/openid-connect/certs"
    if config.get("KHAIBAO_OIDC_JWKS_URL") != jwks:
        errors.append(f"{where}: KHAIBAO_OIDC_JWKS_URL must be {jwks} (the in-cluster Service)")
    client_id = config.get("KHAIBAO_OIDC_CLIENT_ID")
    if client_id is None or client_id not in {c.get("clientId") for c in realm.get("clients", [])}:
        errors.append(f"{where}: KHAIBAO_OIDC_CLIENT_ID {client_id} is no client of realm {name}")
    elif config.get("KHAIBAO_OIDC_AUDIENCE") not in _audiences(realm, client_id):
        errors.append(f"{where}: KHAIBAO_OIDC_AUDIENCE {config.get('KHAIBAO_OIDC_AUDIENCE')} is not "
                      f"in the tokens of {client_id}")
    if not config.get("KHAIBAO_PUBLIC_URL"):
        errors.append(f"{where}: KHAIBAO_PUBLIC_URL is empty (the realm's redirect URIs need it)")
    return errors


def check_keycloak_production(docs: list[Doc]) -> list[str]:
    """Staff accounts in a shared database, sessions shared by the pods, public names on TLS."""
    container, errors = _keycloak_container(docs), []
    if container is None:
        return []  # check_keycloak says so
    env, where = _env(container), f"Deployment/{plan.KEYCLOAK}"
    database = env.get("KC_DB", "dev-file")
    if database.startswith("dev-"):
        errors.append(f"{where}: KC_DB={database} keeps staff accounts in the pod; production needs "
                      "a shared database (postgres)")
    if env.get("KC_CACHE") == "local":
        errors.append(f"{where}: KC_CACHE=local: its pods would not share sign-in sessions")
    config = (_find(docs, "ConfigMap", plan.CONFIG) or {}).get("data") or {}
    for key in ("KEYCLOAK_HOSTNAME", "KHAIBAO_PUBLIC_URL"):
        if not config.get(key, "").startswith("https://"):
            errors.append(f"ConfigMap/{plan.CONFIG}: {key} must be https:// in production")
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
        if kind == "Deployment" and spec.get("replicas", 2) < 2:  # unset: an autoscaler owns it
            errors.append(f"Deployment/{name}: fewer than 2 replicas")
    errors += check_keycloak_production(docs)
    most = max((d["spec"]["partitions"] for d in docs if d.get("kind") == "KafkaTopic"), default=0)
    for doc in docs:
        if doc.get("kind") == "HorizontalPodAutoscaler" and doc["spec"]["maxReplicas"] > most:
            errors.append(f"HorizontalPodAutoscaler/{doc['metadata']['name']}: more replicas than any "
                          f"topic has partitions ({most}): the extra consumers would idle")
    return errors


def check_all(docs: list[Doc], *, production: bool) -> list[str]:
    errors = [e for s in plan.SERVICE_PLAN for e in check_service(docs, s)]
    errors += check_topics(docs) + check_kafka(docs) + check_mongo(docs) + check_keycloak(docs)
    return errors + (check_production(docs) if production else [])
