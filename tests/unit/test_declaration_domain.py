"""Pure rules of the declaration: validity, status, ids, subjects, families, vehicles (the
masking and order keys it uses are libs' own: tests/unit/test_shared_people.py)."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import Channel, CrewRole, DeclarationSubmitted
from libs.contracts.values import subject_id_for
from services.declaration.domain.declarations import (
    Status,
    keyed_id,
    request_fingerprint,
    status_at,
    submitted_events,
    valid_until,
)
from services.declaration.domain.form import DeclarationForm, PaperForm
from services.declaration.domain.vehicles import VehicleForm, crew_form, vehicle_event
from tests.support.declaration_samples import HOAN_KIEM, VUNG_TAU, child, form, vehicle

pytestmark = pytest.mark.calendar  # "today" is in it: `make test-clock` runs it at 20:00 UTC too

TODAY = date(2025, 11, 20)
SECRET = b"unit-test-secret"
CONTEXT = {"today": TODAY}


def events(data: dict[str, Any], natural: bool = False) -> list[Envelope[DeclarationSubmitted]]:
    parsed = DeclarationForm.model_validate(data, context=CONTEXT)
    return submitted_events(parsed, channel=Channel.web, secret=SECRET, validity_hours=72,
                            natural=natural)


def test_validity_runs_72_hours_from_midnight_in_viet_nam() -> None:
    assert valid_until(date(2025, 11, 21), 72) == datetime(2025, 11, 23, 17, 0, tzinfo=UTC)


def test_status_expires_at_read_time_but_rejection_stays() -> None:
    until = datetime(2025, 11, 23, 17, 0, tzinfo=UTC)
    before, after = until - timedelta(seconds=1), until
    assert status_at(Status.verified, until, before) == Status.verified
    assert status_at(Status.verified, until, after) == Status.expired
    assert status_at(Status.pending, until, after) == Status.expired
    assert status_at(Status.rejected, until, after) == Status.rejected


def test_a_family_gets_one_declaration_each_on_the_same_trip() -> None:
    family = events(form(TODAY, dependants=[child(), child("001315009876", "Lê Thu", "female")]))
    assert len(family) == 3
    assert len({e.payload.declaration_id for e in family}) == 3
    assert len({e.payload.subject_id for e in family}) == 3
    assert {e.payload.trip.destination_ward for e in family} == {VUNG_TAU}
    # A dependant lives where the submitter lives unless told otherwise.
    assert family[1].payload.residence.permanent.ward_code == HOAN_KIEM
    assert family[1].payload.person.phone is None


def test_subject_ids_are_the_shared_hmac_and_passports_get_their_own() -> None:
    [citizen] = events(form(TODAY))
    assert citizen.payload.subject_id == subject_id_for(SECRET, "001085012345")
    [visitor] = events(form(TODAY, person__national_id=None, person__nationality="KR",
                            person__passport="M12345678"))
    [other] = events(form(TODAY, person__national_id=None, person__nationality="JP",
                          person__passport="M12345678"))
    assert len({citizen.payload.subject_id, visitor.payload.subject_id,
                other.payload.subject_id}) == 3


def test_natural_ids_repeat_for_the_same_person_and_trip_only() -> None:
    first = events(form(TODAY), natural=True)[0].payload.declaration_id
    again = events(form(TODAY), natural=True)[0].payload.declaration_id
    other_day = events(form(TODAY, trip__departure_date="2025-11-22"),
                       natural=True)[0].payload.declaration_id
    web = events(form(TODAY))[0].payload.declaration_id
    assert first == again != other_day
    assert web != first


def test_paper_forms_record_the_officer() -> None:
    paper = PaperForm.model_validate(form(TODAY, person__phone=None), context=CONTEXT)
    [event] = submitted_events(paper, channel=Channel.paper, secret=SECRET, validity_hours=72,
                               entered_by="officer-7")
    assert event.payload.entered_by == "officer-7" and event.payload.channel == Channel.paper


def test_a_vehicle_names_its_crew_and_each_crew_member_is_declared() -> None:
    truck = VehicleForm.model_validate(vehicle(TODAY), context=CONTEXT)
    [crew_event] = submitted_events(crew_form(truck, truck.crew[0]), channel=Channel.web,
                                    secret=SECRET, validity_hours=72)
    assert crew_event.payload.trip.transport.number == "29C12345"
    declared = vehicle_event(truck, [(CrewRole.driver, crew_event)], validity_hours=72)
    assert declared.payload.plate == "29C12345"
    assert declared.payload.crew[0].declaration_id == crew_event.payload.declaration_id
    assert declared.payload.valid_until == crew_event.payload.valid_until


def test_a_keyed_submit_has_ids_from_its_key_and_a_fingerprint_of_its_form() -> None:
    family = form(TODAY, dependants=[child()])
    nfd = form(TODAY, person__full_name=unicodedata.normalize("NFD", "Nguyễn Văn An"),
               dependants=[child()])

    def keyed(data: dict[str, Any], key: str) -> list[str]:
        parsed = DeclarationForm.model_validate(data, context=CONTEXT)
        return [e.payload.declaration_id for e in submitted_events(
            parsed, channel=Channel.web, secret=SECRET, validity_hours=72,
            idempotency_key=key)]

    def fingerprint(data: dict[str, Any]) -> str:
        return request_fingerprint(DeclarationForm.model_validate(data, context=CONTEXT))

    first = keyed(family, "k" * 32)
    assert first == keyed(nfd, "k" * 32) == [keyed_id("k" * 32, 0), keyed_id("k" * 32, 1)]
    assert len(set(first)) == 2 and set(first).isdisjoint(keyed(family, "j" * 32))
    assert fingerprint(family) == fingerprint(nfd)  # validated: the name is NFC in both
    assert fingerprint(family) != fingerprint(form(TODAY, dependants=[child()],
                                                   trip__transport__number="29A99999"))
    assert keyed(family, "k" * 32) != [e.payload.declaration_id for e in events(family)]
