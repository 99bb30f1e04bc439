"""Issue 12 end to end on the real servers: an F0 is confirmed in movement-trace, its
contacts are proposed (the contacts feature's answer) and ordered into quarantine; the
orders reach the checkpoint (a scan is refused) and the ward's follow-up list; follow-ups
are recorded, a person not reached two days running is flagged (injected clock); an early
release and a release at term lift the refusal; every action is audited; redelivered
events change nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from libs.contracts.envelope import Envelope
from libs.contracts.events.checkpoint import CheckpointPassed
from libs.contracts.events.declaration import DeclarationSubmitted
from libs.contracts.events.trace import QuarantineOrdered, QuarantineReleased
from libs.contracts.topics import QUARANTINE_ORDERED
from libs.contracts.vietnam_time import vn_day
from libs.runtime.auth import Role
from services.movement_trace.app import build as build_trace
from services.movement_trace.settings import Settings as TraceSettings
from services.ward_notification.app import build as build_ward
from services.ward_notification.settings import Settings as WardSettings
from tests.conftest import ServerSlice
from tests.integration.test_checkpoint_scan import scan_when_known
from tests.integration.test_declaration_status import submitted as declaration_submitted
from tests.integration.test_declaration_status import view as declaration_view
from tests.support.apps import running
from tests.support.checkpoint_kit import (
    OFFICER,
    ROAD,
    Keys,
    add_checkpoints,
    checkpoint_service,
    declaration,
    verified,
)
from tests.support.declaration_kit import declaration_service
from tests.support.kafka import eventually, read_topic, redeliver
from tests.support.samples import HOAN_KIEM, VUNG_TAU
from tests.support.tokens import bearer

pytestmark = pytest.mark.calendar  # "today" is in it: `make test-clock` runs it at 20:00 UTC too

EPI = bearer(Role.epidemiologist, who="epi-12")
WARD = bearer(Role.ward_official, [VUNG_TAU], who="ward-official-12")
OTHER_WARD = bearer(Role.ward_official, [HOAN_KIEM], who="ward-official-hk")
MARKET = "cp-q-market"


class Clock:
    """An injected "now" that a test moves forward instead of sleeping."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def at_market(decl: Envelope[DeclarationSubmitted], start: datetime,
              minutes: int) -> list[Envelope[CheckpointPassed]]:
    """A stay at the market: a check-in and a check-out."""
    p = decl.payload
    return [Envelope.wrap(CheckpointPassed(
        passage_id=str(uuid.uuid4()), declaration_id=p.declaration_id, subject_id=p.subject_id,
        checkpoint_id=MARKET, kind="market", ward_code=HOAN_KIEM, direction=direction,
        officer_id="o-1", at=moment), producer="test")
        for direction, moment in (("in", start), ("out", start + timedelta(minutes=minutes)))]


async def ok(answer: httpx.Response, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


async def test_f0_to_quarantine_follow_up_and_release(env: ServerSlice) -> None:
    f0, b, c, far = (declaration(n) for n in ("001085012391", "001085012392", "001085012393",
                                              "001085012394"))
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=5)
    stays = (at_market(f0, base, 60) + at_market(b, base + timedelta(minutes=30), 60) +
             at_market(c, base + timedelta(minutes=50), 30) +
             at_market(far, base + timedelta(hours=3), 20))
    await env.publish(f0, b, c, far, verified(b), verified(c), *stays)
    subject = {name: d.payload.subject_id for name, d in
               (("f0", f0), ("b", b), ("c", c), ("far", far))}

    keys, trace_clock, ward_clock = Keys(), Clock(), Clock()
    trace_settings = env.settings(TraceSettings, release_interval_s=0.3)
    ward_settings = env.settings(WardSettings)
    async with running(build_trace(trace_settings, clock=trace_clock)) as trace, \
            running(build_ward(ward_settings, clock=ward_clock)) as ward, \
            checkpoint_service(env, keys) as checkpoint, \
            AsyncMongoClient[dict[str, Any]](env.servers.mongo_url) as mongo:
        await add_checkpoints(checkpoint)
        trace_db, ward_db = mongo[trace_settings.mongo_db], mongo[ward_settings.mongo_db]

        async def projected() -> bool:
            return (await trace_db["movements"].count_documents({}) >= len(stays) + 6
                    and await trace_db["stays"].count_documents({}) == 4)

        await eventually(projected, timeout_s=60)

        # 1. The F0, and the proposed F1 = the contacts feature's degree-1 answer.
        proposal = await ok(await trace.post("/v1/cases", headers=EPI, json={
            "purpose": "cluster 12", "subject_id": subject["f0"],
            "positive_test_date": vn_day(trace_clock()).isoformat()}), 201)
        assert proposal["created"] is True
        case = proposal["case"]
        contacts = await ok(await trace.get("/v1/contacts", headers=EPI, params={
            "subject_id": subject["f0"], "from": case["window_start"], "to": case["window_end"],
            "degree": 1, "purpose": "cross-check"}))
        assert proposal["contacts"]["contacts"] == contacts["contacts"]
        assert {p["subject_id"] for p in proposal["proposed"]} == {subject["b"], subject["c"]}
        assert all(p["ward_code"] == VUNG_TAU and p["exposures"] for p in proposal["proposed"])
        again = await ok(await trace.post("/v1/cases", headers=EPI, json={
            "purpose": "cluster 12", "subject_id": subject["f0"],
            "positive_test_date": case["positive_test_date"]}), 201)
        assert again["created"] is False and again["case"]["case_id"] == case["case_id"]

        # 2. Some, then all of the F1; a stranger is refused; a repeat orders nothing new.
        orders_url = f"/v1/cases/{case['case_id']}/quarantines"
        stranger = await trace.post(orders_url, headers=EPI, json={
            "purpose": "cluster 12", "subject_ids": [subject["far"]]})
        assert stranger.status_code == 422 and stranger.json()["error"]["code"] == "not_a_contact"
        first = await ok(await trace.post(orders_url, headers=EPI, json={
            "purpose": "cluster 12", "subject_ids": [subject["b"]]}), 201)
        everyone = await ok(await trace.post(orders_url, headers=EPI, json={
            "purpose": "cluster 12", "place": "home"}), 201)
        by_subject = {o["subject_id"]: o for o in everyone["ordered"]}
        assert set(by_subject) == {subject["b"], subject["c"]}
        assert by_subject[subject["b"]]["created"] is False
        assert by_subject[subject["b"]]["quarantine_id"] == first["ordered"][0]["quarantine_id"]
        order_c = by_subject[subject["c"]]
        assert order_c["created"] is True and order_c["reason"] == "contact"
        assert order_c["evidence"] and MARKET in order_c["evidence"][0]
        start = datetime.fromisoformat(order_c["start"]).date()
        assert (datetime.fromisoformat(order_c["end"]).date() - start).days == 14

        # 3. The checkpoint refuses B.
        token_b = keys.token(b.payload.declaration_id)
        await scan_when_known(checkpoint, token_b)

        async def refused() -> dict[str, Any] | None:
            body = (await checkpoint.post("/v1/scans", headers=OFFICER, json={
                "checkpoint_id": ROAD, "token": token_b})).json()
            return body if body["person"]["quarantine"] else None

        scan = await eventually(refused)
        assert scan["recommendation"]["reasons"][0]["code"] == "quarantined"

        # 4. The ward's follow-up list, day 1; a follow-up for B; not the other ward's.
        async def listed(n: int) -> list[dict[str, Any]] | None:
            body = await ok(await ward.get("/v1/followups", headers=WARD))
            return body if len(body) == n else None

        day1 = await eventually(lambda: listed(2))
        assert {d["day"] for d in day1} == {1} and not any(d["lost_to_followup"] for d in day1)
        quarantine_b = by_subject[subject["b"]]["quarantine_id"]
        foreign = await ward.post("/v1/followups", headers=OTHER_WARD, json={
            "quarantine_id": quarantine_b, "reached": True})
        assert foreign.status_code == 403
        visit = {"quarantine_id": quarantine_b, "reached": True, "channel": "visit",
                 "temperature_c": 37.1, "symptoms": [], "followup_id": "fu-b-day-1"}
        recorded = await ok(await ward.post("/v1/followups", headers=WARD, json=visit), 201)
        assert (recorded["day"], recorded["reached"], recorded["by"]) == (1, True,
                                                                         "ward-official-12")
        await ok(await ward.post("/v1/followups", headers=WARD, json=visit), 201)  # a retry
        events = await read_topic(env.servers.kafka_bootstrap,
                                  env.topics("followup.recorded"), settle_s=1.0)
        assert len(events) == 1

        # 5. Two days later C, never reached, is lost to follow-up; B is not.
        ward_clock.offset = timedelta(days=2)
        day3 = {d["subject_id"]: d for d in await eventually(lambda: listed(2))}
        assert day3[subject["c"]]["lost_to_followup"] is True
        assert day3[subject["c"]]["day"] == 3 and day3[subject["c"]]["missed_days"] == 2
        assert day3[subject["b"]]["lost_to_followup"] is False
        counts = await ok(await ward.get("/v1/followups/stats", headers=WARD))
        assert (counts["active_quarantines"], counts["due_today"],
                counts["lost_to_followup"]) == (2, 2, 1)
        assert sum(counts["new_f1"].values()) == 2 and sum(counts["new_f0"].values()) == 1

        # 6. Redelivered orders change nothing.
        orders = await read_topic(env.servers.kafka_bootstrap, env.topics(QUARANTINE_ORDERED),
                                  at_least=2)
        await redeliver(env.servers.kafka_bootstrap, env.topics(QUARANTINE_ORDERED), orders)
        assert len(orders) == 2
        await eventually(lambda: listed(2))
        assert await ward_db["quarantines"].count_documents({}) == 2

        # 7. B released early: the checkpoint lets B pass, the list drops B.
        released = await ok(await trace.post(f"/v1/quarantines/{quarantine_b}/release",
                                             headers=EPI, json={"purpose": "negative test"}))
        assert released["early"] is True and released["released_at"]

        async def passes() -> bool:
            body = (await checkpoint.post("/v1/scans", headers=OFFICER, json={
                "checkpoint_id": ROAD, "token": token_b})).json()
            return bool(body["recommendation"]["decision"] == "pass")

        await eventually(passes)
        ward_clock.offset = timedelta(0)
        assert [d["subject_id"] for d in await eventually(lambda: listed(1))] == [subject["c"]]

        # 8. At term (trace's clock past the end date) C is released, not early.
        trace_clock.offset = timedelta(days=15)

        async def released_at_term() -> list[dict[str, Any]] | None:
            found = await ok(await trace.get("/v1/quarantines", headers=EPI, params={
                "subject_id": subject["c"], "purpose": "check release"}))
            return found if found[0]["released_at"] else None

        assert (await eventually(released_at_term))[0]["early"] is False

        async def both_released() -> bool:
            return await ward_db["quarantine_releases"].count_documents({}) == 2

        await eventually(both_released)
        ward_clock.offset = timedelta(days=14)
        assert await ok(await ward.get("/v1/followups", headers=WARD)) == []

        # 9. Every action was audited.
        audited = [d["query"] async for d in trace_db["audit"].find({}, {"query": 1})]
        for action in ("case.confirm", "contacts", "quarantine.order", "quarantine.release",
                       "quarantines subject="):
            assert any(q.startswith(action) for q in audited), (action, audited)


async def test_the_citizen_sees_a_quarantine_until_its_release(env: ServerSlice) -> None:
    today = vn_day(datetime.now(UTC))

    def ordered(qid: str, subject_id: str, days: int) -> Envelope[QuarantineOrdered]:
        return Envelope.wrap(QuarantineOrdered(
            quarantine_id=qid, subject_id=subject_id, start=today - timedelta(days=1),
            end=today + timedelta(days=days), place="facility", reason="arrival",
            ward_code=VUNG_TAU), producer="movement-trace")

    def released(qid: str, subject_id: str) -> Envelope[QuarantineReleased]:
        return Envelope.wrap(QuarantineReleased(quarantine_id=qid, subject_id=subject_id,
                                                at=datetime.now(UTC), early=True),
                             producer="movement-trace")

    async with declaration_service(env) as api:
        answer = await declaration_submitted(api)
        subject_id = answer["subject_id"]
        assert (await declaration_view(api, answer))["quarantine"] is None
        order = ordered("q-arrival", subject_id, 13)
        # q-gone's release is published before its order. The two travel on different
        # topics, so the service may read the order first and show it for a moment; once
        # both are read, q-gone must not show: q-arrival's days are what the citizen sees,
        # and after q-arrival's release nothing is left.
        await env.publish(order, order, released("q-gone", subject_id),
                          ordered("q-gone", subject_id, 20))
        arrival_only = {"until": (today + timedelta(days=12)).isoformat(), "place": "facility",
                        "reason": "arrival"}

        async def shown() -> dict[str, Any] | None:
            view = await declaration_view(api, answer)
            return view if view["quarantine"] else None

        async def arrival_shown() -> dict[str, Any] | None:
            view = await shown()
            return view if view and view["quarantine"] == arrival_only else None

        assert (await eventually(arrival_shown, 60))["quarantine"] == arrival_only
        await env.publish(released("q-arrival", subject_id))

        async def lifted() -> bool:
            return (await declaration_view(api, answer))["quarantine"] is None

        await eventually(lifted, 60)
        # Redelivered, the order does not come back after its release.
        await env.publish(order)
        marker = ordered("q-marker", subject_id, 2)
        await env.publish(marker)
        marked = (await eventually(shown, 60))["quarantine"]
        assert marked["until"] == (today + timedelta(days=1)).isoformat()
