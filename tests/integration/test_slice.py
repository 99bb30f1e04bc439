"""The foundation slice in-process, on the real Kafka and store:
declaration → outbox relay → declaration.submitted → movement-trace → timeline."""

from __future__ import annotations

import json

from libs.contracts.envelope import parse_event
from libs.contracts.topics import DECLARATION_SUBMITTED, TRACE_ACCESSED
from libs.contracts.values import subject_id_for
from libs.runtime.auth import Role
from libs.runtime.settings import DEV_SUBJECT_SECRET
from services.declaration.app import build as build_declaration
from services.declaration.settings import Settings as DeclarationSettings
from services.movement_trace.app import build as build_trace
from services.movement_trace.settings import Settings as TraceSettings
from tests.conftest import ServerSlice
from tests.support.apps import running
from tests.support.kafka import eventually, read_topic
from tests.support.samples import declaration_form
from tests.support.tokens import bearer

EPIDEMIOLOGIST = bearer(Role.epidemiologist, who='epi-test')
SUBJECT = subject_id_for(DEV_SUBJECT_SECRET.encode(), "001085012345")


async def test_submitted_declaration_is_published_with_subject_key(env: ServerSlice) -> None:
    async with running(build_declaration(env.settings(DeclarationSettings))) as api:
        response = await api.post("/v1/declarations", json=declaration_form())
        assert response.status_code == 201, response.text
        declaration_id = response.json()["declaration_id"]
        records = await read_topic(env.servers.kafka_bootstrap,
                                   env.topics(DECLARATION_SUBMITTED), settle_s=1.0)

    assert len(records) == 1
    event = parse_event(records[0].value)
    assert event.type == DECLARATION_SUBMITTED and event.producer == "declaration"
    assert event.payload.declaration_id == declaration_id
    assert records[0].key.decode() == event.payload.subject_id


async def test_declaration_reaches_the_timeline(env: ServerSlice) -> None:
    declaration = build_declaration(env.settings(DeclarationSettings))
    trace = build_trace(env.settings(TraceSettings))
    async with running(declaration) as citizen, running(trace) as epidemiologist:
        submitted = (await citizen.post("/v1/declarations", json=declaration_form())).json()
        # The epidemiologist names the person by the pseudonym, never the number, in URLs.
        subject = (await epidemiologist.post("/v1/subjects", headers=EPIDEMIOLOGIST,
                                             json={"national_id": "001085012345"})).json()

        async def timeline() -> list[dict[str, object]]:
            response = await epidemiologist.get(
                "/v1/timeline", headers=EPIDEMIOLOGIST,
                params={"subject_id": subject["subject_id"], "purpose": "slice test"})
            assert response.status_code == 200, response.text
            return list(response.json()["movements"])

        movements = await eventually(timeline)
    assert [m["declaration_id"] for m in movements] == [submitted["declaration_id"]]
    assert movements[0]["kind"] == "declared" and movements[0]["ward_code"] == "00070"
    assert "full_name" not in json.dumps(movements)

    audit = await read_topic(env.servers.kafka_bootstrap, env.topics(TRACE_ACCESSED))
    assert parse_event(audit[0].value).payload.purpose == "slice test"


async def test_timeline_refuses_other_roles_and_missing_purpose(env: ServerSlice) -> None:
    async with running(build_trace(env.settings(TraceSettings))) as api:
        params = {"subject_id": SUBJECT, "purpose": "slice test"}
        anonymous = await api.get("/v1/timeline", params=params)
        officer = await api.get("/v1/timeline", params=params, headers=bearer(
            Role.officer, ["cp-1"], who="o-1"))
        no_purpose = await api.get("/v1/timeline", headers=EPIDEMIOLOGIST,
                                   params={"subject_id": SUBJECT})
    assert anonymous.status_code == 401
    assert officer.status_code == 403
    assert no_purpose.status_code == 422
    assert no_purpose.json()["error"]["fields"].keys() == {"purpose"}
