"""Manual lookup, quarantine and zone levels as a scan shows them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from libs.contracts.envelope import Envelope
from libs.contracts.events.notification import ZoneLevelChanged
from libs.contracts.events.trace import QuarantineOrdered, QuarantineReleased
from libs.contracts.vietnam_time import vn_day, vn_today
from tests.conftest import ServerSlice
from tests.integration.test_checkpoint_scan import scan_when_known
from tests.support.checkpoint_kit import (
    OFFICER,
    ROAD,
    Keys,
    add_checkpoints,
    checkpoint_service,
    declaration,
    verified,
)
from tests.support.kafka import eventually
from tests.support.samples import HOAN_KIEM

pytestmark = pytest.mark.calendar  # "today" is in it: `make test-clock` runs it at 20:00 UTC too


async def test_a_person_without_the_qr_is_found_by_national_id_and_birth_date(
        env: ServerSlice) -> None:
    keys = Keys()
    decl = declaration("001085012380")
    async with checkpoint_service(env, keys) as client:
        await add_checkpoints(client)
        await env.publish(decl, verified(decl))
        await scan_when_known(client, keys.token(decl.payload.declaration_id), "verified")
        found = await client.post("/v1/scans/lookup", headers=OFFICER, json={
            "checkpoint_id": ROAD, "national_id": "001 085 012 380",
            "date_of_birth": "1985-03-14"})
        assert found.status_code == 200, found.text
        assert found.json()["via"] == "lookup"
        assert found.json()["person"]["declaration_id"] == decl.payload.declaration_id
        wrong_birthday = await client.post("/v1/scans/lookup", headers=OFFICER, json={
            "checkpoint_id": ROAD, "national_id": "001085012380", "date_of_birth": "1985-03-15"})
        assert wrong_birthday.status_code == 404
        assert wrong_birthday.json()["error"]["code"] == "lookup_not_found"
        bad_id = await client.post("/v1/scans/lookup", headers=OFFICER, json={
            "checkpoint_id": ROAD, "national_id": "12345", "date_of_birth": "1985-03-14"})
        assert bad_id.status_code == 422 and "national_id" in bad_id.json()["error"]["fields"]
        passed = await client.post("/v1/passages", headers=OFFICER,
                                   json={"scan_id": found.json()["scan_id"], "decision": "pass"})
        assert passed.status_code == 201


async def test_an_active_quarantine_refuses_until_its_release(env: ServerSlice) -> None:
    keys = Keys()
    decl = declaration("001085012381")
    today = vn_today()
    order = Envelope.wrap(QuarantineOrdered(
        quarantine_id="q-1", subject_id=decl.payload.subject_id, start=today - timedelta(days=2),
        end=today + timedelta(days=12), place="home", reason="contact"), producer="test")
    token = keys.token(decl.payload.declaration_id)
    async with checkpoint_service(env, keys) as client:
        await add_checkpoints(client)
        await env.publish(decl, verified(decl), order)

        async def quarantined() -> dict[str, Any] | None:
            answer = (await client.post("/v1/scans", headers=OFFICER,
                                        json={"checkpoint_id": ROAD, "token": token})).json()
            return answer if answer.get("person", {}).get("quarantine") else None

        answer = await eventually(quarantined)
        assert answer["person"]["quarantine"]["until"] == (today + timedelta(days=12)).isoformat()
        reason = answer["recommendation"]["reasons"][0]
        assert (reason["code"], reason["severity"]) == ("quarantined", "block")
        assert (today + timedelta(days=12)).strftime("%d/%m/%Y") in reason["message"]["vi"]
        await env.publish(Envelope.wrap(QuarantineReleased(
            quarantine_id="q-1", subject_id=decl.payload.subject_id, at=datetime.now(UTC)),
            producer="test"))

        async def released() -> dict[str, Any] | None:
            answer = (await client.post("/v1/scans", headers=OFFICER,
                                        json={"checkpoint_id": ROAD, "token": token})).json()
            return answer if answer["recommendation"]["decision"] == "pass" else None

        assert (await eventually(released))["person"]["quarantine"] is None


async def test_a_red_origin_recommends_a_medical_check_from_its_effective_time(
        env: ServerSlice) -> None:
    keys = Keys()
    decl = declaration("001085012382")
    now = datetime.now(UTC)
    red_now = Envelope.wrap(ZoneLevelChanged(ward_code=HOAN_KIEM, level=4, effective_at=now,
                                             set_by="health"), producer="test")
    green_later = Envelope.wrap(ZoneLevelChanged(ward_code=HOAN_KIEM, level=1,
                                                 effective_at=now + timedelta(days=1),
                                                 set_by="health"), producer="test")
    async with checkpoint_service(env, keys) as client:
        await add_checkpoints(client)
        await env.publish(decl, verified(decl), green_later, red_now)

        async def red() -> dict[str, Any] | None:
            # Zones and verdicts come on two topics, in no set order: wait for both.
            answer = await scan_when_known(client, keys.token(decl.payload.declaration_id),
                                           "verified")
            return answer if answer["person"]["trip"]["origin"]["level"] == 4 else None

        answer = await eventually(red)
    assert answer["recommendation"]["decision"] == "refer"
    assert [r["code"] for r in answer["recommendation"]["reasons"]] == ["red_zone_origin"]
    assert answer["person"]["trip"]["destination"]["level"] is None
    assert date.fromisoformat(answer["person"]["trip"]["departure_date"]) >= vn_day(now)
