"""Every event carries a correlation id (issue 22, finding 7: the demo's had none).

The scenario (and so the demo's published history) stamps its own on every envelope; an
event wrapped without one starts a flow named by its own id; and every place in the code
that wraps an event says which flow it belongs to."""

from __future__ import annotations

import ast
from pathlib import Path

from deploy.local import demo
from libs.contracts.envelope import Envelope
from libs.contracts.events.identity import IdentityVerified
from synthetic.scenario import generate

ROOT = Path(__file__).resolve().parents[2]
PRODUCING_CODE = ("libs", "services", "deploy")


def test_every_scenario_event_carries_the_scenario_correlation_id() -> None:
    scenario = generate(seed=3, citizens=20, days=2, places=6)
    events = [event for _, _, event in scenario.events()]
    assert len(events) > 60 and {e.type for e in events} >= {
        "declaration.submitted", "identity.verified", "ward.notified", "checkpoint.passed"}
    assert {e.correlation_id for e in events} == {scenario.correlation_id}
    assert scenario.correlation_id.startswith("scenario-")
    assert generate(seed=3, citizens=2).correlation_id != scenario.correlation_id  # per run


def test_the_demo_history_carries_the_run_id() -> None:
    scenario = demo.travel_scenario()
    scenario.correlation_id = "demo-run-1"  # as demo.travel does with its run's id
    events = [event for _, _, event in scenario.events(derived=False)]
    assert events and all(e.correlation_id == "demo-run-1" for e in events)


def test_an_event_wrapped_without_a_flow_starts_its_own() -> None:
    payload = IdentityVerified(declaration_id="d1", subject_id="a" * 64)
    alone = Envelope.wrap(payload, producer="test")
    assert alone.correlation_id == alone.event_id
    assert Envelope.wrap(payload, producer="test", correlation_id="req-1").correlation_id == \
        "req-1"


def _wrap_calls(tree: ast.AST) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and node.func.attr == "wrap"
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "Envelope"]


def test_every_producer_names_the_flow_of_the_events_it_wraps() -> None:
    """`Envelope.wrap(...)` in the services, libs and deploy code passes `correlation_id`
    (the request's, the event's it reacts to, or the run's)."""
    calls, missing = 0, []
    for folder in PRODUCING_CODE:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for call in _wrap_calls(ast.parse(path.read_text(), str(path))):
                calls += 1
                if not any(k.arg == "correlation_id" for k in call.keywords):
                    missing.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert calls >= 10, "the walk found the producers"
    assert missing == []
