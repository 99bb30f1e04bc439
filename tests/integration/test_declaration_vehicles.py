"""Green-lane vehicles on the real servers: the vehicle event, its crew's declarations, its QR."""

from __future__ import annotations

from libs.contracts.topics import DECLARATION_SUBMITTED, VEHICLE_DECLARED
from libs.runtime.qr_tokens import Kind, QrVerifier
from tests.conftest import ServerSlice
from tests.support.declaration_kit import bearer, declaration_service, events_on
from tests.support.declaration_samples import OFFICER, form, vehicle
from tests.support.qr_codes import read_qr


async def test_a_vehicle_and_its_crew_are_declared_together(env: ServerSlice) -> None:
    co_driver = form(person__full_name="Trần Văn Bình", person__national_id="001090012345",
                     person__date_of_birth="1990-01-01")
    truck = vehicle()
    truck["crew"].append({"role": "co_driver", "person": co_driver["person"],
                          "residence": co_driver["residence"]})
    async with declaration_service(env) as api:
        response = await api.post("/v1/vehicles", json=truck)
        assert response.status_code == 201, response.text
        answer = response.json()
        by_officer = await api.get(f"/v1/vehicles/{answer['vehicle_declaration_id']}",
                                   headers=OFFICER)
        by_crew_token = await api.get(f"/v1/vehicles/{answer['vehicle_declaration_id']}",
                                      headers=bearer(answer["crew"][0]["access_token"]))
        png = await api.get(answer["qr"]["png"], headers=bearer(answer["access_token"]))
        jwks = (await api.get("/v1/keys")).json()
        vehicles = await events_on(env, VEHICLE_DECLARED)
        crew = await events_on(env, DECLARATION_SUBMITTED, at_least=2)

    [(key, declared)] = vehicles
    assert key == "29C12345" == declared.payload.plate == answer["plate"]
    assert [c.role for c in declared.payload.crew] == ["driver", "co_driver"]
    assert {c.declaration_id for c in declared.payload.crew} == \
        {e.payload.declaration_id for _, e in crew} == {c["declaration_id"] for c in answer["crew"]}
    assert {e.payload.trip.transport.number for _, e in crew} == {"29C12345"}
    assert by_officer.status_code == 200
    assert [c["status"] for c in by_officer.json()["crew"]] == ["pending", "pending"]
    assert by_officer.json()["crew"][0]["access_token"] is None  # tokens only to the submitter
    assert by_crew_token.status_code == 403  # a crew member's token opens their own only
    [text] = read_qr(png.content)
    claims = QrVerifier.from_jwks(jwks).verify(text)
    assert claims.kind == Kind.vehicle and claims.subject == answer["vehicle_declaration_id"]


async def test_a_bad_vehicle_declaration_lists_every_problem(env: ServerSlice) -> None:
    bad = vehicle(plate="HELLO", cargo="", permit_number="?", crew=[])
    async with declaration_service(env) as api:
        response = await api.post("/v1/vehicles", json=bad)
    assert response.status_code == 422
    assert {k: [e["code"] for e in v] for k, v in response.json()["error"]["fields"].items()} == {
        "plate": ["plate_format"], "cargo": ["cargo_length"], "permit_number": ["permit_format"],
        "crew": ["too_short"]}
