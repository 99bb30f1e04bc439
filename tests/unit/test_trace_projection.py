"""Events → movements and buckets: every type, no personal data, stable bucket entries;
the exports; the scenario generator's promises."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from libs.contracts.envelope import Envelope
from libs.contracts.events.checkpoint import CheckpointKind, RefusalReason
from services.movement_trace.api.exports import NoCoordinates, to_csv, to_geojson
from services.movement_trace.domain.answers import Timeline, TimelineEntry
from services.movement_trace.domain.movements import Movement, MovementKind, week_key, weeks_between
from services.movement_trace.domain.projection import project
from services.movement_trace.store.layout import bucket_writes, to_document
from synthetic.scenario import Place, Scenario, generate

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def _events() -> tuple[Scenario, list[Envelope[Any]]]:
    scenario = Scenario(NOW, 1, [Place("cp-1", CheckpointKind.market, "00070")])
    person = scenario.add_citizen("00070", "26506")
    scenario.visit(person, scenario.places[0], NOW + timedelta(hours=1), NOW + timedelta(hours=2))
    scenario.visit(person, scenario.places[0], NOW + timedelta(hours=3), refused=RefusalReason.symptoms)
    return scenario, [e for _, _, e in scenario.events()]


def _movement(event: Envelope[Any]) -> Movement:
    """The event's movement: every event of the scenario names someone."""
    movement = project(event)
    assert movement is not None
    return movement


def test_every_event_becomes_a_movement_without_names_or_ids() -> None:
    scenario, events = _events()
    movements = [_movement(e) for e in events]
    assert [m.kind for m in movements] == [MovementKind.declared, MovementKind.identity_verified,
                                           MovementKind.ward_notified, MovementKind.passed,
                                           MovementKind.passed, MovementKind.refused]
    assert movements[3].at == NOW + timedelta(hours=1)  # the passage's own time
    assert movements[5].reason == "symptoms" and movements[3].province_code == 1
    stored = json.dumps([to_document(m) for m in movements], default=str)
    assert scenario.citizens[0].national_id not in stored and "Nguyễn" not in stored
    assert "officer" not in stored


def test_bucket_entries_are_deterministic_so_redelivery_adds_nothing() -> None:
    _, events = _events()
    first, again = bucket_writes(_movement(events[3])), bucket_writes(_movement(events[3]))
    assert first == again
    assert [(kind, key.split(":")[-1]) for kind, key, _, _ in first] == [
        ("subject_weeks", "2026-02-23"), ("place_hours", "2026-03-01T13")]
    # The week bucket (Monday 23 Feb) is purged after its last day, Sunday 1 March.
    assert [day for _, _, day, _ in first] == ["2026-03-01", "2026-03-01"]
    assert bucket_writes(_movement(events[0]))[0][0] == "subject_weeks" and \
        len(bucket_writes(_movement(events[0]))) == 1


def _timeline(*located: tuple[float, float] | None) -> Timeline:
    entries = [TimelineEntry.of(Movement(
        source_event_id=f"e{i}", subject_id="s", at=NOW + timedelta(minutes=i),
        kind=MovementKind.passed, checkpoint_id="=cmd()", lat=loc[0] if loc else None,
        lon=loc[1] if loc else None)) for i, loc in enumerate(located)]
    return Timeline(subject_id="s", start=NOW, end=NOW + timedelta(days=1), movements=entries)


def test_csv_neutralises_formulas_and_geojson_needs_coordinates() -> None:
    rows = to_csv(_timeline(None)).splitlines()
    assert rows[0].startswith("id,at,kind") and "'=cmd()" in rows[1]
    with pytest.raises(NoCoordinates):
        to_geojson(_timeline(None, None))
    geo = json.loads(to_geojson(_timeline((21.03, 105.85), None, (10.77, 106.70))))
    kinds = [f["geometry"]["type"] for f in geo["features"]]
    assert kinds == ["Point", "Point", "LineString"]
    assert geo["features"][0]["geometry"]["coordinates"] == [105.85, 21.03]


def test_generator_is_deterministic_and_people_never_overlap_themselves() -> None:
    # One start for both: left to the clock, a second ticking over between them would differ.
    start = datetime(2026, 3, 1, tzinfo=UTC)
    one, two = (generate(seed=3, citizens=20, days=2, start=start) for _ in range(2))
    assert [(v.subject_id, v.start) for v in one.visits] == [(v.subject_id, v.start) for v in two.visits]
    by_person: dict[str, list[tuple[datetime, datetime]]] = {}
    for v in one.visits:
        end = v.end or v.start + timedelta(hours=4)
        by_person.setdefault(v.subject_id, []).append((v.start, end))
    for spans in by_person.values():
        spans.sort()
        assert all(a_end < b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))
    assert any(v.end is None and not v.moment for v in one.visits)


def test_a_28_day_timeline_reads_five_week_buckets_at_most() -> None:
    sunday_night = datetime(2026, 3, 1, 23, 59, tzinfo=UTC)
    assert week_key(sunday_night) == week_key(datetime(2026, 2, 23, tzinfo=UTC)) == "2026-02-23"
    assert week_key(sunday_night + timedelta(minutes=1)) == "2026-03-02"
    # Times in another zone count by their UTC week.
    assert week_key(datetime.fromisoformat("2026-03-02T06:00:00+07:00")) == "2026-02-23"
    spans = [weeks_between(start, start + timedelta(days=28))
             for start in (datetime(2026, 2, 2, tzinfo=UTC) + timedelta(hours=h * 7)
                           for h in range(24 * 2))]
    assert max(len(weeks) for weeks in spans) == 5 and min(len(weeks) for weeks in spans) == 5
    assert weeks_between(sunday_night, sunday_night) == ["2026-02-23"]
