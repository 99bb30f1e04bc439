"""Nothing personal outlives its purpose (docs/retention.md), across the five services and
the event log, on the real Kafka and store.

The window is scaled down to a minute (`KHAIBAO_RETENTION_DAYS` is a fraction here,
and this test's topics get the policy scaled the same way), so that real time can
pass it. Two groups of travellers: A declares, passes a checkpoint, is notified and
traced; a window later B does the same. Then:

1. Kafka drops A's records from every topic (its own age-based retention); B's stay.
2. Every service's purge runs now: A's event data go (older than the window), B's stay,
   and a movement-trace rebuild from what the log still holds equals the live view.
3. The clock is driven past A's validity (one day on): every purge again. No name,
   ID number, phone, address — or pseudonym — of A remains in any collection of any
   service, nor in any topic; B's declarations, whose validity runs, are intact.
"""

from __future__ import annotations

import asyncio
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import json_util
from pymongo import AsyncMongoClient

from libs.contracts.values import subject_id_for
from libs.contracts.vietnam_time import vn_today
from libs.runtime.auth import Role
from libs.runtime.qr_tokens import Kind
from libs.runtime.retention import Retention
from libs.runtime.settings import DEV_SUBJECT_SECRET
from libs.runtime.topics_admin import ensure_topics
from services.declaration import keyring
from tests.conftest import ServerSlice
from tests.support import checkpoint_kit
from tests.support.five_services import System, five_services
from tests.support.kafka import eventually, read_topic
from tests.support.samples import HOAN_KIEM, VUNG_TAU
from tests.support.tokens import bearer

WINDOW = timedelta(seconds=60)
DAYS = WINDOW / timedelta(days=1)
EPI = bearer(Role.epidemiologist, who="retention-epi")
ADMIN = bearer(Role.admin, who="retention-admin")
OFFICER = bearer(Role.officer, [checkpoint_kit.ROAD], who="retention-officer")


@dataclass
class Traveller:
    national_id: str
    full_name: str
    phone: str
    address: str
    departure_in_days: int
    declaration_id: str = ""

    @property
    def subject_id(self) -> str:
        return subject_id_for(DEV_SUBJECT_SECRET.encode(), self.national_id)

    def secrets(self) -> set[str]:
        found = set()
        for text in (self.national_id, self.full_name, self.phone, self.address):
            for form in (text, unicodedata.normalize("NFD", text)):
                found |= {form, form.lower()}
        return found | {self.subject_id}

    def form(self) -> dict[str, Any]:
        home = {"ward_code": HOAN_KIEM, "address": self.address}
        return {"person": {"national_id": self.national_id, "full_name": self.full_name,
                           "date_of_birth": "1985-03-14", "gender": "male",
                           "nationality": "VN", "phone": self.phone},
                "residence": {"permanent": home, "current": home},
                "trip": {"origin_ward": HOAN_KIEM, "destination_ward": VUNG_TAU,
                         "departure_date": vn_today(self.departure_in_days).isoformat(),
                         "transport": {"mode": "car"}},
                "health": {"symptoms": [], "exposures": [], "vaccination_doses": 2},
                "consent": True}


# A departs today (valid for an hour of it), B the day after tomorrow.
A = [Traveller("001085700001", "Quách Thị Hết Hạn", "0911000001", "Số 1 ngõ Cũ", 0),
     Traveller("001085700002", "Lã Văn Quá Khứ", "0911000002", "Số 2 ngõ Cũ", 0)]
B = [Traveller("001085700003", "Mạc Thị Còn Hạn", "0911000003", "Số 3 ngõ Mới", 2)]


async def travel(system: System, people: list[Traveller]) -> None:
    """Declare, meet the road checkpoint, and wait until every service holds each of them."""
    declaration, checkpoint = system.clients["declaration"], system.clients["checkpoint"]
    signer = keyring.load(keyring.DEFAULT_KEY_FILE, create=False).signer()
    for person in people:
        answer = await declaration.post("/v1/declarations", json=person.form())
        assert answer.status_code == 201, answer.text
        person.declaration_id = answer.json()["declaration_id"]
    for person in people:
        scan, now = checkpoint_kit.scan_id(), datetime.now(UTC)
        token = signer.sign(person.declaration_id, Kind.declaration, now - timedelta(minutes=1),
                            now + timedelta(hours=2))

        async def scanned(token: str = token, scan: str = scan) -> bool:
            answer = await checkpoint.post("/v1/scans", headers=OFFICER, json={
                "checkpoint_id": checkpoint_kit.ROAD, "token": token, "scan_id": scan})
            return answer.status_code == 200

        await eventually(scanned, timeout_s=60)
        # Refused: not in the registry, so not verified (a refusal is a movement too).
        refused = await checkpoint.post("/v1/passages", headers=OFFICER, json={
            "scan_id": scan, "decision": "refuse", "reason": "identity_rejected"})
        assert refused.status_code == 201, refused.text

    async def everywhere() -> bool:
        for person in people:
            timeline = await timeline_of(system, person)
            kinds = {m["kind"] for m in timeline}
            if not {"declared", "refused"} <= kinds:
                return False
        notified = await system.clients["ward"].get(
            "/v1/notifications", headers=bearer(Role.ward_official, [VUNG_TAU],
                                                who="retention-ward"))
        return sum(p.subject_id in notified.text for p in people) == len(people)

    await eventually(everywhere, timeout_s=90)


async def timeline_of(system: System, person: Traveller) -> list[dict[str, Any]]:
    answer = await system.clients["trace"].get("/v1/timeline", headers=EPI, params={
        "subject_id": person.subject_id, "purpose": "retention test"})
    assert answer.status_code == 200, answer.text
    return sorted(answer.json()["movements"], key=lambda m: (m["at"], m["kind"]))


async def topics_text(env: ServerSlice) -> str:
    texts = []
    for topic in env.topics.all():
        for record in await read_topic(env.servers.kafka_bootstrap, topic, at_least=0,
                                       timeout_s=3.0):
            texts.append(f"{topic} {(record.key or b'').decode(errors='replace')} "
                         f"{(record.value or b'').decode(errors='replace')}")
    return "\n".join(texts)


async def stores_text(system: System) -> dict[str, str]:
    found: dict[str, str] = {}
    async with AsyncMongoClient[dict[str, Any]](system.env.servers.mongo_url) as mongo:
        for service, settings in system.settings.items():
            db = mongo[settings.mongo_db]
            for name in await db.list_collection_names():
                docs = [json_util.dumps(d, ensure_ascii=False) async for d in db[name].find({})]
                found[f"{service}.{name}"] = "\n".join(docs)
    return found


def holders(texts: dict[str, str], people: list[Traveller]) -> set[str]:
    return {where for where, text in texts.items() for p in people
            for secret in p.secrets() if secret in text}


async def purge_all(system: System, now: datetime) -> None:
    """Each service's retention purge (what its periodic job runs), as of `now`."""
    for app in system.apps.values():
        await app.state.purge(now)


async def test_nothing_personal_outlives_its_window(env: ServerSlice) -> None:
    # This test's topics, under the policy scaled like the services' window.
    await ensure_topics(env.servers.kafka_bootstrap, env.topics.all(), partitions=3,
                        retention=Retention(WINDOW, WINDOW, timedelta(0)))
    scaled = {"retention_days": DAYS, "audit_retention_days": DAYS}
    async with five_services(env, {"*": scaled, "declaration": {"validity_hours": 1}}) as system:
        await travel(system, A)
        await asyncio.sleep((WINDOW + timedelta(seconds=5)).total_seconds())
        started_b = datetime.now(UTC)
        await travel(system, B)
        b_timelines = [await timeline_of(system, p) for p in B]

        async def log_forgot_a() -> str | None:
            text = await topics_text(env)
            return text if not any(s in text for p in A for s in p.secrets()) else None

        # 1. Kafka's own retention: A's records are gone, B's (younger than the window) stay.
        log = await eventually(log_forgot_a, timeout_s=120, interval_s=3)
        assert all(p.subject_id in log and p.full_name in log for p in B)
        assert datetime.now(UTC) - started_b < WINDOW, "B must still be within the window"

        # 2. The purges, now: A's event data go, B's stay; a rebuild equals the live view.
        await purge_all(system, datetime.now(UTC))
        live = {p.national_id: await timeline_of(system, p) for p in A + B}
        assert all(live[p.national_id] == [] for p in A)
        assert [live[p.national_id] for p in B] == b_timelines
        rebuild = await system.clients["trace"].post("/v1/admin/rebuild", headers=ADMIN)
        assert rebuild.status_code == 202, rebuild.text

        async def rebuilt() -> bool:
            answer = await system.clients["trace"].get("/v1/admin/rebuild", headers=ADMIN)
            state: str = answer.json()["state"]
            return state == "done"

        await eventually(rebuilt, timeout_s=120)
        assert {p.national_id: await timeline_of(system, p) for p in A + B} == live

        # 3. A day on, A's validity is long over: nothing of A anywhere.
        await purge_all(system, datetime.now(UTC) + timedelta(days=1))
        stores = await stores_text(system)
        log = await topics_text(env)
    assert holders(stores, A) == set(), sorted(holders(stores, A))
    assert not any(s in log for p in A for s in p.secrets())
    kept = holders(stores, B)
    assert {"declaration.declarations", "identity.verifications",
            "checkpoint.declarations"} <= kept, sorted(kept)
    assert all(p.full_name in stores["declaration.declarations"] for p in B)
