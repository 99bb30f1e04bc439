"""Re-identification against the real Kafka, store and identity provider: who may see whom.

The declaration service learns who is responsible for whom from the events the
others publish (`ward.notified`, `checkpoint.scanned`, `case.confirmed`,
`quarantine.ordered`): they are published here onto this test's topics as the
other services would. Staff tokens are the identity provider's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import httpx

from libs.contracts.envelope import Envelope, utcnow
from libs.contracts.events.checkpoint import CheckpointScanned
from libs.contracts.events.notification import NotifyReason, WardNotified
from libs.contracts.events.trace import CaseConfirmed, TraceAccessed
from libs.contracts.topics import PERSON_REVEALED
from libs.contracts.values import subject_id_for
from libs.contracts.vietnam_time import vn_today
from libs.runtime.auth import Role
from libs.runtime.settings import DEV_SUBJECT_SECRET
from services.movement_trace.app import build as build_trace
from services.movement_trace.settings import Settings as TraceSettings
from tests.conftest import ServerSlice
from tests.support.apps import running
from tests.support.declaration_kit import declaration_service, events_on
from tests.support.declaration_samples import VUNG_TAU, form
from tests.support.kafka import eventually
from tests.support.notification_kit import BEN_THANH
from tests.support.tokens import bearer

WARD = bearer(Role.ward_official, [VUNG_TAU], who="reveal-vungtau", unit="UBND phường Vũng Tàu")
OTHER_WARD = bearer(Role.ward_official, [BEN_THANH], who="reveal-benthanh")
EPI = bearer(Role.epidemiologist, who="reveal-epi", unit="CDC Hà Nội")
OFFICER = bearer(Role.officer, ["cp-reveal"], who="reveal-officer", unit="Chốt thử")
OTHER_OFFICER = bearer(Role.officer, ["cp-reveal"], who="reveal-officer-2")
ADMIN = bearer(Role.admin, who="reveal-admin")


def subject(national_id: str) -> str:
    return subject_id_for(DEV_SUBJECT_SECRET.encode(), national_id)


async def declared(api: httpx.AsyncClient, national_id: str, phone: str) -> dict[str, Any]:
    answer = await api.post("/v1/declarations", json=form(
        person__national_id=national_id, person__phone=phone,
        person__date_of_birth="1985-03-14"))
    assert answer.status_code == 201, answer.text
    return {**answer.json(), "subject_id": subject(national_id)}


async def reveal(api: httpx.AsyncClient, who: Mapping[str, str], person: dict[str, Any],
                 purpose: str = "gọi điện hỏi thăm sức khoẻ") -> httpx.Response:
    return await api.post("/v1/reveals", headers=who, json={
        "subject_id": person["subject_id"], "declaration_id": person["declaration_id"],
        "purpose": purpose})


async def granted(api: httpx.AsyncClient, who: Mapping[str, str],
                  person: dict[str, Any]) -> httpx.Response | None:
    """The reveal once the grant's event has been consumed (None while still 403)."""
    answer = await reveal(api, who, person)
    return answer if answer.status_code == 200 else None


async def test_each_role_sees_only_the_people_it_is_responsible_for(env: ServerSlice) -> None:
    now = utcnow()
    async with declaration_service(env) as api:
        arriving = await declared(api, "001085012345", "0912345678")
        scanned = await declared(api, "001085012346", "0912345679")
        stale_scan = await declared(api, "001085012347", "0912345670")
        case = await declared(api, "001085012348", "0912345671")
        contact = await declared(api, "001085012349", "0912345672")
        # Before any event: nobody has grounds, whatever the role.
        for who in (WARD, EPI, OFFICER):
            refused = await reveal(api, who, arriving)
            assert (refused.status_code, refused.json()["error"]["code"]) == (
                403, "reveal_forbidden"), refused.text
        await env.publish(Envelope.wrap(WardNotified(
            notification_id="n-1", ward_code=VUNG_TAU, subject_id=arriving["subject_id"],
            reason=NotifyReason.arriving, declaration_id=arriving["declaration_id"]),
            producer="ward-notification"))
        await env.publish(*(Envelope.wrap(CheckpointScanned(
            scan_id=f"s-{i}", declaration_id=p["declaration_id"], subject_id=p["subject_id"],
            checkpoint_id="cp-reveal", officer_id="reveal-officer", at=at), producer="checkpoint")
            for i, (p, at) in enumerate([(scanned, now), (stale_scan, now - timedelta(minutes=20))])))
        await env.publish(Envelope.wrap(CaseConfirmed(
            subject_id=case["subject_id"], positive_test_date=vn_today(), confirmed_by="epi",
            case_id="case-1", contacts=[contact["subject_id"]]), producer="movement-trace"))

        ward_sees = await eventually(lambda: granted(api, WARD, arriving), timeout_s=60)
        officer_sees = await eventually(lambda: granted(api, OFFICER, scanned), timeout_s=60)
        epi_sees_case = await eventually(lambda: granted(api, EPI, case), timeout_s=60)
        epi_sees_contact = await reveal(api, EPI, contact)
        refusals = {name: (await reveal(api, who, person)).status_code for name, who, person in [
            ("ward out of scope", OTHER_WARD, arriving),
            ("epidemiologist without a case", EPI, arriving),
            ("officer, other traveller", OFFICER, arriving),
            ("officer after the window", OFFICER, stale_scan),
            ("another officer", OTHER_OFFICER, scanned),
            ("ward, a case elsewhere", WARD, case),
            ("admin", ADMIN, arriving),
            ("citizen", {"authorization": f"Bearer {arriving['access_token']}"}, arriving),
        ]}
        no_purpose = await api.post("/v1/reveals", headers=WARD, json={
            "subject_id": arriving["subject_id"], "purpose": ""})
    assert refusals == {name: 403 for name in refusals}, refusals
    assert no_purpose.status_code == 422
    shown = ward_sees.json()
    assert (shown["full_name"], shown["phone"], shown["date_of_birth"]) == (
        "Nguyễn Văn An", "0912345678", "1985-03-14")
    assert shown["residence"]["permanent"]["address"] == "12 Hàng Bạc"
    assert shown["grounds"] == f"ward {VUNG_TAU}: arriving"
    assert officer_sees.json()["phone"] == "0912345679"
    assert epi_sees_case.json()["grounds"] == "case"
    assert epi_sees_contact.status_code == 200 and epi_sees_contact.json()["phone"] == "0912345672"


async def test_every_reveal_is_audited_published_and_shown_to_the_person(env: ServerSlice) -> None:
    async with declaration_service(env) as api, \
            running(build_trace(env.settings(TraceSettings))) as trace:
        person = await declared(api, "001085012350", "0987654321")
        citizen = {"authorization": f"Bearer {person['access_token']}"}
        await env.publish(Envelope.wrap(WardNotified(
            notification_id="n-2", ward_code=VUNG_TAU, subject_id=person["subject_id"],
            reason=NotifyReason.arriving, declaration_id=person["declaration_id"]),
            producer="ward-notification"))
        await eventually(lambda: granted(api, WARD, person), timeout_s=60)
        # An epidemiologist's trace query about her, as the trace service publishes it.
        await env.publish(Envelope.wrap(TraceAccessed(
            who="reveal-epi", role="epidemiologist", purpose="truy vết ổ dịch chợ", query="timeline",
            at=utcnow(), subject_id=person["subject_id"], unit="CDC Hà Nội"),
            producer="movement-trace"))

        async def both() -> list[dict[str, Any]] | None:
            answer = await api.get(f"/v1/declarations/{person['declaration_id']}/accesses",
                                   headers=citizen)
            assert answer.status_code == 200, answer.text
            items = answer.json()["accesses"]
            return items if len(items) == 2 else None

        accesses = await eventually(both, timeout_s=60)
        other = await declared(api, "001085012351", "0987654322")
        foreign = await api.get(f"/v1/declarations/{person['declaration_id']}/accesses",
                                headers={"authorization": f"Bearer {other['access_token']}"})

        async def audited() -> list[dict[str, Any]] | None:
            answer = await trace.get("/v1/audit", headers=ADMIN,
                                     params={"kind": "reveal", "user": "reveal-vungtau"})
            assert answer.status_code == 200, answer.text
            return answer.json()["entries"] or None

        audit = await eventually(audited, timeout_s=60)
    published = [e for _, e in await events_on(env, PERSON_REVEALED)]
    assert len(published) == 1, "the one reveal, published once"
    event = published[0]
    assert (event.payload.who, event.payload.role, event.payload.unit, event.payload.subject_id) == (
        "reveal-vungtau", "ward_official", "UBND phường Vũng Tàu", person["subject_id"])
    raw = event.model_dump_json()
    assert "0987654321" not in raw and "Nguyễn" not in raw and "001085012350" not in raw
    assert {(a["kind"], a["role"], a["unit"], a["purpose"]) for a in accesses} == {
        ("reveal", "ward_official", "UBND phường Vũng Tàu", "gọi điện hỏi thăm sức khoẻ"),
        ("trace", "epidemiologist", "CDC Hà Nội", "truy vết ổ dịch chợ")}
    assert all("reveal-vungtau" not in str(a) and "reveal-epi" not in str(a) for a in accesses)
    assert foreign.status_code == 403
    assert [(a["who"], a["subject_id"], a["kind"]) for a in audit] == [
        ("reveal-vungtau", person["subject_id"], "reveal")]
