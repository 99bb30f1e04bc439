"""Green lane: a vehicle leaves the depot only when its whole crew is verified."""

from __future__ import annotations

from typing import Any

from libs.contracts.events.checkpoint import CheckpointPassed, CheckpointRefused
from libs.runtime.qr_tokens import Kind
from tests.conftest import ServerSlice
from tests.support.checkpoint_kit import (
    DEPOT,
    OFFICER,
    Keys,
    add_checkpoints,
    checkpoint_service,
    declaration,
    passages_on,
    vehicle,
    verified,
)
from tests.support.kafka import eventually


async def test_a_crew_member_not_yet_verified_keeps_the_truck_at_the_depot(
        env: ServerSlice) -> None:
    keys = Keys()
    driver = declaration("001085012370", full_name="Trần Văn Bình")
    helper = declaration("001085012371", full_name="Lê Thị Cúc")
    truck = vehicle(("driver", driver), ("assistant", helper))
    token = keys.token(truck.payload.vehicle_declaration_id, kind=Kind.vehicle)
    async with checkpoint_service(env, keys) as client:
        await add_checkpoints(client)
        await env.publish(driver, verified(driver), helper, truck)

        async def crew_known() -> dict[str, Any] | None:
            answer = await client.post("/v1/scans", headers=OFFICER,
                                       json={"checkpoint_id": DEPOT, "token": token})
            body = answer.json() if answer.status_code == 200 else None
            crew = body["vehicle"]["crew"] if body else []
            return body if crew and all(c["masked_name"] for c in crew) and \
                crew[0]["status"] == "verified" else None

        refused_scan = await eventually(crew_known)
        assert refused_scan["kind"] == "vehicle"
        assert refused_scan["recommendation"]["decision"] == "refuse"
        crew_failed = refused_scan["recommendation"]["reasons"][0]
        assert crew_failed["code"] == "crew_failed"
        assert "assistant Lê T. C. (not_verified)" in crew_failed["message"]["en"]
        assert [c["cleared"] for c in refused_scan["vehicle"]["crew"]] == [True, False]
        blocked = await client.post("/v1/passages", headers=OFFICER, json={
            "scan_id": refused_scan["scan_id"], "decision": "pass", "direction": "out"})
        assert blocked.json()["error"]["code"] == "pass_blocked"
        refusal = await client.post("/v1/passages", headers=OFFICER, json={
            "scan_id": refused_scan["scan_id"], "decision": "refuse", "direction": "out"})
        assert refusal.status_code == 201, refusal.text

        await env.publish(verified(helper))

        async def cleared() -> dict[str, Any] | None:
            answer = await client.post("/v1/scans", headers=OFFICER,
                                       json={"checkpoint_id": DEPOT, "token": token})
            body = answer.json()
            return body if body["recommendation"]["decision"] == "pass" else None

        passing_scan = await eventually(cleared)
        departed = await client.post("/v1/passages", headers=OFFICER, json={
            "scan_id": passing_scan["scan_id"], "decision": "pass", "direction": "out"})
        assert departed.status_code == 201, departed.text
        events = await passages_on(env, at_least=3, settle_s=2.0)
    refused = [e.payload for e in events if isinstance(e.payload, CheckpointRefused)]
    passed = [e.payload for e in events if type(e.payload) is CheckpointPassed]
    assert [(r.subject_id, r.reason) for r in refused] == [
        (helper.payload.subject_id, "not_verified")], "only the one who failed is refused"
    assert sorted(p.subject_id for p in passed) == sorted(
        [driver.payload.subject_id, helper.payload.subject_id])
    assert {(p.vehicle_plate, p.direction, p.kind) for p in passed + refused} == {
        ("29C12345", "out", "depot")}
