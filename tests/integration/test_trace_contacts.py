"""Contacts over the real topics and store, against ground truth: planted edge cases
(window edges, touching stays, a missing check-out) and a random population."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pymongo import AsyncMongoClient

from libs.runtime.auth import Role
from services.movement_trace.app import build
from services.movement_trace.settings import Settings
from synthetic.scenario import Scenario, generate
from tests.conftest import ServerSlice
from tests.support.apps import running
from tests.support.kafka import eventually
from tests.support.tokens import bearer
from tests.support.trace_truth import Edges, expected, plant_edges

EPI = bearer(Role.epidemiologist, who='epi-contacts')
W, MAX_STAY = timedelta(minutes=15), timedelta(hours=4)


async def _contacts(api: httpx.AsyncClient, subject: str, start: datetime, end: datetime,
                    degree: int) -> dict[str, Any]:
    response = await api.get("/v1/contacts", headers=EPI, params={
        "subject_id": subject, "from": start.isoformat(), "to": end.isoformat(),
        "window_minutes": 15, "degree": degree, "purpose": "contact tracing test"})
    assert response.status_code == 200, response.text
    return dict(response.json())


def _degrees(body: dict[str, Any]) -> dict[str, int]:
    return {c["subject_id"]: c["degree"] for c in body["contacts"]}


@pytest.fixture(scope="module")
def world() -> tuple[Scenario, Edges]:
    now = datetime.now(UTC).replace(microsecond=0)
    scenario = generate(seed=6, citizens=30, days=2, places=8, start=now - timedelta(days=2))
    return scenario, plant_edges(scenario, now - timedelta(days=2) + timedelta(hours=1))


async def _running_with(env: ServerSlice, scenario: Scenario) -> tuple[Settings, int, FastAPI]:
    settings = env.settings(Settings)
    published = await env.publish_scenario(scenario)
    app = build(settings)
    return settings, published, app


async def test_contacts_match_the_ground_truth(env: ServerSlice,
                                               world: tuple[Scenario, Edges]) -> None:
    scenario, edges = world
    settings, published, app = await _running_with(env, scenario)
    async with running(app) as api, AsyncMongoClient[dict[str, Any]](env.servers.mongo_url) as client:
        movements = client[settings.mongo_db]["movements"]

        async def projected() -> bool:
            return await movements.count_documents({}) >= published

        await eventually(projected, timeout_s=180, interval_s=1.0)
        start, end = edges.base - timedelta(days=1), edges.base + timedelta(days=2)

        planted = _degrees(await _contacts(api, edges["I"], start, end, degree=2))
        by_hand = {edges[n]: 1 for n in "ACFGH"} | {edges[n]: 2 for n in "KBDJ"}
        assert planted == by_hand
        assert expected(scenario, edges["I"], start, end, W, MAX_STAY, 2) == by_hand

        # The window's start is inclusive: one second later the road passage drops out.
        later = _degrees(await _contacts(api, edges["I"], edges.base + timedelta(seconds=1), end, 1))
        assert later == {edges[n]: 1 for n in "FGH"}

        window_start, window_end = scenario.start, scenario.start + timedelta(days=2)
        for citizen in scenario.citizens[:12]:
            for degree in (1, 2):
                body = await _contacts(api, citizen.subject_id, window_start, window_end, degree)
                assert _degrees(body) == expected(scenario, citizen.subject_id, window_start,
                                                  window_end, W, MAX_STAY, degree), citizen


async def test_contact_evidence_says_where_when_and_through_whom(
        env: ServerSlice, world: tuple[Scenario, Edges]) -> None:
    scenario, edges = world
    settings, published, app = await _running_with(env, scenario)
    async with running(app) as api, AsyncMongoClient[dict[str, Any]](env.servers.mongo_url) as client:
        movements = client[settings.mongo_db]["movements"]

        async def projected() -> bool:
            return await movements.count_documents({}) >= published

        await eventually(projected, timeout_s=180, interval_s=1.0)
        body = await _contacts(api, edges["I"], edges.base - timedelta(hours=1),
                               edges.base + timedelta(days=2), degree=2)
    by_subject = {c["subject_id"]: c for c in body["contacts"]}
    f = by_subject[edges["F"]]["exposures"]
    assert [(e["checkpoint_id"], e["rule"], e["minutes"]) for e in f] == [
        ("edge-market", "overlapping_stays", 1.0)]
    h = by_subject[edges["H"]]["exposures"][0]
    assert h["met_end"].startswith((edges.base + timedelta(hours=10)).isoformat()[:19])
    k = by_subject[edges["K"]]
    assert k["via"] == [edges["A"]] and k["exposures"][0]["met"] == edges["A"]
    a = by_subject[edges["A"]]["exposures"][0]
    assert (a["rule"], a["minutes"], a["checkpoint_id"]) == ("within_window", 15.0, "edge-road")
