"""The epidemiologists' API on the real servers: every query audited and published,
other roles refused, bad input a 4xx in the shared shape, visits and exports."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from libs.contracts.envelope import parse_event
from libs.contracts.events.checkpoint import CheckpointKind
from libs.contracts.topics import TRACE_ACCESSED
from libs.runtime.auth import Role
from services.movement_trace.app import build
from services.movement_trace.settings import Settings
from synthetic.scenario import Place, Scenario
from tests.conftest import ServerSlice
from tests.support.apps import running
from tests.support.kafka import eventually, read_topic
from tests.support.tokens import bearer, citizen

EPI = bearer(Role.epidemiologist, who='epi-audit')
MARKET = Place("cp-cho-ben-thanh", CheckpointKind.market, "26506")
NOW = datetime.now(UTC).replace(microsecond=0)


def _world() -> Scenario:
    scenario = Scenario(NOW - timedelta(hours=8), 1, [MARKET])
    a, b, c = (scenario.add_citizen("00070", "26506") for _ in range(3))
    scenario.visit(a, MARKET, NOW - timedelta(hours=5), NOW - timedelta(hours=4))
    scenario.visit(b, MARKET, NOW - timedelta(hours=4), NOW - timedelta(hours=3))  # touches a
    scenario.visit(c, MARKET, NOW - timedelta(hours=6), None)  # never checked out
    return scenario


QUERIES = [
    ("/v1/timeline", {"subject_id": "{a}"}),
    ("/v1/visits", {"checkpoint_id": MARKET.checkpoint_id}),
    ("/v1/contacts", {"subject_id": "{a}", "degree": "2"}),
    ("/v1/timeline/export", {"subject_id": "{a}", "format": "csv"}),
    ("/v1/visits/export", {"checkpoint_id": MARKET.checkpoint_id, "format": "json"}),
    ("/v1/contacts/export", {"subject_id": "{a}", "format": "csv"}),
]


# The service's client, the scenario it was fed, its database.
Api = tuple[httpx.AsyncClient, Scenario, AsyncDatabase[dict[str, Any]]]


@pytest.fixture
async def api(env: ServerSlice) -> AsyncIterator[Api]:
    scenario = _world()
    count = await env.publish_scenario(scenario)
    settings = env.settings(Settings)
    async with running(build(settings)) as client, \
            AsyncMongoClient[dict[str, Any]](env.servers.mongo_url) as mongo:
        async def projected() -> bool:
            return await mongo[settings.mongo_db]["movements"].count_documents({}) >= count

        await eventually(projected, timeout_s=60)
        yield client, scenario, mongo[settings.mongo_db]


async def test_every_query_is_audited_and_published(api: Api, env: ServerSlice) -> None:
    client, scenario, db = api
    a = scenario.citizens[0].subject_id
    for path, params in QUERIES:
        filled = {k: v.format(a=a) for k, v in params.items()} | {"purpose": f"audit {path}"}
        response = await client.get(path, headers=EPI, params=filled)
        assert response.status_code == 200, (path, response.text)
    published = await read_topic(env.servers.kafka_bootstrap, env.topics(TRACE_ACCESSED),
                                 at_least=len(QUERIES), settle_s=1.0)
    events = [parse_event(r.value).payload for r in published]
    assert sorted(e.purpose for e in events) == sorted(f"audit {p}" for p, _ in QUERIES)
    assert all(e.who == "epi-audit" and e.role == "epidemiologist" for e in events)
    assert await db["audit"].count_documents({}) == len(QUERIES)
    assert "national_id" not in str(await db["audit"].find().to_list())


@pytest.mark.parametrize("role", [Role.citizen, Role.officer, Role.ward_official, Role.admin])
async def test_other_roles_are_refused_and_not_audited(api: Api, role: Role) -> None:
    client, scenario, db = api
    # Only the declaration service reads citizens' tokens: here one is a stranger's (401).
    headers = citizen("x") if role == Role.citizen else bearer(role, ["x"], who="someone")
    expected = (401, "token_invalid") if role == Role.citizen else (403, "forbidden")
    for path, params in QUERIES:
        filled = {k: v.format(a=scenario.citizens[0].subject_id) for k, v in params.items()}
        response = await client.get(path, headers=headers, params=filled | {"purpose": "nope"})
        assert (response.status_code, response.json()["error"]["code"]) == expected, path
    assert (await client.get("/v1/contacts", params={"subject_id": "a" * 64})).status_code == 401
    assert await db["audit"].count_documents({}) == 0


async def test_bad_input_is_a_4xx_in_the_shared_shape(api: Api) -> None:
    client, _, _ = api
    cases = [
        # The national ID is not taken in a URL: the pseudonym is required there.
        ({"national_id": "001085012345", "purpose": "test"}, "invalid_input"),
        ({"subject_id": "xyz", "purpose": "test"}, "invalid_input"),
        ({"subject_id": "a" * 64}, "invalid_input"),
        ({"subject_id": "a" * 64, "purpose": "test", "from": "2025-01-02T00:00Z",
          "to": "2025-01-01T00:00Z"},
         "range_invalid"),
        ({"subject_id": "a" * 64, "purpose": "test", "from": "2024-01-01T00:00Z",
          "to": "2025-01-01T00:00Z"},
         "range_too_long"),
        ({"subject_id": "a" * 64, "purpose": "test", "from": "yesterday"}, "invalid_input"),
        ({"subject_id": "a" * 64, "purpose": "test", "degree": "3"}, "invalid_input"),
        ({"subject_id": "a" * 64, "purpose": "test", "window_minutes": "-1"}, "invalid_input"),
    ]
    for params, code in cases:
        path = "/v1/contacts" if "degree" in params or "window_minutes" in params else "/v1/timeline"
        response = await client.get(path, headers=EPI, params=params)
        assert response.status_code == 422, (params, response.text)
        body = response.json()["error"]
        # A rule about one field is that field's error, under `invalid_input`.
        codes = {body["code"]} | {e["code"] for errors in body["fields"].values() for e in errors}
        assert code in codes and body["message"]["vi"] and body["message"]["en"], params
    geo = await client.get("/v1/timeline/export", headers=EPI,
                           params={"subject_id": "a" * 64, "purpose": "test", "format": "geojson"})
    assert geo.status_code == 422 and geo.json()["error"]["code"] == "no_coordinates"
    fmt = await client.get("/v1/timeline/export", headers=EPI,
                           params={"subject_id": "a" * 64, "purpose": "test", "format": "xls"})
    assert fmt.status_code == 422 and "format" in fmt.json()["error"]["fields"]


async def test_a_national_id_becomes_its_pseudonym_in_a_body_not_a_url(api: Api) -> None:
    client, scenario, db = api
    person = scenario.citizens[0]
    found = await client.post("/v1/subjects", headers=EPI,
                              json={"national_id": person.national_id})
    invalid = await client.post("/v1/subjects", headers=EPI, json={"national_id": "12AB"})
    officer = await client.post("/v1/subjects", json={"national_id": person.national_id},
                                headers=bearer(Role.officer, ["x"], who="officer-o"))
    assert found.status_code == 200 and found.json() == {"subject_id": person.subject_id}
    assert invalid.status_code == 422 and invalid.json()["error"]["code"] == "national_id_invalid"
    assert officer.status_code == 403
    assert await db["audit"].count_documents({}) == 0  # a pseudonym says nothing on its own


async def test_visits_pair_stays_and_exports_are_files(api: Api) -> None:
    client, scenario, _ = api
    a, b, c = (p.subject_id for p in scenario.citizens)
    window = {"checkpoint_id": MARKET.checkpoint_id, "purpose": "outbreak at the market",
              "from": (NOW - timedelta(hours=7)).isoformat(), "to": NOW.isoformat()}
    visits = (await client.get("/v1/visits", headers=EPI, params=window)).json()["visits"]
    spans = {v["subject_id"]: (v["start"][11:16], v["end"][11:16], v["end_inferred"]) for v in visits}

    def hour(h: int) -> str:
        return (NOW - timedelta(hours=h)).isoformat()[11:16]

    assert spans == {a: (hour(5), hour(4), False), b: (hour(4), hour(3), False),
                     c: (hour(6), hour(2), True)}
    contacts = (await client.get("/v1/contacts", headers=EPI, params={
        "subject_id": a, "purpose": "test"})).json()["contacts"]
    assert [x["subject_id"] for x in contacts] == [c]  # b only touched a's stay
    exported = await client.get("/v1/contacts/export", headers=EPI,
                                params={"subject_id": a, "purpose": "test", "format": "csv"})
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["subject_id"], r["rule"], r["checkpoint_id"]) for r in rows] == [
        (c, "overlapping_stays", MARKET.checkpoint_id)]
