"""Fellow passengers and follow-ups, as pure rules: seats per mode, who sat close enough,
what the projection keeps of a trip and of a follow-up, the contact search over an
in-memory store (degree 1 and 2), the evidence in exports and orders."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from libs.contracts.envelope import Envelope
from libs.contracts.events.checkpoint import CheckpointKind
from libs.contracts.events.declaration import DeclarationSubmitted
from libs.contracts.events.notification import FollowupRecorded
from libs.runtime.mongo import Document
from services.movement_trace.api.exports import CONTACT_COLUMNS, to_csv
from services.movement_trace.domain import journeys
from services.movement_trace.domain.answers import Contacts
from services.movement_trace.domain.contacts import Rules
from services.movement_trace.domain.followups import has_fever, is_suspected, symptom_codes
from services.movement_trace.domain.journeys import Passenger
from services.movement_trace.domain.movements import Movement, MovementKind
from services.movement_trace.domain.projection import project
from services.movement_trace.domain.quarantine_rules import evidence_of
from services.movement_trace.service.contact_search import ContactSearch
from services.movement_trace.settings import Settings
from services.movement_trace.store.layout import bucket_writes, entry_movement, passenger, to_document
from synthetic.scenario import Journey, Place, Ride, Scenario, generate

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
FLIGHT = Journey("plane", "VN213", date(2026, 3, 9))
SEATS = journeys.Rules({mode: rule for mode, rule in journeys.DEFAULT_RULES.items()})


@pytest.mark.parametrize(("seat", "row"), [
    ("14C", 14), ("7A", 7), ("101K", 101), ("014C", 14), (" 14c ", 14), ("14 C", 14),
    ("C14", None), ("14", None), ("", None), (None, None), ("ROW14", None)])
def test_a_flight_seat_gives_its_row(seat: str | None, row: int | None) -> None:
    assert journeys.flight_row(seat) == row


@pytest.mark.parametrize(("seat", "carriage"), [
    ("5-23", 5), ("5/23", 5), ("5 23", 5), ("5.23", 5), ("C5-23", 5), ("TOA5-23", 5),
    ("toa 5 - 23", 5), ("12-3", 12), ("05-23", 5),
    # compact, as the declaration form keeps seats (no separators): a letter splits them
    ("5G23", 5), ("5C23", 5), ("T5G23", 5), ("C05S23", 5), ("12B4", 12),
    # digits alone cannot be split; a flight-style seat names no carriage
    ("523", None), ("C523", None), ("14C", None), ("", None), (None, None)])
def test_a_train_seat_gives_its_carriage(seat: str | None, carriage: int | None) -> None:
    assert journeys.train_carriage(seat) == carriage


def test_the_seat_rule_of_each_mode() -> None:
    together = journeys.seated_together
    # plane: the same row ± 2
    assert [together(SEATS, "plane", "14C", f"{row}A").contact for row in range(10, 19)] == \
        [False, False, True, True, True, True, True, False, False]
    # train: the carriage, whatever the seat
    assert together(SEATS, "train", "5-23", "5G64").contact
    assert not together(SEATS, "train", "5-23", "6-23").contact
    # bus and ship: everyone aboard, seats or not
    assert together(SEATS, "bus", None, "99") == journeys.Verdict(True, False)
    assert together(SEATS, "ship", "1", None) == journeys.Verdict(True, False)
    # an unknown or unreadable seat: a contact, flagged; or not, if so configured
    assert together(SEATS, "plane", None, "30F") == journeys.Verdict(True, True)
    assert together(SEATS, "train", "523", "5-1") == journeys.Verdict(True, True)
    strict = journeys.Rules({mode: rule for mode, rule in journeys.DEFAULT_RULES.items()},
                           unknown_seat_is_contact=False)
    assert together(strict, "plane", "14C", "?") == journeys.Verdict(False, True)
    # the span is a setting; a mode without a rule is not traced by journey
    wide = journeys.Rules({"plane": journeys.SeatRule.rows}, row_span=5)
    assert together(wide, "plane", "14C", "19A").contact
    assert not together(wide, "bus", None, None).contact and not wide.by_mode.get("bus")
    assert journeys.rule_label(SEATS, "plane") == "rows±2"


def test_the_rules_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().journeys.rule("plane") == journeys.SeatRule.rows
    monkeypatch.setenv("TRACE_JOURNEY_RULES", '{"plane": "rows", "train": "vehicle"}')
    monkeypatch.setenv("TRACE_JOURNEY_ROW_SPAN", "1")
    configured = Settings().journeys
    assert (configured.rule("train"), configured.rule("bus"), configured.row_span) == (
        journeys.SeatRule.vehicle, journeys.SeatRule.none, 1)
    monkeypatch.setenv("TRACE_JOURNEY_RULES", '{"car": "vehicle"}')
    with pytest.raises(ValueError):
        Settings()  # a private vehicle's number is never kept: no rule for it


def _declared(scenario: Scenario) -> list[Envelope[DeclarationSubmitted]]:
    return [e for topic, _, e in scenario.events() if topic == "declaration.submitted"]


def test_a_declared_journey_keeps_number_and_seat_but_never_a_private_plate() -> None:
    scenario = Scenario(NOW - timedelta(days=3), 1, [])
    flyer = scenario.add_citizen("00070", "26506", ride=Ride(Journey("plane", "vn 213",
                                                                     FLIGHT.departure), "14c"))
    driver = scenario.add_citizen("00070", "26506")
    flight, car = (project(e) for e in _declared(scenario))
    assert flight is not None and car is not None
    assert (flight.transport_mode, flight.transport_number, flight.seat, flight.departure_date) \
        == ("plane", "VN213", "14C", "2026-03-09")
    assert flight.subject_id == flyer.subject_id and car.subject_id == driver.subject_id
    assert flight.journey == "plane:VN213:2026-03-09"
    writes = bucket_writes(flight)
    assert [(kind, key, day) for kind, key, day, _ in writes][1:] == [
        ("journeys", "plane:VN213:2026-03-09", "2026-03-09")]
    assert writes[1][3] == {"id": flight.source_event_id, "subject_id": flyer.subject_id,
                            "seat": "14C", "at": flight.at,
                            "declaration_id": flyer.declaration_id}
    # A car's number is a private plate: neither stored nor a journey.
    data = _declared(scenario)[1].payload.model_dump()
    data["trip"]["transport"] = {"mode": "car", "number": "29A12345"}
    car = project(Envelope.wrap(DeclarationSubmitted.model_validate(data), producer="declaration"))
    assert car is not None and car.transport_mode == "car" and car.transport_number is None
    assert car.journey is None and "29A12345" not in str(to_document(car))
    assert [kind for kind, *_ in bucket_writes(car)] == ["subject_weeks"]


def test_a_follow_up_keeps_codes_not_words_nor_the_official() -> None:
    event = Envelope.wrap(FollowupRecorded(
        quarantine_id="q-1", day=3, reached=True, symptoms=["Sốt", "ho khan", "mất vị giác"],
        temperature_c=38.2, by="ward-official-9", subject_id="ab" * 32, ward_code="26506",
        on=date(2026, 3, 10)), producer="ward-notification", occurred_at=NOW)
    movement = project(event)
    assert movement is not None and movement.kind == MovementKind.followed_up
    assert (movement.symptoms, movement.temperature_c, movement.followup_day, movement.reached) == (
        ["cough", "fever", "other"], 38.2, 3, True)
    stored = str(to_document(movement)) + str(bucket_writes(movement))
    assert "vị giác" not in stored and "ward-official-9" not in stored
    anonymous = event.model_copy(update={"payload": event.payload.model_copy(
        update={"subject_id": None})})
    assert project(anonymous) is None  # cannot be placed on anyone's timeline


def test_symptoms_and_fever_make_a_suspect() -> None:
    assert symptom_codes(["KHO THO", "Đau họng", "  ", "diarrhea", "Nổi ban ngoài da"]) == [
        "diarrhoea", "shortness_of_breath", "skin_rash", "sore_throat"]
    assert has_fever(37.5, [], 37.5) and not has_fever(37.4, [], 37.5)
    assert has_fever(None, ["fever"], 37.5)
    assert is_suspected([], 37.5, 37.5) and is_suspected(["other"], None, 37.5)
    assert not is_suspected([], 37.4, 37.5) and not is_suspected([], None, 37.5)


class Memory:
    """The buckets the projection writes, in a dict: the search's source without a store."""

    def __init__(self, movements: list[Movement]) -> None:
        self.buckets: dict[tuple[str, str], list[Document]] = defaultdict(list)
        for m in movements:
            for kind, key, _, entry in bucket_writes(m):
                self.buckets[kind, key].append(entry)

    async def subject_movements(self, subject_id: str, weeks: list[str]) -> list[Movement]:
        return [entry_movement(e, subject_id) for w in weeks
                for e in self.buckets["subject_weeks", f"{subject_id}:{w}"]]

    async def place_movements(self, checkpoint_id: str, hours: list[str]) -> list[Movement]:
        return [entry_movement(e) for h in hours for e in self.buckets["place_hours",
                                                                        f"{checkpoint_id}:{h}"]]

    async def journey_passengers(self, journey: str) -> list[Passenger]:
        return [passenger(e) for e in self.buckets["journeys", journey]]


def _flight_world() -> tuple[Scenario, dict[str, Any]]:
    """30 passengers in rows 10–19 (A, C, F), the case in 14C; one without a seat; a
    passenger of row 16 who later meets someone at a market; a coach the next day."""
    market = Place("cp-market", CheckpointKind.market, "26506")
    scenario = Scenario(NOW - timedelta(days=3), 3, [market])
    seats = {f"{row}{letter}": scenario.add_citizen("00070", "26506", ride=Ride(FLIGHT,
                                                                                f"{row}{letter}"))
             for row in range(10, 20) for letter in "ACF"}
    unknown = scenario.add_citizen("00070", "26506", ride=Ride(FLIGHT))
    other_day = scenario.add_citizen("00070", "26506", ride=Ride(
        Journey("plane", "VN213", FLIGHT.departure + timedelta(days=1)), "14A"))
    met_later = scenario.add_citizen("00070", "26506")
    arrival = datetime(2026, 3, 9, 10, tzinfo=UTC)
    scenario.visit(seats["16F"], market, arrival + timedelta(hours=5), arrival + timedelta(hours=6))
    scenario.visit(met_later, market, arrival + timedelta(hours=5, minutes=30),
                   arrival + timedelta(hours=7))
    return scenario, {"seats": seats, "unknown": unknown, "other_day": other_day,
                      "met_later": met_later}


async def test_fellow_passengers_by_the_seat_rule_in_degree_1_and_2() -> None:
    scenario, people = _flight_world()
    found = [m for _, _, e in scenario.events() if (m := project(e)) is not None]
    search = ContactSearch(Memory(found), Rules(timedelta(minutes=15), timedelta(hours=4),
                                                journeys=SEATS))
    case = people["seats"]["14C"]
    start, end = NOW - timedelta(days=3), NOW
    contacts, truncated = await search.search(case.subject_id, start, end, 2)
    by_subject = {c.subject_id: c for c in contacts}
    expected = {c.subject_id for seat, c in people["seats"].items()
                if 12 <= int(seat[:-1]) <= 16 and c != case}
    first = {s for s, c in by_subject.items() if c.degree == 1}
    assert first == expected | {people["unknown"].subject_id} and not truncated
    assert len(expected) == 14  # rows 12–16, three seats each, less the case's own
    evidence = by_subject[people["seats"]["12A"].subject_id].exposures[0]
    assert evidence.rule == "shared_journey" and evidence.checkpoint_id is None
    assert evidence.journey is not None and evidence.journey.model_dump() == {
        "mode": "plane", "number": "VN213", "departure_date": FLIGHT.departure, "seat": "12A",
        "met_seat": "14C", "seat_rule": "rows±2", "seat_unknown": False}
    assert evidence.met == case.subject_id and evidence.start == datetime(2026, 3, 8, 17, tzinfo=UTC)
    flagged = by_subject[people["unknown"].subject_id].exposures[0].journey
    assert flagged is not None and flagged.seat_unknown and flagged.seat is None
    # Degree 2 through a passenger: 16F met someone at the market afterwards.
    later = by_subject[people["met_later"].subject_id]
    assert later.degree == 2 and later.via == [people["seats"]["16F"].subject_id]
    # The same flight number on another day is another journey; a window without the day
    # has no fellow passengers.
    assert people["other_day"].subject_id not in by_subject
    before, _ = await search.search(case.subject_id, start, datetime(2026, 3, 8, 17, tzinfo=UTC), 1)
    assert before == []


async def test_a_coach_is_everyone_and_a_train_the_carriage() -> None:
    coach = Journey("bus", "51B-123.45", date(2026, 3, 9))
    train = Journey("train", "SE1", date(2026, 3, 9))
    scenario = Scenario(NOW - timedelta(days=2), 2, [])
    on_coach = [scenario.add_citizen("00070", "26506", ride=Ride(coach, seat))
                for seat in ("1", "45", None, "12")]
    on_train = {seat: scenario.add_citizen("00070", "26506", ride=Ride(train, seat))
                for seat in ("5-23", "5G01", "C5-64", "6-23", "4-1", "523")}
    found = [m for _, _, e in scenario.events() if (m := project(e)) is not None]
    search = ContactSearch(Memory(found), Rules(timedelta(minutes=15), timedelta(hours=4),
                                                journeys=SEATS))
    window = (NOW - timedelta(days=2), NOW)
    coach_contacts, _ = await search.search(on_coach[0].subject_id, *window, 1)
    assert {c.subject_id for c in coach_contacts} == {c.subject_id for c in on_coach[1:]}
    assert all(c.exposures[0].journey and c.exposures[0].journey.number == "51B12345"
               and c.exposures[0].journey.seat_rule == "vehicle" for c in coach_contacts)
    train_contacts, _ = await search.search(on_train["5-23"].subject_id, *window, 1)
    assert {c.subject_id: c.exposures[0].journey.seat_unknown  # type: ignore[union-attr]
            for c in train_contacts} == {on_train["5G01"].subject_id: False,
                                         on_train["C5-64"].subject_id: False,
                                         on_train["523"].subject_id: True}


async def test_exports_and_orders_carry_the_journey_evidence() -> None:
    scenario, people = _flight_world()
    found = [m for _, _, e in scenario.events() if (m := project(e)) is not None]
    search = ContactSearch(Memory(found), Rules(timedelta(minutes=15), timedelta(hours=4),
                                                journeys=SEATS))
    case = people["seats"]["14C"]
    contacts, _ = await search.search(case.subject_id, NOW - timedelta(days=3), NOW, 1)
    answer = Contacts(subject_id=case.subject_id, start=NOW - timedelta(days=3), end=NOW,
                      window_minutes=15, max_stay_minutes=240, degree=1, truncated=False,
                      journey_rules={"plane": "rows±2"}, contacts=contacts)
    rows = to_csv(answer).splitlines()
    assert rows[0] == ",".join(CONTACT_COLUMNS)
    neighbour = next(r for r in rows if r.startswith(people["seats"]["13F"].subject_id))
    assert neighbour.endswith(",shared_journey," + case.subject_id + ",2026-03-08T17:00:00+00:00,"
                              "2026-03-09T17:00:00+00:00,2026-03-08T17:00:00+00:00,"
                              "2026-03-09T17:00:00+00:00,False,,plane,VN213,2026-03-09,13F,14C,"
                              "rows±2,False")
    contact = next(c for c in contacts if c.subject_id == people["seats"]["13F"].subject_id)
    assert evidence_of(contact) == [f"journey=plane:VN213:2026-03-09 seat=13F met_seat=14C "
                                    f"rule=shared_journey seat_rule=rows±2 met={case.subject_id}"]


def test_the_scenario_gives_some_citizens_seats_and_leaves_the_rest_as_it_was() -> None:
    plain = generate(seed=4, citizens=60, days=3, places=5, start=NOW)
    riding = generate(seed=4, citizens=60, days=3, places=5, start=NOW, journey_share=0.5,
                      passengers=10)
    assert [v.start for v in plain.visits] == [v.start for v in riding.visits]
    rides = [c.ride for c in riding.citizens if c.ride is not None]
    assert 15 < len(rides) < 45 and all(c.ride is None for c in plain.citizens)
    assert 1 < len({r.journey for r in rides}) <= round(len(rides) / 10)
    assert all(NOW.date() <= r.journey.departure < NOW.date() + timedelta(days=3) for r in rides)
    # A rider declares the day before departure (Viet Nam), not before the scenario starts.
    assert all(NOW <= riding.declared_at(c) < NOW + timedelta(days=3)
               for c in riding.citizens if c.ride is not None)
