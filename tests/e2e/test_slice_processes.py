"""The foundation slice across real processes, over HTTP only."""

from __future__ import annotations

import httpx

from libs.runtime.auth import Role
from tests.e2e.conftest import System
from tests.support.kafka import eventually
from tests.support.samples import declaration_form
from tests.support.tokens import bearer


async def test_declaration_submitted_over_http_appears_on_the_timeline(system: System) -> None:
    epidemiologist = bearer(Role.epidemiologist, who='epi-e2e')
    async with httpx.AsyncClient(timeout=10) as http:
        submitted = await http.post(f"{system.url('declaration')}/v1/declarations",
                                    json=declaration_form("079085001234"))
        assert submitted.status_code == 201, submitted.text
        body = submitted.json()

        status = await http.get(f"{system.url('declaration')}/v1/declarations/"
                                f"{body['declaration_id']}",
                                headers={"authorization": f"Bearer {body['access_token']}"})
        assert status.status_code == 200 and status.json()["status"] == "pending"
        looked_up = await http.post(f"{system.url('movement-trace')}/v1/subjects",
                                    headers=epidemiologist, json={"national_id": "079085001234"})
        assert looked_up.status_code == 200, looked_up.text
        subject = looked_up.json()["subject_id"]

        async def on_timeline() -> list[dict[str, object]]:
            response = await http.get(
                f"{system.url('movement-trace')}/v1/timeline", headers=epidemiologist,
                params={"subject_id": subject, "purpose": "e2e slice"})
            assert response.status_code == 200, response.text
            return list(response.json()["movements"])

        async def declared() -> list[dict[str, object]]:
            return [m for m in await on_timeline() if m["kind"] == "declared"]

        declared_movements = await eventually(declared, timeout_s=120)
        movements = await on_timeline()
    # Verification and ward notifications may already have added their own movements
    # by now; all of them belong to this one declaration, and it was declared once.
    assert [m["declaration_id"] for m in declared_movements] == [body["declaration_id"]]
    assert {m["declaration_id"] for m in movements} == {body["declaration_id"]}


async def test_every_service_exposes_its_operational_endpoints(system: System) -> None:
    from deploy.local import run

    async with httpx.AsyncClient(timeout=10) as http:
        for service in run.existing():
            base = service.url(system.environ)
            for path in ("/healthz", "/readyz", "/openapi.json", "/asyncapi.json", "/metrics"):
                response = await http.get(base + path)
                assert response.status_code == 200, f"{service.name}{path}: {response.status_code}"
