"""Every service against its own OpenAPI document, by schemathesis with all its checks.

Each service's app is served on 127.0.0.1 (real Kafka and store) and its document, read from
the app, is given to schemathesis's engine: what `st run --checks all` runs, with every phase
(examples, coverage, fuzzing, and stateful, along the documents' links), derandomized so
that a failure reproduces. Among the checks: no 5xx; statuses, content types, headers and
bodies as documented; requests the schema refuses are refused (negative_data_rejection)
and those it admits are accepted (positive_data_acceptance); undocumented methods get 405
with an `Allow` that lists the path's methods; authentication is enforced; what a POST
made can be read, and what a DELETE removed cannot.

A request the schema admits may still be refused for a rule JSON Schema cannot state (it
depends on today, on another field, on the caller's role, on stored data or on the DNS).
Each operation lists those rules, by error code, in its 422 answer's `x-rules`
(libs/runtime/openapi.py); a 422 naming only such codes is not a failure, and the run
prints how often each was met. Any other refusal is.

The cases run per service are printed (`pytest -s`).
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.engine import events, from_schema
from schemathesis.openapi.checks import RejectedPositiveData

from libs.contracts import patterns
from libs.runtime.auth import Role
from services.checkpoint.app import build as build_checkpoint
from services.declaration.app import build as build_declaration
from services.identity_verification.app import build as build_identity
from services.identity_verification.settings import Settings as IdentitySettings
from services.movement_trace.app import build as build_trace
from services.movement_trace.settings import Settings as TraceSettings
from services.ward_notification.app import build as build_ward
from services.ward_notification.settings import Settings as WardSettings
from tests.conftest import ServerSlice
from tests.support import checkpoint_kit, declaration_kit
from tests.support.notification_kit import serving
from tests.support.tokens import bearer

SEED = 22
MAX_EXAMPLES = 10  # per operation, in the fuzzing phase (positive and negative)
STATEFUL_EXAMPLES = 8  # scenarios of the stateful phase
STATEFUL_STEPS = 6  # calls in one scenario at most
# The methods tried on every path that does not have them (405 and its `Allow` expected):
# OPTIONS for the `Allow` of each path, and one more (schemathesis's default is all seven).
UNEXPECTED_METHODS = ["OPTIONS", "PATCH"]
ADMIN = bearer(Role.admin, who="fuzz-admin")
EPIDEMIOLOGIST = bearer(Role.epidemiologist, who="fuzz-epi")
# An endless Server-Sent Events stream: it has no response to check (the matrix and
# test_notification_feed cover it).
SKIPPED = {"/v1/feed"}
# The host of the webhook examples: allow-listed, so that a webhook can be made (the
# stateful phase reads, pauses and deletes it) although the name does not resolve here.
WEBHOOK_HOST = "ubnd-hoankiem.example"
# The formats the documents give their long-patterned texts (libs/contracts/patterns.py), drawn
# here from Unicode categories rather than from the patterns' character classes, which
# hypothesis would expand a character at a time, for every case. schemathesis keeps a drawn
# text only if it matches the pattern as well.
_LETTERS = st.characters(categories=("Lu", "Ll", "Lo"))
schemathesis.openapi.format(patterns.PLAIN_TEXT, st.text(st.characters(
    codec="utf-8", exclude_categories=("Cc", "Cf", "Cs", "Co", "Zl", "Zp"),
    include_characters="\t\n")))
schemathesis.openapi.format(patterns.PERSON_NAME, st.builds(
    lambda first, rest: first + rest, _LETTERS,
    st.text(st.one_of(_LETTERS, st.sampled_from(" '-\u0301\u0323")), min_size=1, max_size=40)))
schemathesis.openapi.format(patterns.EMAIL, st.builds(
    lambda user, host, top: f"{user}@{host}.{top}",
    st.text(st.characters(categories=("Ll", "Nd"), max_codepoint=0x24F, include_characters="._+"),
            min_size=1, max_size=20),
    st.text(st.characters(categories=("Ll", "Nd"), max_codepoint=127, include_characters="-"),
            min_size=1, max_size=20),
    st.text(st.characters(categories=["Ll"], max_codepoint=127), min_size=2, max_size=6)))
# schemathesis' own strategies use `random`; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")


def _checkpoint(env: ServerSlice, _: Path) -> Any:
    return build_checkpoint(checkpoint_kit.settings(env), key_source=checkpoint_kit.Keys().source)


# Each app from the test's slice and a folder of the test's own.
SERVICES: dict[str, Callable[[ServerSlice, Path], Any]] = {
    # Its own key file: the admin's rotations and retirements must not reach the shared one.
    "declaration": lambda env, folder: build_declaration(declaration_kit.settings(
        env, qr_key_file=folder / "qr-keys.json")),
    "identity_verification": lambda env, _: build_identity(env.settings(IdentitySettings)),
    "checkpoint": _checkpoint,
    "movement_trace": lambda env, _: build_trace(env.settings(TraceSettings)),
    "ward_notification": lambda env, _: build_ward(
        env.settings(WardSettings, webhook_allowed_hosts=WEBHOOK_HOST)),
}


def token_for(service: str, path: str) -> Mapping[str, str]:
    """Admins may call everything but the epidemiologists' own queries."""
    if service == "movement_trace" and not path.startswith(("/v1/admin", "/v1/audit")):
        return EPIDEMIOLOGIST
    return ADMIN


def config(service: str, base_url: str) -> schemathesis.Config:
    epidemiologist = [{"include-path-regex": "^/v1/(?!admin/|audit$)",
                       "headers": {"Authorization": EPIDEMIOLOGIST["authorization"]}}]
    return schemathesis.Config.from_dict({
        "seed": SEED,
        "base-url": base_url,
        "workers": 1,
        "cache": {"enabled": False},
        # The header as the security scheme names it, so that ignored_auth can take it away.
        "headers": {"Authorization": ADMIN["authorization"]},
        "request-timeout": 30,
        "checks": {"enabled": True},  # --checks all
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True,
                       "database": "none"},
        "phases": {"coverage": {"unexpected-methods": UNEXPECTED_METHODS},
                   "stateful": {"max-steps": STATEFUL_STEPS,
                                "generation": {"max-examples": STATEFUL_EXAMPLES}}},
        "operations": [*(epidemiologist if service == "movement_trace" else []),
                       *({"include-path": path, "enabled": False} for path in sorted(SKIPPED))],
    })


@dataclass
class Report:
    cases: Counter[str] = field(default_factory=Counter)  # by phase
    operations: set[str] = field(default_factory=set)
    failures: dict[str, list[str]] = field(default_factory=dict)  # by check
    errors: list[str] = field(default_factory=list)
    excused: Counter[str] = field(default_factory=Counter)  # "operation: code"
    skipped: set[str] = field(default_factory=set)
    per_operation: Counter[str] = field(default_factory=Counter)
    stateful_links: int = 0


def error_codes(body: Any) -> set[str]:
    """The codes a shared-shape error names: its own, or its fields' for `invalid_input`."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return set()
    if error.get("code") != "invalid_input":
        return {str(error.get("code"))}
    return {str(item.get("code")) for items in (error.get("fields") or {}).values()
            for item in items if isinstance(item, dict)}


def excuse_documented_rules(schema: Any, spec: dict[str, Any], report: Report) -> None:
    """A schema-valid request refused for rules the operation documents on that answer
    (`x-rules`) is not a positive_data_acceptance failure; every other failure stands."""

    @schema.hook
    def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
        if not isinstance(failure, RejectedPositiveData):
            return True
        operation = spec["paths"][case.operation.path][case.operation.method.lower()]
        answer = operation["responses"].get(str(response.status_code), {})
        rules = answer.get("x-rules", {})
        try:
            codes = error_codes(response.json())
        except ValueError:
            return True
        if not codes or not codes <= set(rules):
            return True
        report.excused.update(f"{case.operation.label}: {code}" for code in codes)
        return False


def fuzz(service: str, spec: dict[str, Any], base_url: str) -> Report:
    """Runs in a thread: the engine makes blocking HTTP calls to the served app."""
    report = Report()
    random.seed(SEED)  # schemathesis' strategies draw from `random` too
    schema = schemathesis.openapi.from_dict(spec, config=config(service, base_url))
    excuse_documented_rules(schema, spec, report)
    report.stateful_links = schema.statistic.transitions.total
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            report.cases[event.phase.value] += len(event.recorder.cases)
            labels = [node.value.operation.label for node in event.recorder.cases.values()]
            report.operations |= set(labels)
            report.per_operation.update(f"{event.phase.value} {label}" for label in labels)
            if event.skip_reason:
                report.skipped.add(f"{event.label} ({event.phase.value}): {event.skip_reason}")
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.failure_info is None:
                        continue
                    interaction = event.recorder.interactions.get(case_id)
                    answer = interaction.response if interaction else None
                    seen = f" → {answer.status_code} {answer.content[:300]!r}" if answer else ""
                    report.failures.setdefault(check.name, []).append(
                        f"[{event.phase.value}] {event.label}: {check.failure_info.failure.title}"
                        f"\n{check.failure_info.failure.message}\n"
                        f"{check.failure_info.code_sample}{seen}"[:3000])
        elif isinstance(event, events.NonFatalError):
            report.errors.append(f"{event.label}: {event.info.title}: {event.info.message}"[:2000])
        elif isinstance(event, events.FatalError):
            report.errors.append(f"fatal: {event.exception!r}")
        elif isinstance(event, events.EngineFinished):
            for failure in event.failures:
                report.failures.setdefault("after run", []).append(
                    f"{failure.title}\n{failure.message}"[:3000])
    return report


# Bounded by MAX_EXAMPLES and the steps per operation, so the time grows with a service's
# routes: the declaration service's ~2,100 cases took over 300 s (the suite's default
# limit) on a machine running other work beside the suite.
@pytest.mark.timeout(900)
@pytest.mark.parametrize("service", SERVICES)
async def test_every_check_of_schemathesis_passes_on_every_service(
        env: ServerSlice, service: str, tmp_path: Path) -> None:
    app = SERVICES[service](env, tmp_path)
    spec = app.openapi()
    async with serving(app) as base_url:
        report = await asyncio.to_thread(fuzz, service, spec, base_url)
    failures = sum(len(found) for found in report.failures.values())
    print(f"\nschemathesis {service}: {sum(report.cases.values())} cases "
          f"({', '.join(f'{phase} {n}' for phase, n in report.cases.items())}), "
          f"{report.stateful_links} links, {failures} failures")
    for code, times in sorted(report.excused.items()):
        print(f"  refused for a documented rule: {code} ×{times}")
    for check, found in report.failures.items():
        for failure in found:
            print(f"{check}: {failure}", end="\n\n")
    for error in report.errors:
        print(f"error: {error}", end="\n\n")
    for skipped in sorted(report.skipped):
        print(f"skipped: {skipped}")
    operations = {f"{method.upper()} {path}" for path, item in spec["paths"].items()
                  for method in item if path not in SKIPPED}
    assert operations <= report.operations  # every operation got requests
    assert report.errors == []
    assert report.failures == {}
