"""No calendar date is taken from the machine's clock or zone: only from Viet Nam's.

Between 17:00 and 24:00 UTC the UTC date (and the date of a machine or phone set
to UTC, or to any zone west of Viet Nam) is still yesterday in Viet Nam. Python
code gets "today" from `libs.contracts.vietnam_time`; page code from
`libs/web/vn-time.js`. This reads every module and page script and names each
place that asks the machine instead.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PYTHON_ROOTS = ("libs", "services", "deploy", "bench", "tests")
PYTHON_HOME = REPO / "libs" / "contracts" / "vietnam_time.py"
JS_HOME = REPO / "libs" / "web" / "vn-time.js"
CLOCK_CALLS = {"now", "utcnow"}


def _name(node: ast.expr) -> str:
    """`datetime.datetime.now` → "datetime.datetime.now"; anything else → ""."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _name(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""


def _reads_the_clock(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and _name(n.func).rsplit(".", 1)[-1] in CLOCK_CALLS
               for n in ast.walk(node))


def machine_calendar_calls(source: str) -> list[tuple[int, str]]:
    """(line, what) for each call that takes a calendar date from the machine."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        last = name.rsplit(".", 1)[-1]
        if name.endswith(("date.today", "datetime.today")):
            found.append((node.lineno, f"{name}() is the machine's date"))
        elif last == "utcnow" and name.startswith("datetime"):
            found.append((node.lineno, f"{name}() is naive UTC"))
        elif last == "now" and name.startswith("datetime") and not node.args and not [
                k for k in node.keywords if k.arg == "tz"]:
            found.append((node.lineno, f"{name}() without a zone is the machine's zone"))
        elif last == "localtime" and name.startswith("time"):
            found.append((node.lineno, "time.localtime() is the machine's zone"))
        elif last == "astimezone" and not node.args and not node.keywords:
            found.append((node.lineno, ".astimezone() without a zone is the machine's zone"))
        elif (isinstance(node.func, ast.Attribute) and node.func.attr == "date"
              and not node.args and _reads_the_clock(node.func.value)):
            found.append((node.lineno, "the date of a clock reading is the UTC (or machine) "
                          "date: use vn_today() or vn_day(moment)"))
    return found


# Page code: the device's zone decides each of these.
JS_RULES = [
    (re.compile(r"getTimezoneOffset\("), "the device's zone offset"),
    (re.compile(r"toISOString\(\)\s*\.\s*(slice|substring|substr)\(\s*0\s*,\s*10\s*\)"),
     "the UTC date"),
    (re.compile(r"\.get(Date|Day|Month|FullYear|Hours)\(\)"), "a field in the device's zone"),
    (re.compile(r"\.toLocale(Date|Time)?String\("), "a date shown in the device's zone"),
]


def machine_calendar_in_page(source: str) -> list[tuple[int, str]]:
    found = []
    for number, line in enumerate(source.splitlines(), 1):
        for pattern, what in JS_RULES:
            if pattern.search(line):
                found.append((number, what))
    return found


def _python_modules() -> list[Path]:
    return sorted(p for root in PYTHON_ROOTS for p in (REPO / root).rglob("*.py")
                  if p != PYTHON_HOME)


def _page_scripts() -> list[Path]:
    pages = [*(REPO / "services").glob("*/web/**/*.js"), *(REPO / "libs" / "web").glob("*.js")]
    return sorted(p for p in pages if "vendor" not in p.parts and p != JS_HOME)


def test_no_python_module_takes_the_date_from_the_machine() -> None:
    offences = [f"{path.relative_to(REPO)}:{line}: {what}" for path in _python_modules()
                for line, what in machine_calendar_calls(path.read_text())]
    assert offences == [], "\n".join(offences)


def test_no_page_takes_the_date_from_the_device() -> None:
    offences = [f"{path.relative_to(REPO)}:{line}: {what}" for path in _page_scripts()
                for line, what in machine_calendar_in_page(path.read_text())]
    assert offences == [], "\n".join(offences)


@pytest.mark.parametrize("line", [
    "date.today()", "datetime.date.today()", "datetime.today()", "datetime.now()",
    "datetime.datetime.now()", "datetime.utcnow()", "datetime.now(UTC).date()",
    "datetime.now(tz=UTC).date()", "(datetime.now(UTC) + timedelta(days=1)).date()",
    "utcnow().date()", "moment.astimezone()", "time.localtime()",
])
def test_the_rule_catches(line: str) -> None:
    assert machine_calendar_calls(line), line


@pytest.mark.parametrize("line", [
    "vn_today()", "vn_today(1)", "vn_day(utcnow())", "datetime.now(UTC)", "datetime.now(VN_TZ)",
    "datetime.now(tz=UTC)", "moment.astimezone(VN_TZ).date()", "date.fromisoformat(s)",
    "datetime.fromisoformat(s).date()",
])
def test_the_rule_lets_pass(line: str) -> None:
    assert not machine_calendar_calls(line), line


@pytest.mark.parametrize("line", [
    "const d = new Date(Date.now() - x.getTimezoneOffset() * 60000);",
    "input.value = new Date().toISOString().slice(0, 10);",
    "const y = new Date().getFullYear();",
    "when.toLocaleDateString('vi-VN')",
])
def test_the_page_rule_catches(line: str) -> None:
    assert machine_calendar_in_page(line), line
