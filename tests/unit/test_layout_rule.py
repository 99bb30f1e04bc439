"""The rules of docs/layout.md, checked on every service so they stay true.

- only `store/` knows the driver (imports pymongo);
- `ApiError` (an HTTP status) is raised in `api/` only (the composition root may map);
- no raw documents (`dict[str, Any]`, `libs.runtime.mongo.Document`) outside `store/`;
- every service has the layout's packages.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SERVICES = sorted(p for p in (REPO / "services").iterdir() if (p / "app.py").is_file())
RAW_DOCUMENT = re.compile(r"dict\[str, Any\]|\bDocument\b")


def _modules(service: Path, *, outside: str) -> list[Path]:
    return [p for p in service.rglob("*.py") if outside not in p.relative_to(service).parts]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names}
    return names | {node.module or "" for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom)}


def _raw_document(line: str) -> bool:
    """A raw document type in the code of `line` (not in its comment)."""
    return bool(RAW_DOCUMENT.search(line.split("#")[0]))


def _names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def test_there_are_five_services() -> None:
    assert [p.name for p in SERVICES] == ["checkpoint", "declaration", "identity_verification",
                                          "movement_trace", "ward_notification"]


@pytest.mark.parametrize("service", SERVICES, ids=lambda p: p.name)
def test_the_layout_packages_are_there(service: Path) -> None:
    missing = [name for name in ("domain", "service", "store", "api")
               if not (service / name / "__init__.py").is_file()]
    assert not missing, f"{service.name} lacks {missing}"


@pytest.mark.parametrize("service", SERVICES, ids=lambda p: p.name)
def test_only_the_store_knows_the_driver(service: Path) -> None:
    wrong = [str(p.relative_to(REPO)) for p in _modules(service, outside="store")
             if any(name.split(".")[0] == "pymongo" for name in _imports(p))]
    assert not wrong


@pytest.mark.parametrize("service", SERVICES, ids=lambda p: p.name)
def test_http_errors_are_raised_in_the_api_only(service: Path) -> None:
    wrong = [str(p.relative_to(REPO)) for p in _modules(service, outside="api")
             if p.name != "app.py" and "ApiError" in _names(p)]
    assert not wrong


@pytest.mark.parametrize("service", SERVICES, ids=lambda p: p.name)
def test_no_raw_documents_outside_the_store(service: Path) -> None:
    wrong = [f"{p.relative_to(REPO)}:{number}" for p in _modules(service, outside="store")
             for number, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if _raw_document(line)]
    assert not wrong


def test_the_rules_catch_what_they_name(tmp_path: Path) -> None:
    routes = tmp_path / "service.py"
    routes.write_text("from pymongo import AsyncMongoClient\nfrom libs.runtime.errors import "
                      "ApiError\nraise ApiError(404, 'x', 'y', 'z')\nrow: dict[str, Any] = {}\n")
    assert "pymongo" in _imports(routes)
    assert "ApiError" in _names(routes)
    assert _raw_document(routes.read_text().splitlines()[3])
    assert _raw_document("def read() -> Document:")
    assert not _raw_document("residents: list[Resident]  # not a Document")
