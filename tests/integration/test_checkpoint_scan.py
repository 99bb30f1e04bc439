"""Scanning and deciding against the real Kafka and FerretDB, with real signatures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from libs.contracts.events.checkpoint import CheckpointPassed, CheckpointRefused
from tests.conftest import ServerSlice
from tests.support.checkpoint_kit import (
    OFFICER,
    ROAD,
    Keys,
    add_checkpoints,
    checkpoint_service,
    declaration,
    passages_on,
    rejected,
    scan_id,
    verified,
)
from tests.support.kafka import eventually


async def scan_when_known(client: httpx.AsyncClient, token: str, status: str | None = None,
                          checkpoint: str = ROAD) -> dict[str, Any]:
    """Scan until the declaration (and, if given, its status) reached the service."""
    async def attempt() -> dict[str, Any] | None:
        answer = await client.post("/v1/scans", headers=OFFICER,
                                   json={"checkpoint_id": checkpoint, "token": token})
        if answer.status_code != 200:
            assert answer.json()["error"]["code"] == "declaration_unknown", answer.text
            return None
        body: dict[str, Any] = answer.json()
        return body if status is None or body["person"]["status"] == status else None

    result: dict[str, Any] = await eventually(attempt)
    return result


async def test_a_verified_traveller_is_scanned_passed_once_and_published(
        env: ServerSlice) -> None:
    keys = Keys()
    decl = declaration(full_name="Nguyễn Văn An")
    async with checkpoint_service(env, keys) as client:
        await add_checkpoints(client)
        await env.publish(decl, verified(decl))
        answer = await scan_when_known(client, keys.token(decl.payload.declaration_id),
                                       "verified")
        person = answer["person"]
        assert person["masked_name"] == "Nguyễn V. A."
        assert person["masked_document"] == "001******345"
        assert person["trip"]["origin"]["ward_name"] == "Phường Hoàn Kiếm"
        assert answer["recommendation"] == {"decision": "pass", "may_pass": True, "reasons": []}
        assert "001085012345" not in str(answer) and "Văn An" not in str(answer)

        body = {"scan_id": answer["scan_id"], "decision": "pass", "vehicle_plate": "29A-123.45"}
        first = await client.post("/v1/passages", headers=OFFICER, json=body)
        again = await client.post("/v1/passages", headers=OFFICER, json=body)
        assert (first.status_code, again.status_code) == (201, 200), first.text
        assert again.json()["duplicate"] is True
        assert again.json()["passage_id"] == first.json()["passage_id"]
        other = await client.post("/v1/passages", headers=OFFICER,
                                  json={**body, "decision": "refuse", "reason": "symptoms"})
        assert other.status_code == 409 and other.json()["error"]["code"] == "already_decided"

        events = await passages_on(env, at_least=1, settle_s=2.0)
    assert len(events) == 1, events
    passed = events[0].payload
    assert type(passed) is CheckpointPassed
    assert (passed.passage_id, passed.checkpoint_id, passed.direction) == (
        answer["scan_id"], ROAD, "through")
    assert passed.subject_id == decl.payload.subject_id
    assert (passed.vehicle_plate, passed.latitude, passed.longitude) == ("29A12345", 21.03, 105.85)


async def test_an_identity_verdict_that_arrives_before_its_declaration_counts(
        env: ServerSlice) -> None:
    keys = Keys()
    decl = declaration("001085012346")
    async with checkpoint_service(env, keys) as client:
        await add_checkpoints(client)
        await env.publish(verified(decl))
        await env.publish(decl)
        # The two topics are consumed in no set order: wait for the status itself. Were an
        # early verdict dropped, the declaration would stay pending and this would time out.
        answer = await scan_when_known(client, keys.token(decl.payload.declaration_id),
                                       "verified")
        assert answer["person"]["status"] == "verified"


async def test_a_rejected_identity_is_refused_and_cannot_be_passed(env: ServerSlice) -> None:
    keys = Keys()
    decl = declaration("001085012347")
    async with checkpoint_service(env, keys) as client:
        await add_checkpoints(client)
        await env.publish(decl, rejected(decl))
        answer = await scan_when_known(client, keys.token(decl.payload.declaration_id),
                                       "rejected")
        assert answer["recommendation"]["decision"] == "refuse"
        assert answer["recommendation"]["may_pass"] is False
        assert [r["code"] for r in answer["recommendation"]["reasons"]] == ["identity_rejected"]
        blocked = await client.post("/v1/passages", headers=OFFICER,
                                    json={"scan_id": answer["scan_id"], "decision": "pass"})
        assert blocked.status_code == 409 and blocked.json()["error"]["code"] == "pass_blocked"
        refused = await client.post("/v1/passages", headers=OFFICER,
                                    json={"scan_id": answer["scan_id"], "decision": "refuse"})
        assert refused.status_code == 201, refused.text
        assert refused.json()["reason"] == "identity_rejected"
        events = await passages_on(env, at_least=1)
        later = await scan_when_known(client, keys.token(decl.payload.declaration_id))
    assert [type(e.payload) for e in events] == [CheckpointRefused]
    assert events[0].payload.reason == "identity_rejected"
    assert [r["checkpoint_id"] for r in later["person"]["earlier_refusals"]] == [ROAD]
    assert "refused_earlier" in [r["code"] for r in later["recommendation"]["reasons"]]


async def test_symptoms_recommend_a_medical_check_recorded_as_a_referral(
        env: ServerSlice) -> None:
    keys = Keys()
    decl = declaration("001085012348", symptoms=["fever", "cough"])
    async with checkpoint_service(env, keys) as client:
        await add_checkpoints(client)
        await env.publish(decl, verified(decl))
        answer = await scan_when_known(client, keys.token(decl.payload.declaration_id),
                                       "verified")
        assert answer["recommendation"]["decision"] == "refer"
        reason = answer["recommendation"]["reasons"][0]
        assert reason["code"] == "symptoms" and "fever, cough" in reason["message"]["en"]
        referred = await client.post("/v1/passages", headers=OFFICER, json={
            "scan_id": answer["scan_id"], "decision": "refer", "direction": "in"})
        assert referred.status_code == 201, referred.text
        events = await passages_on(env, at_least=1)
    assert events[0].payload.reason == "referred_to_medical"


async def test_a_decision_made_offline_is_recorded_with_its_time_once(env: ServerSlice) -> None:
    keys = Keys()
    decl = declaration("001085012349")
    decided_at = datetime.now(UTC) - timedelta(hours=2)
    async with checkpoint_service(env, keys) as client:
        await add_checkpoints(client)
        await env.publish(decl, verified(decl))
        await scan_when_known(client, keys.token(decl.payload.declaration_id))
        token = keys.token(decl.payload.declaration_id, issued=decided_at - timedelta(days=1))
        queued = {"scan_id": scan_id(), "decision": "pass", "checkpoint_id": ROAD,
                  "token": token, "direction": "in",
                  "at": decided_at.isoformat()}
        answers = [await client.post("/v1/passages", headers=OFFICER, json=queued)
                   for _ in range(3)]
        assert [a.status_code for a in answers] == [201, 200, 200], answers[0].text
        unknown = await client.post("/v1/passages", headers=OFFICER,
                                    json={"scan_id": scan_id(), "decision": "pass"})
        assert unknown.status_code == 404
        assert unknown.json()["error"]["code"] == "scan_not_found"
        events = await passages_on(env, at_least=1, settle_s=2.0)
    assert len(events) == 1
    assert abs(events[0].payload.at - decided_at) < timedelta(milliseconds=1)
    assert events[0].occurred_at == events[0].payload.at
