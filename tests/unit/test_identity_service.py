"""The identity service's use cases and Kafka handlers, on in-memory fakes of its ports.

The same rules as tests/integration/test_identity_*.py, without servers: what the
fakes cannot show (partitions, indexes, FerretDB's answers) the integration tier proves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from faststream.kafka import TestKafkaBroker

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import ArrivalRegistered, DeclarationSubmitted
from libs.contracts.events.identity import IdentityRejected, IdentityVerified
from libs.contracts.topics import ARRIVAL_REGISTERED, DECLARATION_SUBMITTED, Topics, dlq
from libs.contracts.values import passport_subject_id
from libs.contracts.vietnam_time import vn_today
from libs.runtime.kafka import make_broker
from libs.runtime.settings import DEV_SUBJECT_SECRET
from services.identity_verification import consumers
from services.identity_verification.domain.errors import (
    BadHeader,
    EmptyImport,
    ResidentNotFound,
    VerificationNotFound,
)
from services.identity_verification.domain.import_rows import Format
from services.identity_verification.domain.residents import Resident
from services.identity_verification.domain.verdicts import (
    Outcome,
    revised_event_id,
    verdict_event_id,
)
from services.identity_verification.service.importing import import_rows
from services.identity_verification.service.lookups import Lookups
from services.identity_verification.service.verifying import Verifier
from services.identity_verification.settings import Settings
from tests.support.fakes.identity import (
    FakeArrivals,
    FakeOutbox,
    FakeRegistry,
    FakeVerifications,
)
from tests.support.identity_verification_samples import declaration
from tests.support.samples import declaration_form

AN = {"national_id": "001085012345", "full_name": "Nguyễn Văn An",
      "date_of_birth": "1985-03-14", "gender": "male", "permanent_ward": "00070",
      "cmnd": "012345678"}
SATO = {"full_name": "Sato Yuki", "date_of_birth": date(1990, 5, 1), "gender": "female"}
PASSPORT, GRACE_S = "M12345678", 600.0


class Service:
    """The use cases wired to fakes, as app.py wires them to the stores."""

    def __init__(self) -> None:
        self.settings = Settings(arrival_grace_s=GRACE_S)
        self.registry = FakeRegistry([Resident.model_validate(AN)])
        self.verifications = FakeVerifications()
        self.arrivals = FakeArrivals()
        self.outbox = FakeOutbox()
        self.verifier = Verifier(self.registry, self.verifications, self.outbox,
                                 self.settings, self.arrivals)
        self.lookups = Lookups(self.registry, self.verifications)

    def verdict(self, declaration_id: str) -> tuple[Outcome, list[str], list[str]]:
        stored = self.verifications.stored[declaration_id]
        return stored.outcome, stored.reasons, stored.flags


@pytest.fixture
def service() -> Service:
    return Service()


def passport_declaration(declaration_id: str, nationality: str = "KR",
                         **person: Any) -> Envelope[DeclarationSubmitted]:
    form = declaration_form()
    form["person"].update({"national_id": None, "passport": PASSPORT,
                           "nationality": nationality, **SATO, **person})
    payload = DeclarationSubmitted(
        declaration_id=declaration_id,
        subject_id=passport_subject_id(DEV_SUBJECT_SECRET.encode(), nationality, PASSPORT),
        channel="web", person=form["person"], residence=form["residence"], trip=form["trip"],
        health=form["health"], valid_until=datetime.now(UTC) + timedelta(days=3))
    return Envelope.wrap(payload, producer="test")


def arrival(arrival_id: str = "arr-1", nationality: str = "KR") -> Envelope[ArrivalRegistered]:
    return Envelope.wrap(ArrivalRegistered(
        arrival_id=arrival_id, declaration_id=f"manifest-{arrival_id}",
        subject_id=passport_subject_id(DEV_SUBJECT_SECRET.encode(), nationality, PASSPORT),
        passport=PASSPORT, nationality=nationality, country_of_departure=nationality,
        arrival_date=vn_today(), transport={"mode": "plane", "number": "KE123"},
        entry_ward="00070", **SATO), producer="test")


# -- citizens against the registry ----------------------------------------------------------

async def test_a_citizen_is_verified_once_and_announced_once(service: Service) -> None:
    event = declaration(AN, "d-an")
    assert await service.verifier.verify_batch([event]) == 1
    stored = service.verifications.stored["d-an"]
    assert (stored.outcome, stored.reasons, stored.registered_permanent_ward) == \
        (Outcome.verified, [], "00070")
    assert isinstance(stored.event.payload, IdentityVerified)
    assert stored.event.event_id == verdict_event_id("d-an", event.occurred_at)
    assert stored.event.causation_id == event.event_id
    assert service.outbox.woken == ["d-an"]
    assert service.verifications.counters == {"verified": 1}

    # A redelivery: the first verdict stands, nothing new is counted or published.
    assert await service.verifier.verify_batch([event]) == 0
    assert service.outbox.woken == ["d-an"]
    assert service.verifications.counters == {"verified": 1}


async def test_a_batch_decides_each_declaration_once(service: Service) -> None:
    by_cmnd = declaration(AN, "d-cmnd", national_id="012345678")
    unknown = declaration({**AN, "national_id": "001085099999"}, "d-unknown")
    assert await service.verifier.verify_batch(
        [by_cmnd, unknown, declaration(AN, "d-cmnd", full_name="Lê Văn Tám")]) == 2
    assert service.verdict("d-cmnd") == (Outcome.verified, [], ["cmnd_mapped"])
    payload = service.verifications.stored["d-cmnd"].event.payload
    assert isinstance(payload, IdentityVerified) and payload.registered_subject_id
    assert service.verdict("d-unknown") == (Outcome.rejected, ["not_found"], [])
    assert isinstance(service.verifications.stored["d-unknown"].event.payload, IdentityRejected)
    assert service.verifications.counters == {"verified": 1, "rejected": 1,
                                              "flag.cmnd_mapped": 1, "reason.not_found": 1}


# -- passport holders against the registered arrivals -----------------------------------------

async def test_an_arrival_registered_first_verifies_the_passport_at_once(
        service: Service) -> None:
    assert await service.verifier.arrivals_registered([arrival()]) == 0
    assert await service.verifier.verify_batch([passport_declaration("d-sato")]) == 1
    assert service.verdict("d-sato") == (Outcome.verified, [], ["arrival_record"])


async def test_a_passport_waits_for_its_arrival(service: Service) -> None:
    assert await service.verifier.verify_batch([passport_declaration("d-sato")]) == 0
    assert "d-sato" not in service.verifications.stored and "d-sato" in service.arrivals.waiting
    assert await service.verifier.arrivals_registered([arrival()]) == 1
    assert service.verdict("d-sato") == (Outcome.verified, [], ["arrival_record"])
    assert service.arrivals.waiting == {} and service.outbox.woken == ["d-sato"]


async def test_past_its_grace_a_passport_is_rejected_then_revised_by_a_late_arrival(
        service: Service) -> None:
    event = passport_declaration("d-sato", full_name="Sato Yumi")
    await service.verifier.verify_batch([event])
    now = datetime.now(UTC)
    assert await service.verifier.reject_overdue(now) == 0  # still within its grace
    assert await service.verifier.reject_overdue(now + timedelta(seconds=GRACE_S + 1)) == 1
    assert service.verdict("d-sato") == (Outcome.rejected, ["no_arrival_record"], [])
    assert await service.verifier.reject_overdue(now + timedelta(seconds=GRACE_S + 2)) == 0

    # The manifest comes late: a new verdict (its own event id) replaces the rejection.
    assert await service.verifier.arrivals_registered([arrival()]) == 0
    assert service.verdict("d-sato") == (Outcome.rejected, ["name_mismatch"], ["arrival_record"])
    first_id = verdict_event_id("d-sato", event.occurred_at)
    assert service.verifications.stored["d-sato"].event.event_id == revised_event_id(first_id)
    assert service.outbox.woken == ["d-sato", "d-sato"] and service.arrivals.waiting == {}
    assert service.verifications.counters == {"rejected": 1, "reason.no_arrival_record": 1}


async def test_a_passport_known_under_another_nationality_is_rejected_at_once(
        service: Service) -> None:
    await service.verifier.arrivals_registered([arrival(nationality="KR")])
    assert await service.verifier.verify_batch(
        [passport_declaration("d-jp", nationality="JP")]) == 1
    assert service.verdict("d-jp") == (Outcome.rejected, ["passport_mismatch"], [])


# -- what officers and admins read --------------------------------------------------------------

async def test_lookups_find_or_say_what_is_missing(service: Service) -> None:
    assert (await service.lookups.resident("012345678")).national_id == AN["national_id"]
    with pytest.raises(ResidentNotFound):
        await service.lookups.resident("001085099999")
    with pytest.raises(VerificationNotFound):
        await service.lookups.verification("d-an")
    await service.verifier.verify_batch([declaration(AN, "d-an")])
    assert (await service.lookups.verification("d-an")).outcome == Outcome.verified
    stats = await service.lookups.stats()
    assert (stats.residents, stats.cmnd_aliases, stats.verifications["outcomes"]) == \
        (1, 1, {"verified": 1})


async def lines(*rows: str) -> AsyncIterator[bytes]:
    for row in rows:
        yield row.encode()


async def test_an_import_counts_rows_and_refuses_a_taken_cmnd(service: Service) -> None:
    other = ('{"national_id": "001085054321", "full_name": "Trần Văn Bình", '
             '"date_of_birth": "1985-01-02", "gender": "male", "permanent_ward": "00070"')
    report = await import_rows(service.registry, Format.ndjson, 10, lines(
        other + "}", other.replace("054321", "054322") + ', "cmnd": "012345678"}'))
    assert (report.rows, report.inserted, report.rejected) == (2, 1, 1)
    assert report.errors[0].code == "cmnd_taken" and report.errors[0].line == 2
    again = await import_rows(service.registry, Format.ndjson, 10, lines(other + "}"))
    assert (again.inserted, again.unchanged) == (0, 1)


async def test_an_import_without_rows_or_with_a_bad_header_is_refused(service: Service) -> None:
    with pytest.raises(EmptyImport):
        await import_rows(service.registry, Format.ndjson, 10, lines("", "\n"))
    with pytest.raises(BadHeader):
        await import_rows(service.registry, Format.csv, 10, lines("national_id,age\n"))


# -- the Kafka handlers, through FastStream's in-memory broker --------------------------------

async def test_handlers_verify_declarations_and_store_arrivals(service: Service) -> None:
    broker, topics = make_broker(service.settings), Topics(service.settings.topic_prefix)
    consumers.register(broker, service.settings, service.verifier)
    async with TestKafkaBroker(broker, connect_only=False) as test_broker:
        await test_broker.publish(arrival().to_bytes(), topic=topics(ARRIVAL_REGISTERED))
        await test_broker.publish_batch(
            declaration(AN, "d-an").to_bytes(), passport_declaration("d-sato").to_bytes(),
            topic=topics(DECLARATION_SUBMITTED))
    assert service.verdict("d-an") == (Outcome.verified, [], [])
    assert service.verdict("d-sato") == (Outcome.verified, [], ["arrival_record"])


async def test_a_poison_declaration_is_dead_lettered_and_the_rest_verified(
        service: Service) -> None:
    broker, topics = make_broker(service.settings), Topics(service.settings.topic_prefix)
    consumers.register(broker, service.settings, service.verifier)
    dead: list[bytes] = []

    @broker.subscriber(dlq(topics(DECLARATION_SUBMITTED)))
    async def dead_letters(body: bytes) -> None:
        dead.append(body)

    async with TestKafkaBroker(broker, connect_only=False) as test_broker:
        await test_broker.publish_batch(b"not an event", declaration(AN, "d-an").to_bytes(),
                                        topic=topics(DECLARATION_SUBMITTED))
    assert dead == [b"not an event"]
    assert service.verdict("d-an") == (Outcome.verified, [], [])

