"""The kustomize binary: a pinned version, built from the Go module proxy on first use.

kustomize is a Go program and Go is a prerequisite of the project (FerretDB is
built the same way), so no download of a prebuilt binary is needed. The build
lands in the state folder (`$KHAIBAO_STATE/bin`, ~30 s the first time). Set
`KUSTOMIZE=/path/to/kustomize` to use another build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

VERSION = "v5.8.1"  # the newest whose go.mod asks no more than the Go 1.24 the README requires
MODULE = "sigs.k8s.io/kustomize/kustomize/v5"
REPO = Path(__file__).resolve().parents[2]


class KustomizeMissing(RuntimeError):
    pass


def _state() -> Path:
    return Path(os.environ.get("KHAIBAO_STATE", REPO / ".state")).resolve()


def binary() -> Path:
    """Path of the kustomize to use; builds the pinned one when it is not there yet."""
    configured = os.environ.get("KUSTOMIZE")
    if configured:
        return Path(configured)
    target = _state() / "bin" / f"kustomize-{VERSION}"
    if target.exists():
        return target
    go = shutil.which("go")
    if go is None:
        raise KustomizeMissing("kustomize is built with Go, which is not on the PATH (see README, "
                               "Prerequisites), or set KUSTOMIZE to a kustomize binary")
    gobin = target.parent / f".build-{os.getpid()}"
    gobin.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run([go, "install", f"{MODULE}@{VERSION}"], check=True,
                       env={**os.environ, "GOBIN": str(gobin), "CGO_ENABLED": "0"})
        # Rename is atomic: a concurrent run never sees half a binary.
        (gobin / "kustomize").rename(target)
    finally:
        shutil.rmtree(gobin, ignore_errors=True)
    return target


def build(directory: Path) -> str:
    """`kustomize build DIRECTORY`: the rendered multi-document YAML."""
    result = subprocess.run([str(binary()), "build", str(directory)], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"kustomize build {directory} failed:\n{result.stderr.strip()}")
    return result.stdout
