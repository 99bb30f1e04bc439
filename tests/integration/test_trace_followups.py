"""Follow-ups that matter, end to end on the real servers: a case's contacts are ordered
into quarantine at the movement trace; the ward records its visits (`followup.recorded`);
the trace puts each on the person's timeline (codes, no free text) and lists the ones
with symptoms or fever as "suspected, from follow-up" for the epidemiologists, who
confirm one as a case from there; a redelivered follow-up changes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from libs.contracts.envelope import Envelope
from libs.contracts.events.notification import FollowupRecorded
from libs.contracts.topics import FOLLOWUP_RECORDED
from libs.contracts.vietnam_time import vn_day
from libs.runtime.auth import Role
from services.movement_trace.app import build as build_trace
from services.movement_trace.settings import Settings as TraceSettings
from services.ward_notification.app import build as build_ward
from services.ward_notification.settings import Settings as WardSettings
from tests.conftest import ServerSlice
from tests.integration.test_quarantine import at_market
from tests.support.apps import running
from tests.support.checkpoint_kit import declaration, verified
from tests.support.kafka import eventually, read_topic, redeliver
from tests.support.samples import VUNG_TAU
from tests.support.tokens import bearer

pytestmark = pytest.mark.calendar  # "today" is in it: `make test-clock` runs it at 20:00 UTC too

EPI = bearer(Role.epidemiologist, who="epi-21")
WARD = bearer(Role.ward_official, [VUNG_TAU], who="ward-official-21")


async def ok(answer: httpx.Response, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


async def test_a_fever_at_follow_up_makes_a_suspect_the_epidemiologist_can_confirm(
        env: ServerSlice) -> None:
    f0, b, c = (declaration(n) for n in ("001085012491", "001085012492", "001085012493"))
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=5)
    stays = (at_market(f0, base, 60) + at_market(b, base + timedelta(minutes=30), 60) +
             at_market(c, base + timedelta(minutes=40), 60))
    await env.publish(f0, b, c, verified(b), verified(c), *stays)
    subject = {name: d.payload.subject_id for name, d in (("f0", f0), ("b", b), ("c", c))}
    trace_settings, ward_settings = env.settings(TraceSettings), env.settings(WardSettings)
    today = vn_day(datetime.now(UTC)).isoformat()
    async with running(build_trace(trace_settings)) as trace, \
            running(build_ward(ward_settings)) as ward, \
            AsyncMongoClient[dict[str, Any]](env.servers.mongo_url) as mongo:
        trace_db = mongo[trace_settings.mongo_db]

        async def projected() -> bool:
            return (await trace_db["movements"].count_documents({}) >= len(stays) + 5
                    and await trace_db["stays"].count_documents({}) == 3)

        await eventually(projected, timeout_s=60)
        proposal = await ok(await trace.post("/v1/cases", headers=EPI, json={
            "purpose": "cluster 21", "subject_id": subject["f0"], "positive_test_date": today}),
            201)
        case_id = proposal["case"]["case_id"]
        ordered = await ok(await trace.post(f"/v1/cases/{case_id}/quarantines", headers=EPI,
                                            json={"purpose": "cluster 21"}), 201)
        quarantine = {o["subject_id"]: o["quarantine_id"] for o in ordered["ordered"]}
        assert set(quarantine) == {subject["b"], subject["c"]}

        async def due() -> bool:
            return len(await ok(await ward.get("/v1/followups", headers=WARD))) == 2

        await eventually(due, timeout_s=60)
        # B has a fever and a cough, and something in the official's own words; C is well.
        for who, temperature, symptoms in (("b", 38.1, ["Ho", "mất vị giác"]), ("c", 37.4, [])):
            await ok(await ward.post("/v1/followups", headers=WARD, json={
                "quarantine_id": quarantine[subject[who]], "reached": True, "channel": "visit",
                "temperature_c": temperature, "symptoms": symptoms,
                "followup_id": f"fu-issue21-{who}"}), 201)

        async def listed() -> dict[str, Any] | None:
            body = await ok(await trace.get("/v1/cases/suspected", headers=EPI,
                                            params={"purpose": "morning review"}))
            return body if body["suspected"] else None

        suspected = await eventually(listed, timeout_s=60)

        async def followed(who: str) -> dict[str, Any] | None:
            body = await ok(await trace.get("/v1/timeline", headers=EPI, params={
                "subject_id": subject[who], "purpose": "follow-up check"}))
            return next((m for m in body["movements"] if m["kind"] == "followed_up"), None)

        seen_b, seen_c = await eventually(lambda: followed("b")), await eventually(
            lambda: followed("c"))
        stats = await ok(await trace.get("/v1/cases/stats", headers=EPI,
                                         params={"purpose": "daily counts"}))

        # Redelivered follow-ups add nothing: each is followed on its partition by a new,
        # well one (a marker), and once the markers are in, the redeliveries were seen.
        records = await read_topic(env.servers.kafka_bootstrap, env.topics(FOLLOWUP_RECORDED),
                                   at_least=2)

        def marker(_: object) -> bytes:
            return Envelope.wrap(FollowupRecorded(
                quarantine_id=quarantine[subject["c"]], day=1, reached=True,
                temperature_c=36.8, by="marker", subject_id=subject["c"],
                ward_code=VUNG_TAU), producer="ward-notification").to_bytes()

        await redeliver(env.servers.kafka_bootstrap, env.topics(FOLLOWUP_RECORDED), records,
                        then=marker)

        async def markers_in() -> bool:
            return await trace_db["movements"].count_documents(
                {"kind": "followed_up"}) == 2 + len(records)

        await eventually(markers_in, timeout_s=60)

        # Confirmed from the list: the person is marked as a case there.
        confirmed = await ok(await trace.post("/v1/cases", headers=EPI, json={
            "purpose": "confirmed from follow-up", "subject_id": subject["b"],
            "positive_test_date": today}), 201)

        async def marked() -> dict[str, Any] | None:
            body = await ok(await trace.get("/v1/cases/suspected", headers=EPI,
                                            params={"purpose": "after confirmation"}))
            return body if body["suspected"][0]["case_id"] else None

        after = await eventually(marked, timeout_s=30)
        stored = [json.dumps(d, default=str, ensure_ascii=False)
                  for name in await trace_db.list_collection_names()
                  for d in await trace_db[name].find({}).to_list()]
        suspects = await trace_db["suspects"].count_documents({})
        followups = await trace_db["movements"].count_documents({"kind": "followed_up"})
        audited = [d["query"] async for d in trace_db["audit"].find({}, {"query": 1})]

    # The timeline: reached, symptom codes (the official's words are not kept), fever.
    assert (seen_b["followup_day"], seen_b["reached"], seen_b["symptoms"],
            seen_b["temperature_c"], seen_b["fever"]) == (1, True, ["cough", "other"], 38.1, True)
    assert (seen_c["symptoms"], seen_c["temperature_c"], seen_c["fever"]) == ([], 37.4, False)
    assert seen_b["ward_code"] == VUNG_TAU and seen_b["quarantine_id"] == quarantine[subject["b"]]
    assert not any("vị giác" in text or "ward-official-21" in text for text in stored)
    # The alert: B only (C's 37.4 °C is under 37.5), with the evidence.
    [person] = suspected["suspected"]
    assert (person["subject_id"], person["reason"], person["quarantine_reason"],
            person["source_case_id"], person["case_id"]) == (subject["b"], "followup", "contact",
                                                             case_id, None)
    [report] = person["reports"]
    assert (report["followup_day"], report["on"], report["symptoms"], report["temperature_c"],
            report["fever"], report["reached"]) == (1, today, ["cough", "other"], 38.1, True, True)
    assert suspected["fever_c"] == 37.5 and person["ward_code"] == VUNG_TAU
    assert next(d for d in stats["per_day"] if d["day"] == today)["suspected"] == 1
    assert after["suspected"][0]["case_id"] == confirmed["case"]["case_id"]
    assert (suspects, followups) == (1, 4)
    assert any(q.startswith("cases.suspected days=14") for q in audited)
