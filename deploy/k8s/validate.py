"""Offline validation of the Kubernetes manifests, for CI: `python -m deploy.k8s.validate`.

1. generated files are current (generate.py --check);
2. the base and every overlay render with kustomize (pinned, see kustomize.py);
   an overlay renders with throwaway secrets made by secrets.py in a copy;
3. every built-in object is checked against the Kubernetes JSON schemas of
   kubernetes-validate, strictly (unknown fields fail), for each version in
   KUBERNETES_VERSIONS; Strimzi objects by strimzi.py; any other kind fails;
4. references between objects (references.py) and the project's rules —
   every service, every catalogue topic, the local Kafka and Keycloak versions,
   the realm Keycloak imports and the services' KHAIBAO_OIDC_* (project.py);
5. the mongo-init script parses (`node --check`, when Node.js is installed).
Exit status 1 when anything fails; every failure is printed.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml

from deploy.k8s import generate, kustomize, project, references, secrets, strimzi

# kubernetes-validate re-reads its schema files (the shared definitions are
# megabytes of JSON) on every call; they never change, so read each once.
kubernetes_validate.utils.schema_contents = functools.cache(kubernetes_validate.utils.schema_contents)

ROOT = Path(__file__).resolve().parent
# The oldest minor a cluster may still run (upstream support ended; providers'
# extended support goes on) and the newest the installed schemas know.
KUBERNETES_VERSIONS = ("1.31.0", "1.37.0")
TARGETS = ("base", "overlays/production")
Doc = dict[str, Any]


def _not_manifests(folder: str, names: list[str]) -> set[str]:
    """Skip the tools and, above all, real secrets: the copy gets throwaway ones."""
    if Path(folder).name == "secrets":
        return set(names)
    return {n for n in names if n == "__pycache__" or n.endswith(".py")}


def render(target: str) -> list[Doc]:
    """The objects `kustomize build` makes of deploy/k8s/<target>."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "k8s"
        shutil.copytree(ROOT, copy, ignore=_not_manifests)
        if target.startswith("overlays/"):
            secrets.fill(copy / target / "secrets")
        return [d for d in yaml.safe_load_all(kustomize.build(copy / target)) if d]


def check_schema(doc: Doc) -> list[str]:
    name = f"{doc.get('kind')}/{(doc.get('metadata') or {}).get('name')}"
    if doc.get("kind") in strimzi.KINDS:
        return strimzi.check(doc)
    errors = []
    for version in KUBERNETES_VERSIONS:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            where = "/".join(str(p) for p in error.path)
            errors.append(f"{name}: Kubernetes {version}: {where}: {error.message}")
        except kubernetes_validate.SchemaNotFoundError:
            errors.append(f"{name}: Kubernetes {version} has no {doc.get('apiVersion')} {doc.get('kind')}")
    return errors


def check(docs: list[Doc], *, overlay: bool, production: bool) -> list[str]:
    errors = [e for doc in docs for e in check_schema(doc)]
    errors += strimzi.check_cluster(docs)
    errors += references.check_all(docs, secrets_present=overlay)
    return errors + project.check_all(docs, production=production)


def check_scripts() -> list[str]:
    node = shutil.which("node")
    if node is None:
        print("mongo/init.js: not parsed (no node on the PATH)")
        return []
    script = ROOT / "base" / "mongo" / "init.js"
    result = subprocess.run([node, "--check", str(script)], capture_output=True, text=True)
    print(f"mongo/init.js: {'parses' if result.returncode == 0 else 'does not parse'}")
    return [] if result.returncode == 0 else [f"{script.name}: {result.stderr.strip()}"]


def main() -> int:
    failures = [f"not current: deploy/k8s/{p} (run python -m deploy.k8s.generate)" for p in generate.stale()]
    failures += check_scripts()
    for target in TARGETS:
        try:
            docs = render(target)
        except (RuntimeError, kustomize.KustomizeMissing) as error:
            failures.append(f"{target}: {error}")
            continue
        errors = check(docs, overlay=target != "base", production="production" in target)
        kinds = Counter(d["kind"] for d in docs)
        builtin = sum(n for k, n in kinds.items() if k not in strimzi.KINDS)
        print(f"{target}: {len(docs)} objects ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))})")
        print(f"  {builtin} built-in objects against Kubernetes {' and '.join(KUBERNETES_VERSIONS)} "
              f"schemas (strict), {len(docs) - builtin} Strimzi resources, references, catalogue: "
              f"{'ok' if not errors else f'{len(errors)} problems'}")
        failures += [f"{target}: {e}" for e in errors]
    for failure in failures:
        print(f"FAIL {failure}")
    print("deploy/k8s is valid" if not failures else f"deploy/k8s: {len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
