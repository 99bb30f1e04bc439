"""The Kubernetes objects of one service, as plain dicts (written out by generate.py)."""

from __future__ import annotations

from typing import Any

from deploy.k8s.plan import CONFIG, KEYS_DIR, SECRET, Service, Size

Doc = dict[str, Any]


def labels(service: Service) -> dict[str, str]:
    return {"app.kubernetes.io/name": service.name, "app.kubernetes.io/component": "service"}


def selector(service: Service) -> dict[str, str]:
    return {"app.kubernetes.io/name": service.name}


def meta(service: Service) -> Doc:
    return {"name": service.name, "labels": labels(service)}


def env(service: Service) -> list[Doc]:
    p = service.prefix
    plain = [(f"{p}HOST", "0.0.0.0"), (f"{p}PORT", str(service.port)),
             (f"{p}MONGO_DB", service.mongo_db), ("MONGO_USER", service.name), *service.extra_env]
    secret = [("MONGO_PASSWORD", service.password_key), ("KHAIBAO_SUBJECT_SECRET", "subject-secret")]
    return [
        *({"name": k, "value": v} for k, v in plain),
        *({"name": k, "valueFrom": {"secretKeyRef": {"name": SECRET, "key": key}}} for k, key in secret),
        # Each service has a Mongo user of its own, so MONGO_URL is built here from
        # parts: $(VAR) expands variables defined before it (envFrom and this list).
        {"name": "MONGO_URL",
         "value": "mongodb://$(MONGO_USER):$(MONGO_PASSWORD)@$(MONGO_HOSTS)/?$(MONGO_OPTIONS)"},
    ]


def probe(path: str, period: int, failures: int) -> Doc:
    return {"httpGet": {"path": path, "port": "http"}, "periodSeconds": period,
            "timeoutSeconds": 3, "failureThreshold": failures}


def resources(size: Size) -> Doc:
    # No CPU limit: a throttled event loop misses Kafka heartbeats and triggers
    # rebalances; the autoscaler works from requests. Memory is limited.
    return {"requests": {"cpu": size.cpu, "memory": size.memory},
            "limits": {"memory": size.memory_limit}}


def key_volumes(service: Service) -> list[Doc]:
    """The Secret's key files the service reads (declaration's QR key ring), and no others.

    Staff tokens are checked with the identity provider's public keys, so most
    services mount nothing. No volume at all then: a Secret volume without
    `items` would mount every key of the Secret."""
    if not service.files:
        return []
    return [{"name": "keys", "secret": {"secretName": SECRET, "defaultMode": 0o440,
                                        "items": [{"key": f, "path": f} for f in service.files]}}]


def container(service: Service) -> Doc:
    return {
        "name": service.name,
        "image": service.image,
        "ports": [{"name": "http", "containerPort": service.port}],
        "envFrom": [{"configMapRef": {"name": CONFIG}}],
        "env": env(service),
        # /healthz says the process lives; /readyz that Kafka and Mongo answer. An
        # outage of either takes pods out of the Service without restarting them.
        "startupProbe": probe("/healthz", 2, 30),
        "livenessProbe": probe("/healthz", 10, 3),
        "readinessProbe": probe("/readyz", 5, 3),
        # Endpoints are removed asynchronously; keep serving while they catch up.
        "lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}},
        "resources": resources(service.base),
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                            "capabilities": {"drop": ["ALL"]}},
        "volumeMounts": [*({"name": v["name"], "mountPath": KEYS_DIR, "readOnly": True}
                           for v in key_volumes(service)),
                         {"name": "tmp", "mountPath": "/tmp"}],
    }


def spread(service: Service) -> list[Doc]:
    return [{"maxSkew": 1, "topologyKey": key, "whenUnsatisfiable": "ScheduleAnyway",
             "labelSelector": {"matchLabels": selector(service)}}
            for key in ("topology.kubernetes.io/zone", "kubernetes.io/hostname")]


def deployment(service: Service) -> Doc:
    pod_meta = {"labels": labels(service),
                "annotations": {"prometheus.io/scrape": "true", "prometheus.io/path": "/metrics",
                                "prometheus.io/port": str(service.port)}}
    pod = {
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,  # service env vars would collide with <PREFIX>PORT-style settings
        # fsGroup: the mounted key files (mode 0440) belong to the user's group.
        "securityContext": {"runAsNonRoot": True, "runAsUser": 10001, "runAsGroup": 10001,
                            "fsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
        "terminationGracePeriodSeconds": 30,
        "topologySpreadConstraints": spread(service),
        "containers": [container(service)],
        "volumes": [*key_volumes(service), {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}],
    }
    # No `replicas`: the HorizontalPodAutoscaler owns the count, and a re-apply must not reset it.
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(service),
            "spec": {"selector": {"matchLabels": selector(service)}, "revisionHistoryLimit": 5,
                     "strategy": {"type": "RollingUpdate",
                                  "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "25%"}},
                     "template": {"metadata": pod_meta, "spec": pod}}}


def http_service(service: Service) -> Doc:
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta(service),
            "spec": {"selector": selector(service),
                     "ports": [{"name": "http", "port": service.port, "targetPort": "http"}]}}


def disruption_budget(service: Service) -> Doc:
    # maxUnavailable, not minAvailable: a drain may always proceed one pod at a time.
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": meta(service),
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector(service)},
                     "unhealthyPodEvictionPolicy": "AlwaysAllow"}}


def autoscaler(service: Service, size: Size) -> Doc:
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": meta(service),
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                        "name": service.name},
                     "minReplicas": size.min_replicas, "maxReplicas": size.max_replicas,
                     "metrics": [{"type": "Resource", "resource": {
                         "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}],
                     # Every change of a consumer group's size is a rebalance that pauses
                     # its partitions: scale up fast, down slowly.
                     "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300, "policies": [
                         {"type": "Pods", "value": 2, "periodSeconds": 60}]}}}}


def production_patches(service: Service) -> list[Doc]:
    size = service.production
    deploy_patch = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": service.name},
                    "spec": {"template": {"spec": {"containers": [
                        {"name": service.name, "resources": resources(size)}]}}}}
    hpa_patch = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                 "metadata": {"name": service.name},
                 "spec": {"minReplicas": size.min_replicas, "maxReplicas": size.max_replicas}}
    return [deploy_patch, hpa_patch]
