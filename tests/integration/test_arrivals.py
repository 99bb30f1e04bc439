"""People entering the country, through the five services on the real Kafka and store:
a flight's manifest registers its passengers; a passport holder's declaration is verified
against that registration (or refused with a reason); the officer at the airport scans
and looks them up by passport; the epidemiologist finds them and their fellow passengers
by passport, marks the country of departure and orders the proposed arrival quarantine;
the checkpoint then refuses them, and their ward follows them up.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from libs.contracts.values import passport_subject_id
from libs.contracts.vietnam_time import vn_today
from libs.runtime.auth import Role
from libs.runtime.qr_tokens import Kind
from libs.runtime.settings import DEV_SUBJECT_SECRET
from services.declaration import keyring
from tests.conftest import ServerSlice
from tests.support import checkpoint_kit
from tests.support.five_services import System, five_services
from tests.support.kafka import eventually
from tests.support.samples import VUNG_TAU
from tests.support.tokens import bearer

OFFICER = bearer(Role.officer, [checkpoint_kit.ROAD], who="arrivals-officer")
EPI = bearer(Role.epidemiologist, who="arrivals-epi")
WARD = bearer(Role.ward_official, [VUNG_TAU], who="arrivals-ward")
NOI_BAI = "00433"  # Xã Nội Bài: the airport's ward, the point of entry
HEADER = ("full_name,date_of_birth,gender,nationality,passport,destination_ward,"
          "destination_address,seat")
KIM = ("Kim Min Jun", "1990-05-01", "male", "KR", "M12345678", "14C")
PARK = ("Park Ji Woo", "1988-02-11", "female", "KR", "M23456789", "15A")
LEE = ("Lee Soo Ah", "1995-07-21", "female", "KR", "M34567890", "30F")
SATO = ("Sato Hana", "1992-09-09", "female", "JP", "TZ1234567", "31B")


def subject(person: tuple[str, ...]) -> str:
    return passport_subject_id(DEV_SUBJECT_SECRET.encode(), person[3], person[4])


def manifest(*people: tuple[str, ...]) -> str:
    rows = [f"{name},{dob},{gender},{nat},{passport},{VUNG_TAU},Số 5 Thùy Vân,{seat}"
            for name, dob, gender, nat, passport, seat in people]
    return "\n".join([HEADER, *rows]) + "\n"


async def import_manifest(system: System, text: str, number: str) -> dict[str, Any]:
    answer = await system.clients["declaration"].post(
        "/v1/declarations/import", content=text.encode(), headers={
            "content-type": "text/csv; charset=utf-8", **OFFICER},
        params={"format": "manifest", "mode": "plane", "number": number,
                "arrival_date": vn_today().isoformat(), "entry_ward": NOI_BAI,
                "country_of_departure": "KR", "port_of_departure": "ICN"})
    assert answer.status_code == 200, answer.text
    report: dict[str, Any] = answer.json()
    assert report["rejected"] == 0, report["errors"]
    return report


async def declare(system: System, person: tuple[str, ...],
                  nationality: str | None = None) -> dict[str, Any]:
    name, dob, gender, nat, passport, seat = person
    home = {"ward_code": VUNG_TAU, "address": "Số 5 Thùy Vân"}
    answer = await system.clients["declaration"].post("/v1/declarations", json={
        "person": {"full_name": name, "date_of_birth": dob, "gender": gender,
                   "nationality": nationality or nat, "passport": passport,
                   "phone": "0912000111"},
        "residence": {"permanent": home, "current": home},
        "trip": {"origin_ward": NOI_BAI, "destination_ward": VUNG_TAU,
                 "departure_date": vn_today().isoformat(),
                 "transport": {"mode": "plane", "number": "KE681", "seat": seat}},
        "health": {"symptoms": [], "exposures": [], "vaccination_doses": 2}, "consent": True})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def status_of(system: System, declared: Mapping[str, Any]) -> tuple[str, list[str]]:
    answer = await system.clients["declaration"].get(
        f"/v1/declarations/{declared['declaration_id']}",
        headers={"authorization": f"Bearer {declared['access_token']}"})
    body = answer.json()
    return body["status"], body["reasons"]


async def settled(system: System, declared: Mapping[str, Any],
                  wanted: tuple[str, list[str]]) -> None:
    async def check() -> bool:
        return await status_of(system, declared) == wanted

    await eventually(check, timeout_s=60)


async def scan(system: System, declaration_id: str) -> dict[str, Any]:
    signer = keyring.load(keyring.DEFAULT_KEY_FILE, create=False).signer()
    now = datetime.now(UTC)
    token = signer.sign(declaration_id, Kind.declaration, now - timedelta(minutes=1),
                        now + timedelta(hours=6))
    answer = await system.clients["checkpoint"].post("/v1/scans", headers=OFFICER, json={
        "checkpoint_id": checkpoint_kit.ROAD, "token": token, "scan_id": checkpoint_kit.scan_id()})
    return dict(answer.json()) if answer.status_code == 200 else {}


async def test_a_foreign_passenger_from_manifest_to_quarantine(env: ServerSlice) -> None:
    async with five_services(env, {"identity": {"arrival_grace_s": 2}}) as system:
        trace = system.clients["trace"]
        first = await import_manifest(system, manifest(KIM, PARK, SATO), "KE681")
        manifested = {row["declaration_id"] for row in first["declarations"]}
        kim = await declare(system, KIM)
        await settled(system, kim, ("verified", []))

        # Declared before the border registered her: refused once the grace is over…
        lee = await declare(system, LEE)
        await settled(system, lee, ("rejected", ["no_arrival_record"]))
        # … and verified when her flight's manifest comes in after all.
        await import_manifest(system, manifest(LEE), "KE683")
        await settled(system, lee, ("verified", []))

        # A passport registered under another country's name, and a name that differs.
        sato_as_korean = await declare(system, SATO, nationality="KR")
        await settled(system, sato_as_korean, ("rejected", ["passport_mismatch"]))
        impostor = await declare(system, ("Choi Dae Ho", *PARK[1:]))
        await settled(system, impostor, ("rejected", ["name_mismatch"]))

        # The officer at the airport: her QR, then her passport without it.
        passed = await eventually(lambda: scan(system, kim["declaration_id"]), timeout_s=60)
        assert passed["recommendation"]["decision"] == "pass", passed
        decided = await system.clients["checkpoint"].post("/v1/passages", headers=OFFICER,
                                                         json={"scan_id": passed["scan_id"],
                                                               "decision": "pass"})
        assert decided.status_code == 201, decided.text
        lookup = await system.clients["checkpoint"].post("/v1/scans/lookup", headers=OFFICER,
                                                          json={"checkpoint_id": checkpoint_kit.ROAD,
                                                                "passport": "m1234 5678",
                                                                "nationality": "KR",
                                                                "date_of_birth": KIM[1]})
        assert lookup.status_code == 200, lookup.text
        assert lookup.json()["person"]["declaration_id"] in {kim["declaration_id"],
                                                             *manifested}

        # The epidemiologist names her by passport; her timeline and fellow passengers.
        found = await trace.post("/v1/subjects", headers=EPI,
                                 json={"passport": "M12345678", "nationality": "KR"})
        assert found.json() == {"subject_id": subject(KIM)}

        async def traced() -> list[str] | None:
            answer = await trace.get("/v1/timeline", headers=EPI, params={
                "subject_id": subject(KIM), "purpose": "arrivals KE681"})
            kinds = [m["kind"] for m in answer.json()["movements"]]
            return kinds if {"declared", "identity_verified", "passed"} <= set(kinds) else None

        await eventually(traced, timeout_s=60)
        contacts = await trace.get("/v1/contacts", headers=EPI, params={
            "subject_id": subject(KIM), "purpose": "arrivals KE681"})
        assert subject(PARK) in contacts.text  # seat 15A, a row behind 14C

        # KR is marked: its arrivals are proposed; ordering takes her off the list.
        marked = await trace.put("/v1/arrival-rules/KR", headers=EPI,
                                 json={"purpose": "biến chủng mới tại KR"})
        assert marked.status_code == 200, marked.text

        async def proposed() -> set[str] | None:
            answer = await trace.get("/v1/arrivals/proposed", headers=EPI,
                                     params={"purpose": "arrivals KE681"})
            found = {p["subject_id"] for p in answer.json()["proposed"]}
            return found if {subject(KIM), subject(PARK), subject(LEE)} <= found else None

        listed = await eventually(proposed, timeout_s=60)
        assert subject(SATO) in listed  # flew in from KR too, whatever her passport
        ordered = await trace.post("/v1/quarantines", headers=EPI, json={
            "reason": "arrival", "subject_ids": [subject(KIM)], "purpose": "arrivals KE681",
            "place": "facility"})
        assert ordered.status_code == 201, ordered.text
        after = await trace.get("/v1/arrivals/proposed", headers=EPI,
                                params={"purpose": "arrivals KE681"})
        assert subject(KIM) not in {p["subject_id"] for p in after.json()["proposed"]}

        # The checkpoint refuses her now; her ward follows her up.
        async def refused() -> dict[str, Any] | None:
            answer = await scan(system, kim["declaration_id"])
            return answer if answer.get("recommendation", {}).get("may_pass") is False else None

        await eventually(refused, timeout_s=60)

        async def followed_up() -> bool:
            answer = await system.clients["ward"].get("/v1/followups", headers=WARD,
                                                      params={"ward": VUNG_TAU})
            return subject(KIM) in answer.text

        await eventually(followed_up, timeout_s=60)
