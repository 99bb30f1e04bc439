"""Fellow passengers on the real servers: a flight's arrivals manifest imported at the
declaration service becomes contacts at the movement trace by the seat rule (rows ± 2
around the case's 14C), with the evidence, in the exports and in the case proposal; a
coach is everyone aboard, a train the carriage; degree 2 through a passenger."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from libs.contracts.events.checkpoint import CheckpointKind
from libs.contracts.values import subject_id_for
from libs.contracts.vietnam_time import vn_day
from libs.runtime.auth import Role
from services.movement_trace.app import build as build_trace
from services.movement_trace.settings import Settings as TraceSettings
from synthetic.scenario import Citizen, Journey, Place, Ride, Scenario
from tests.conftest import ServerSlice
from tests.support.apps import running
from tests.support.declaration_kit import declaration_service
from tests.support.declaration_samples import HOAN_KIEM, OFFICER, VUNG_TAU, csv_bytes
from tests.support.kafka import eventually
from tests.support.tokens import bearer

EPI = bearer(Role.epidemiologist, who="epi-journeys")
CSV = {"content-type": "text/csv; charset=utf-8", **OFFICER}
HEADER = ["full_name", "date_of_birth", "gender", "nationality", "national_id", "seat",
          "destination_ward"]


def _passengers() -> list[dict[str, str]]:
    """30 passengers of VN213: rows 10–19, seats A, C, F, except 19F; the 30th gave no seat."""
    seats = [*[f"{row}{letter}" for row in range(10, 20) for letter in "ACF"][:-1], ""]
    letters = "ABCDEGHIKLMNOPQRSTUVXY"
    name = [f"Hành Khách {letters[n // len(letters)]}{letters[n % len(letters)]}" for n in range(30)]
    return [{"full_name": name[n], "date_of_birth": "1985-03-14",
             "gender": "male", "nationality": "VN", "national_id": f"001085{700100 + n:06d}",
             "seat": seat, "destination_ward": VUNG_TAU} for n, seat in enumerate(seats)]


async def _ok(answer: httpx.Response, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


@pytest.mark.calendar  # the flight lands today (Viet Nam)
async def test_a_flight_manifest_makes_the_rows_around_the_case_f1(env: ServerSlice) -> None:
    passengers = _passengers()
    trace_settings = env.settings(TraceSettings)
    secret = trace_settings.subject_secret_bytes
    subject = {p["seat"] or "none": subject_id_for(secret, p["national_id"]) for p in passengers}
    case = subject["14C"]
    rule = {s for seat, s in subject.items()
            if seat != "none" and 12 <= int(seat[:-1]) <= 16 and s != case}
    today = vn_day(datetime.now(UTC))
    flight = {"format": "manifest", "mode": "plane", "number": "VN 213",
              "arrival_date": today.isoformat(), "entry_ward": HOAN_KIEM,
              "country_of_departure": "KR"}
    async with declaration_service(env) as declaration, \
            running(build_trace(trace_settings)) as trace, \
            AsyncMongoClient[dict[str, Any]](env.servers.mongo_url) as mongo:
        report = await _ok(await declaration.post("/v1/declarations/import", params=flight,
                                                  headers=CSV, content=csv_bytes(HEADER, passengers)))
        assert (report["created"], report["rejected"]) == (30, 0)
        bucket = mongo[trace_settings.mongo_db]["journeys"]

        async def projected() -> dict[str, Any] | None:
            found = await bucket.find_one({"_id": f"plane:VN213:{today.isoformat()}"})
            return found if found and len(found["j"]) == 30 else None

        journey = await eventually(projected, timeout_s=90, interval_s=0.5)
        # The manifest's seat reached the event, and the projection kept it, with nobody's name.
        assert sorted(e.get("seat", "") for e in journey["j"]) == sorted(p["seat"] for p in passengers)
        assert "Hành Khách" not in json.dumps(journey, default=str)

        params: dict[str, str | int] = {"subject_id": case, "purpose": "fellow passengers",
                                        "degree": 1}
        contacts = await _ok(await trace.get("/v1/contacts", headers=EPI, params=params))
        csv_export = await trace.get("/v1/contacts/export", headers=EPI,
                                     params={**params, "format": "csv"})
        json_export = await trace.get("/v1/contacts/export", headers=EPI,
                                      params={**params, "format": "json"})
        proposal = await _ok(await trace.post("/v1/cases", headers=EPI, json={
            "purpose": "VN213 cluster", "subject_id": case,
            "positive_test_date": today.isoformat()}), 201)
        orders = await _ok(await trace.post(
            f"/v1/cases/{proposal['case']['case_id']}/quarantines", headers=EPI,
            json={"purpose": "VN213 cluster", "subject_ids": [subject["12A"]]}), 201)

    # Exactly the seats of the rule (rows 12–16), and the passenger without a seat, flagged.
    by_subject = {c["subject_id"]: c for c in contacts["contacts"]}
    assert len(rule) == 14 and set(by_subject) == rule | {subject["none"]}
    assert contacts["journey_rules"]["plane"] == "rows±2"
    for seat in ("12A", "13C", "14A", "16F"):
        [exposure] = by_subject[subject[seat]]["exposures"]
        assert exposure["rule"] == "shared_journey" and exposure["met"] == case
        assert exposure["journey"] == {
            "mode": "plane", "number": "VN213", "departure_date": today.isoformat(),
            "seat": seat, "met_seat": "14C", "seat_rule": "rows±2", "seat_unknown": False}
    unseated = by_subject[subject["none"]]["exposures"][0]["journey"]
    assert unseated["seat"] is None and unseated["seat_unknown"] is True
    # The exports carry the rule and both seats.
    assert csv_export.status_code == json_export.status_code == 200
    rows = list(csv.DictReader(io.StringIO(csv_export.text)))
    assert {r["subject_id"] for r in rows} == set(by_subject)
    row = next(r for r in rows if r["subject_id"] == subject["15F"])
    assert (row["rule"], row["journey_mode"], row["journey_number"], row["journey_date"],
            row["seat"], row["met_seat"], row["seat_rule"], row["seat_unknown"]) == (
        "shared_journey", "plane", "VN213", today.isoformat(), "15F", "14C", "rows±2", "False")
    assert json_export.json()["contacts"] == contacts["contacts"]
    # The case proposal lists them as F1, with the journey as their evidence.
    proposed = {p["subject_id"]: p for p in proposal["proposed"]}
    assert set(proposed) == set(by_subject)
    assert proposed[subject["16A"]]["ward_code"] == VUNG_TAU
    assert proposed[subject["16A"]]["exposures"][0]["journey"]["seat"] == "16A"
    [order] = orders["ordered"]
    assert order["evidence"] == [f"journey=plane:VN213:{today.isoformat()} seat=12A met_seat=14C "
                                 f"rule=shared_journey seat_rule=rows±2 met={case}"]


def _on(scenario: Scenario, journey: Journey, *seats: str | None) -> list[Citizen]:
    return [scenario.add_citizen(HOAN_KIEM, VUNG_TAU, ride=Ride(journey, seat)) for seat in seats]


async def test_a_coach_is_everyone_a_train_the_carriage_and_degree_2_through_a_passenger(
        env: ServerSlice) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    yesterday = vn_day(now) - timedelta(days=1)
    market = Place("cp-journey-market", CheckpointKind.market, VUNG_TAU)
    scenario = Scenario(now - timedelta(days=3), 3, [market])
    coach = _on(scenario, Journey("bus", "51B-123.45", yesterday), "1", "2", None, "40", "12")
    other_coach = _on(scenario, Journey("bus", "51B-999.99", yesterday), "1")
    train = _on(scenario, Journey("train", "SE1", yesterday), "5-23", "5G01", "C5-64", "6-23",
                "4-1", "523")
    # A coach passenger meets someone at the market after the ride: degree 2 of the index.
    met_later = scenario.add_citizen(HOAN_KIEM, VUNG_TAU)
    after = now - timedelta(hours=10)
    scenario.visit(coach[3], market, after, after + timedelta(hours=1))
    scenario.visit(met_later, market, after + timedelta(minutes=20), after + timedelta(hours=2))
    count = await env.publish_scenario(scenario)
    settings = env.settings(TraceSettings)
    async with running(build_trace(settings)) as trace, \
            AsyncMongoClient[dict[str, Any]](env.servers.mongo_url) as mongo:
        movements = mongo[settings.mongo_db]["movements"]

        async def projected() -> bool:
            return await movements.count_documents({}) >= count

        await eventually(projected, timeout_s=90, interval_s=0.5)

        async def contacts(who: Citizen, degree: int) -> dict[str, dict[str, Any]]:
            body = await _ok(await trace.get("/v1/contacts", headers=EPI, params={
                "subject_id": who.subject_id, "purpose": "coach and train", "degree": degree}))
            return {c["subject_id"]: c for c in body["contacts"]}

        on_coach = await contacts(coach[0], 2)
        on_train = await contacts(train[0], 1)
    first = {s for s, c in on_coach.items() if c["degree"] == 1}
    assert first == {c.subject_id for c in coach[1:]}  # everyone aboard, seat or not
    assert other_coach[0].subject_id not in on_coach
    evidence = on_coach[coach[2].subject_id]["exposures"][0]["journey"]
    assert (evidence["number"], evidence["seat_rule"], evidence["seat"], evidence["seat_unknown"]) \
        == ("51B12345", "vehicle", None, False)
    second = on_coach[met_later.subject_id]
    assert second["degree"] == 2 and second["via"] == [coach[3].subject_id]
    assert second["exposures"][0]["checkpoint_id"] == "cp-journey-market"
    assert {s: c["exposures"][0]["journey"]["seat_unknown"] for s, c in on_train.items()} == {
        train[1].subject_id: False, train[2].subject_id: False, train[5].subject_id: True}
