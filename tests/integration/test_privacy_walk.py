"""A small real flow through checkpoint, movement-trace and ward-notification on the real
servers (declarations published, QR scans and a manual lookup by national ID, passages,
an epidemiologist's query by national ID, ward notifications); then every collection of
the three services' databases and every log record is searched for the people's national
IDs and names, as typed, in NFD and lower-cased: none may appear (DESIGN.md §5)."""

from __future__ import annotations

import logging
import unicodedata
from typing import Any

import pytest
from bson import json_util
from pymongo import AsyncMongoClient

from libs.runtime.auth import Role
from services.movement_trace.app import build as build_trace
from services.movement_trace.settings import Settings as TraceSettings
from services.ward_notification.app import build as build_ward
from services.ward_notification.settings import Settings as WardSettings
from tests.conftest import ServerSlice
from tests.support.apps import running
from tests.support.checkpoint_kit import (
    OFFICER,
    ROAD,
    Keys,
    add_checkpoints,
    checkpoint_service,
    declaration,
    scan_id,
    verified,
)
from tests.support.kafka import eventually
from tests.support.samples import VUNG_TAU
from tests.support.tokens import bearer

PEOPLE = {"001085987654": "Lưu Văn Kín Đáo", "001085876543": "Đoàn Minh Bảo Mật"}
EPI = bearer(Role.epidemiologist, who='epi-privacy')
WARD = bearer(Role.ward_official, [VUNG_TAU], who='ward-privacy')


def secrets() -> set[str]:
    found = set()
    for national_id, name in PEOPLE.items():
        for text in (national_id, name):
            for form in (text, unicodedata.normalize("NFD", text)):
                found |= {form, form.lower(), form.casefold()}
    return found


def leaks(texts: list[str]) -> set[str]:
    return {secret for secret in secrets() for text in texts if secret in text}


async def collections_as_text(mongo: AsyncMongoClient[Any], db_name: str) -> list[str]:
    db = mongo[db_name]
    texts = []
    for name in await db.list_collection_names():
        async for doc in db[name].find({}):
            texts.append(f"{db_name}.{name}: " + json_util.dumps(doc, ensure_ascii=False))
    return texts


async def run_flow(env: ServerSlice, caplog: pytest.LogCaptureFixture) -> list[str]:
    """Returns the databases of the three services."""
    keys = Keys()
    decls = [declaration(nid, full_name=name) for nid, name in PEOPLE.items()]
    trace_settings, ward_settings = env.settings(TraceSettings), env.settings(WardSettings)
    async with checkpoint_service(env, keys) as checkpoint, \
            running(build_trace(trace_settings)) as trace, \
            running(build_ward(ward_settings)) as ward:
        # The services set up their own logging; listen in again, at every level.
        logging.getLogger().addHandler(caplog.handler)
        logging.getLogger().setLevel(logging.DEBUG)
        await add_checkpoints(checkpoint)
        await env.publish(*decls, *(verified(d) for d in decls))
        for decl in decls:
            scan = scan_id()

            async def scanned(decl: Any = decl, scan: str = scan) -> bool:
                answer = await checkpoint.post("/v1/scans", headers=OFFICER, json={
                    "checkpoint_id": ROAD, "scan_id": scan,
                    "token": keys.token(decl.payload.declaration_id)})
                return answer.status_code == 200

            await eventually(scanned, timeout_s=60)
            passed = await checkpoint.post("/v1/passages", headers=OFFICER,
                                           json={"scan_id": scan, "decision": "pass"})
            assert passed.status_code == 201, passed.text
        national_id = next(iter(PEOPLE))
        lookup = await checkpoint.post("/v1/scans/lookup", headers=OFFICER, json={
            "checkpoint_id": ROAD, "national_id": national_id, "date_of_birth": "1985-03-14"})
        assert lookup.status_code == 200, lookup.text
        assert PEOPLE[national_id] not in lookup.text  # masked for the officer

        subjects = [(await trace.post("/v1/subjects", headers=EPI, json={
            "national_id": nid})).json()["subject_id"] for nid in PEOPLE]

        async def traced() -> bool:
            for subject in subjects:
                answer = await trace.get("/v1/timeline", headers=EPI, params={
                    "subject_id": subject, "purpose": "privacy walk"})
                if ROAD not in answer.text:
                    return False
            return True

        async def notified() -> bool:
            answer = await ward.get("/v1/notifications", headers=WARD)
            return len(answer.json()["items"]) >= len(PEOPLE)

        await eventually(traced, timeout_s=60)
        await eventually(notified, timeout_s=60)
        return [checkpoint.app.state.service.settings.mongo_db,  # type: ignore[attr-defined]
                trace_settings.mongo_db, ward_settings.mongo_db]


async def test_no_national_id_or_name_is_stored_or_logged(
        env: ServerSlice, caplog: pytest.LogCaptureFixture) -> None:
    db_names = await run_flow(env, caplog)
    async with AsyncMongoClient[dict[str, Any]](env.servers.mongo_url) as mongo:
        stored = [text for name in db_names for text in await collections_as_text(mongo, name)]
    # Everything but the test's own HTTP client, which logs the URLs it calls.
    logged = [f"{r.name}: {r.getMessage()} {r.__dict__}" for r in caplog.records
              if r.name != "httpx"]

    assert len(stored) > 10 and len(logged) > 10  # the walk saw the flow's data
    assert any("movements" in text for text in stored)
    assert leaks(stored) == set()
    assert leaks(logged) == set(), [t[:300] for t in logged if leaks([t])][:5]
