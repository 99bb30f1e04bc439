"""`make run`'s simulated travel: registry residents at the seeded checkpoints, with contacts."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

from deploy.local import demo
from services.checkpoint.seed_data import SEED


def test_travellers_are_living_adults_of_the_demo_registry_not_the_paper_declarants() -> None:
    scenario = demo.travel_scenario()
    adults = demo.living_adults()
    registry = {r["national_id"]: r for r in adults}
    paper = {r["national_id"] for r in adults[:demo.DECLARATIONS]}
    assert len(scenario.citizens) == demo.TRAVELLERS
    for citizen in scenario.citizens:
        assert citizen.person is not None
        resident = registry[citizen.national_id]
        assert citizen.person["full_name"] == resident["full_name"]
        assert citizen.person["date_of_birth"] == resident["date_of_birth"]
        assert citizen.national_id not in paper


def test_only_what_the_declaration_and_checkpoint_services_publish_goes_on_the_log() -> None:
    scenario = demo.travel_scenario()
    topics = {topic for topic, _, _ in scenario.events(derived=False)}
    assert topics == {"declaration.submitted", "checkpoint.passed", "checkpoint.refused"}
    seeded = {cp.checkpoint_id for cp in SEED if cp.kind != "depot"}
    assert {v.place.checkpoint_id for v in scenario.visits} <= seeded


def test_the_travel_holds_contacts_to_find() -> None:
    scenario = demo.travel_scenario()
    by_place: dict[str, list[tuple[datetime, str]]] = {}
    for visit in scenario.visits:
        by_place.setdefault(visit.place.checkpoint_id, []).append((visit.start, visit.subject_id))
    close = 0
    for visits in by_place.values():
        visits.sort()
        close += sum(1 for (t1, s1), (t2, s2) in pairwise(visits)
                     if s1 != s2 and t2 - t1 <= timedelta(minutes=15))
    assert close >= 20
