"""Checks that the objects of one rendering fit together, as the API server would not tell.

A schema says a Deployment is well formed; it does not say that the Secret it
reads exists, that a Service selects any pod, or that an autoscaler targets a
real Deployment. These do.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

Doc = dict[str, Any]
WORKLOADS = ("Deployment", "StatefulSet", "Job", "DaemonSet")


def _named(docs: list[Doc], kind: str) -> dict[str, Doc]:
    return {d["metadata"]["name"]: d for d in docs if d.get("kind") == kind}


def pod_specs(docs: list[Doc]) -> Iterator[tuple[Doc, Doc]]:
    for doc in docs:
        if doc.get("kind") in WORKLOADS:
            yield doc, doc["spec"]["template"]


def _refs(pod: Doc) -> Iterator[tuple[str, str, str | None]]:
    """(kind, name, key) of every ConfigMap and Secret a pod reads."""
    for container in pod.get("containers", []) + pod.get("initContainers", []):
        for source in container.get("envFrom", []):
            for kind, field in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
                if field in source and not source[field].get("optional"):
                    yield kind, source[field]["name"], None
        for var in container.get("env", []):
            for kind, field in (("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")):
                ref = (var.get("valueFrom") or {}).get(field)
                if ref and not ref.get("optional"):
                    yield kind, ref["name"], ref["key"]
    for volume in pod.get("volumes", []):
        for kind, field, name_field in (("ConfigMap", "configMap", "name"),
                                        ("Secret", "secret", "secretName")):
            if field in volume and not volume[field].get("optional"):
                items = volume[field].get("items") or [{"key": None}]
                for item in items:
                    yield kind, volume[field][name_field], item["key"]


def check_config_refs(docs: list[Doc], *, secrets_present: bool) -> list[str]:
    """Every ConfigMap / Secret (and key) a pod reads is in the rendering."""
    errors = []
    for workload, template in pod_specs(docs):
        for kind, name, key in _refs(template["spec"]):
            if kind == "Secret" and not secrets_present:
                continue  # a base leaves the Secret to its overlays
            target = _named(docs, kind).get(name)
            where = f"{workload['kind']}/{workload['metadata']['name']}"
            if target is None:
                errors.append(f"{where}: reads {kind} {name}, which is not defined")
            elif key is not None and key not in (target.get("data") or {}) | (target.get("stringData") or {}):
                errors.append(f"{where}: reads key {key} of {kind} {name}, which has no such key")
    return errors


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def check_selectors(docs: list[Doc]) -> list[str]:
    """Workloads select their own pods; Services and PodDisruptionBudgets select some pods."""
    errors = []
    templates = []
    for workload, template in pod_specs(docs):
        labels = template.get("metadata", {}).get("labels", {})
        templates.append(labels)
        selector = (workload["spec"].get("selector") or {}).get("matchLabels", {})
        if workload["kind"] != "Job" and not _selects(selector, labels):
            where = f"{workload['kind']}/{workload['metadata']['name']}"
            errors.append(f"{where}: selector does not match its pods")
    for doc in docs:
        if doc.get("kind") == "Service" and doc["spec"].get("selector") is not None:
            selector = doc["spec"]["selector"]
        elif doc.get("kind") == "PodDisruptionBudget":
            selector = doc["spec"].get("selector", {}).get("matchLabels", {})
        else:
            continue
        if not any(_selects(selector, labels) for labels in templates):
            errors.append(f"{doc['kind']}/{doc['metadata']['name']}: selects no pod")
    return errors


def check_targets(docs: list[Doc]) -> list[str]:
    """Autoscalers target existing workloads; Service target ports exist on the pods."""
    errors = []
    for hpa in _named(docs, "HorizontalPodAutoscaler").values():
        ref, where = hpa["spec"]["scaleTargetRef"], f"HorizontalPodAutoscaler/{hpa['metadata']['name']}"
        if ref["name"] not in _named(docs, ref["kind"]):
            errors.append(f"{where}: no {ref['kind']} {ref['name']}")
        if hpa["spec"].get("minReplicas", 1) > hpa["spec"]["maxReplicas"]:
            errors.append(f"{where}: minReplicas > maxReplicas")
    for service in _named(docs, "Service").values():
        selector = service["spec"].get("selector") or {}
        pods = [t["spec"] for _, t in pod_specs(docs) if _selects(selector, t["metadata"].get("labels", {}))]
        ports = {p.get("name") for pod in pods for c in pod["containers"] for p in c.get("ports", [])} | {
            p.get("containerPort") for pod in pods for c in pod["containers"] for p in c.get("ports", [])}
        for port in service["spec"].get("ports", []):
            if pods and port.get("targetPort", port["port"]) not in ports:
                errors.append(f"Service/{service['metadata']['name']}: targetPort {port.get('targetPort')} "
                              "is no port of its pods")
    return errors


def check_all(docs: list[Doc], *, secrets_present: bool) -> list[str]:
    return (check_config_refs(docs, secrets_present=secrets_present) + check_selectors(docs)
            + check_targets(docs))
