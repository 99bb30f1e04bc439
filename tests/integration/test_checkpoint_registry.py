"""The registry, who may do what, and bad input: always a 4xx in the error shape."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from libs.runtime.auth import Role
from tests.conftest import ServerSlice
from tests.integration.test_checkpoint_scan import scan_when_known
from tests.support.checkpoint_kit import (
    ADMIN,
    MARKET,
    OFFICER,
    ROAD,
    Keys,
    add_checkpoints,
    checkpoint_service,
    declaration,
    verified,
)
from tests.support.tokens import bearer

CHECKPOINT = {"name": "Bến xe Mỹ Đình", "kind": "bus_station", "ward_code": "00592",
              "latitude": 21.028, "longitude": 105.778}


async def test_admins_keep_the_registry_and_officers_see_their_own(env: ServerSlice) -> None:
    async with checkpoint_service(env, Keys()) as client:
        created = await client.put("/v1/checkpoints/cp-hn-my-dinh", headers=ADMIN,
                                   json=CHECKPOINT)
        replaced = await client.put("/v1/checkpoints/cp-hn-my-dinh", headers=ADMIN,
                                    json={**CHECKPOINT, "active": False})
        assert (created.status_code, replaced.status_code) == (201, 200)
        body = replaced.json()
        assert (body["ward_name"], body["province_code"], body["active"]) == (
            "Phường Từ Liêm", 1, False)
        await add_checkpoints(client)
        everything = (await client.get("/v1/checkpoints?province=1", headers=ADMIN)).json()
        assert everything["total"] == 5
        stations = (await client.get("/v1/checkpoints?kind=bus_station", headers=ADMIN)).json()
        assert [c["checkpoint_id"] for c in stations["items"]] == ["cp-hn-my-dinh"]
        own = (await client.get("/v1/checkpoints", headers=bearer(Role.officer, [ROAD]))).json()
        assert [c["checkpoint_id"] for c in own["items"]] == [ROAD]
        other = await client.get("/v1/checkpoints/cp-hn-my-dinh",
                                 headers=bearer(Role.officer, [ROAD]))
        assert other.status_code == 403

        refusals = {
            "officer": await client.put("/v1/checkpoints/x1", headers=OFFICER, json=CHECKPOINT),
            "anonymous": await client.put("/v1/checkpoints/x1", json=CHECKPOINT),
            "ward": await client.put("/v1/checkpoints/x1", headers=ADMIN,
                                     json={**CHECKPOINT, "ward_code": "99999"}),
            "half_position": await client.put("/v1/checkpoints/x1", headers=ADMIN,
                                              json={**CHECKPOINT, "longitude": None}),
            "kind": await client.put("/v1/checkpoints/x1", headers=ADMIN,
                                     json={**CHECKPOINT, "kind": "castle"}),
            "id": await client.put("/v1/checkpoints/Bad_Id", headers=ADMIN, json=CHECKPOINT),
            "json": await client.put("/v1/checkpoints/x1", content=b"{nope", headers={
                **ADMIN, "content-type": "application/json"}),
        }
    statuses = {name: (r.status_code, r.json()["error"]["code"]) for name, r in refusals.items()}
    assert statuses == {"officer": (403, "forbidden"), "anonymous": (401, "token_missing"),
                        "ward": (422, "invalid_input"), "half_position": (422, "invalid_input"),
                        "kind": (422, "invalid_input"), "id": (422, "invalid_input"),
                        "json": (400, "malformed_json")}
    assert "ward_code" in refusals["ward"].json()["error"]["fields"]


async def test_scans_and_decisions_refuse_what_they_cannot_do(env: ServerSlice) -> None:
    keys = Keys()
    first, second = declaration("001085012390"), declaration("001085012391")
    async with checkpoint_service(env, keys) as client:
        await add_checkpoints(client)
        await client.put("/v1/checkpoints/cp-closed", headers=ADMIN,
                         json={**CHECKPOINT, "active": False})
        await env.publish(first, verified(first), second, verified(second))
        token = keys.token(first.payload.declaration_id)
        answer = await scan_when_known(client, token)
        await scan_when_known(client, keys.token(second.payload.declaration_id))

        async def scan(checkpoint: str, headers: Mapping[str, str] = OFFICER,
                       **extra: str) -> tuple[int, str]:
            got = await client.post("/v1/scans", headers=headers,
                                    json={"checkpoint_id": checkpoint, "token": token, **extra})
            return got.status_code, got.json()["error"]["code"]

        assert await scan(ROAD, bearer(Role.officer, [MARKET])) == (403, "checkpoint_forbidden")
        assert await scan("cp-nowhere") == (404, "checkpoint_unknown")
        assert await scan("cp-closed", ADMIN) == (409, "checkpoint_inactive")
        assert await scan(ROAD, bearer(Role.epidemiologist)) == (403, "forbidden")
        reused = await client.post("/v1/scans", headers=OFFICER, json={
            "checkpoint_id": ROAD, "scan_id": answer["scan_id"],
            "token": keys.token(second.payload.declaration_id)})
        assert (reused.status_code, reused.json()["error"]["code"]) == (409, "scan_id_reused")

        async def decide(**body: object) -> tuple[int, str]:
            got = await client.post("/v1/passages", headers=OFFICER,
                                    json={"scan_id": answer["scan_id"], **body})
            return got.status_code, got.json()["error"]["code"]

        future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        stale = (datetime.now(UTC) - timedelta(days=5)).isoformat()
        assert await decide(decision="refuse") == (422, "reason_required")
        assert await decide(decision="pass", reason="symptoms") == (422, "reason_with_pass")
        assert await decide(decision="pass", at=future) == (422, "at_in_future")
        assert await decide(decision="pass", at=stale) == (422, "at_too_old")
        assert await decide(decision="wave") == (422, "invalid_input")
        assert await decide(decision="pass", vehicle_plate="!!") == (422, "invalid_input")
        assert await decide(decision="pass", direction="sideways") == (422, "invalid_input")
        other_officer = await client.post("/v1/passages", headers=bearer(Role.officer, [MARKET]),
                                          json={"scan_id": answer["scan_id"], "decision": "pass"})
        assert other_officer.status_code == 403
        nothing = await client.get(f"/v1/passages/{answer['scan_id']}", headers=OFFICER)
        assert nothing.status_code == 404
