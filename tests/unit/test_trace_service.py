"""The movement trace's use cases and Kafka handler, on in-memory fakes of its ports.

The same rules as tests/integration/test_trace_*.py and test_quarantine.py, without
servers: what the fakes cannot show (buckets, generations on disk, FerretDB's answers)
the integration tier proves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from faststream.kafka import TestKafkaBroker

from libs.contracts.envelope import Envelope, utcnow
from libs.contracts.events.checkpoint import CheckpointKind
from libs.contracts.events.declaration import ArrivalRegistered, PersonRevealed
from libs.contracts.events.notification import FollowupRecorded
from libs.contracts.events.trace import (
    CaseConfirmed,
    QuarantineOrdered,
    QuarantinePlace,
    QuarantineReason,
    QuarantineReleased,
)
from libs.contracts.topics import DECLARATION_SUBMITTED, Topics, dlq
from libs.contracts.vietnam_time import vn_day
from libs.runtime.auth import Principal, Role
from libs.runtime.kafka import make_broker
from services.movement_trace import consumers
from services.movement_trace.domain.errors import (
    CaseNotFound,
    NotAContact,
    NotMarked,
    PositiveTestInFuture,
    PositiveTestTooOld,
    QuarantineNotFound,
    RebuildRunning,
    StartOutOfRange,
    TooMany,
    WardUnknown,
)
from services.movement_trace.domain.movements import Movement, MovementKind
from services.movement_trace.domain.projection import project
from services.movement_trace.domain.records import AuditQuery, Pointer
from services.movement_trace.service.arrivals import ArrivalDesk
from services.movement_trace.service.auditing import Auditor
from services.movement_trace.service.casework import Casework, Relays, Terms
from services.movement_trace.service.queries import TraceQueries
from services.movement_trace.service.rebuild import Rebuilder, RebuildRunner
from services.movement_trace.service.recording import Recorder
from services.movement_trace.settings import Settings
from synthetic.scenario import Citizen, Place, Scenario
from tests.support.fakes.trace import (
    FakeAccessLog,
    FakeArrivals,
    FakeCaseBook,
    FakeEventLog,
    FakeMovements,
    FakeOutbox,
    FakeProjection,
    FakeRebuildLock,
)

NOW = utcnow().replace(microsecond=0)
START = NOW - timedelta(days=2)
MARKET = Place("cp-market", CheckpointKind.market, "26506")
ROAD = Place("cp-road", CheckpointKind.road, "00070")
STAFF = Principal(subject="epi-1", role=Role.epidemiologist, scope=(), unit="CDC")


@dataclass
class World:
    """Three people: the case and a contact at the market at the same hour, a third
    there the next day; `events` as the log holds them."""

    scenario: Scenario
    case: Citizen
    contact: Citizen
    stranger: Citizen
    events: list[Envelope[Any]] = field(default_factory=list)


def world() -> World:
    scenario = Scenario(START, 2, [MARKET, ROAD])
    case, contact, stranger = (scenario.add_citizen("00070", "26506") for _ in range(3))
    at = START + timedelta(hours=5)
    scenario.visit(case, MARKET, at, at + timedelta(hours=1))
    scenario.visit(contact, MARKET, at + timedelta(minutes=30), at + timedelta(hours=2))
    scenario.visit(stranger, MARKET, at + timedelta(days=1), at + timedelta(days=1, hours=1))
    scenario.visit(case, ROAD, at + timedelta(hours=3))
    return World(scenario, case, contact, stranger, [e for _, _, e in scenario.events()])


@dataclass
class FakeRelays:
    cases: FakeOutbox
    orders: FakeOutbox
    releases: FakeOutbox


class Service:
    """The use cases wired to fakes, as app.py wires them to the stores."""

    def __init__(self, clock: datetime = NOW) -> None:
        self.now = clock
        self.settings = Settings(generation_refresh_s=0.001)
        self.movements = FakeMovements(self.settings.retention.window)
        self.cases = FakeCaseBook()
        self.arrivals = FakeArrivals()
        self.audit = FakeAccessLog()
        self.relays = FakeRelays(FakeOutbox(), FakeOutbox(), FakeOutbox())
        self.audit_relay = FakeOutbox()
        self.recorder = Recorder(self.movements, self.cases, self.arrivals, self.audit,
                                 self.settings)
        self.queries = TraceQueries(self.movements, self.settings)
        self.desk = Casework(self.cases, self.queries,
                             Relays(self.relays.cases, self.relays.orders, self.relays.releases),
                             self.settings, lambda: self.now)
        self.arrival_desk = ArrivalDesk(self.arrivals, self.cases, self.desk.today)
        self.auditor = Auditor(self.audit, self.audit_relay)

    def terms(self, start: date | None = None) -> Terms:
        return self.desk.terms(start, None, QuarantinePlace.home, "epi-1")


@pytest.fixture
def service() -> Service:
    return Service()


async def recorded(service: Service) -> World:
    found = world()
    await service.recorder.record(found.events)
    return found


def followup(subject_id: str, quarantine_id: str, at: datetime, *, symptoms: list[str],
             temperature_c: float | None = None) -> Envelope[FollowupRecorded]:
    return Envelope.wrap(FollowupRecorded(
        quarantine_id=quarantine_id, day=2, reached=True, symptoms=symptoms,
        temperature_c=temperature_c, by="ward-officer", subject_id=subject_id, ward_code="26506",
        on=vn_day(at), channel="visit"), producer="ward-notification", occurred_at=at)


# --- the consumer: events → movements, notes for the casework ---


async def test_every_event_is_stored_once_as_a_movement_through_the_handler(
        service: Service) -> None:
    found = world()
    broker, topics = make_broker(service.settings), Topics(service.settings.topic_prefix)
    consumers.register(broker, service.settings, service.recorder)
    async with TestKafkaBroker(broker, connect_only=False) as test_broker:
        for event in found.events:
            await test_broker.publish_batch(event.to_bytes(), topic=topics(event.type))
        # A redelivery of the whole log adds nothing.
        for event in found.events:
            await test_broker.publish_batch(event.to_bytes(), topic=topics(event.type))
    assert len(service.movements.stored) == len(found.events)
    kinds = {m.kind for m in service.movements.stored.values()}
    assert {MovementKind.declared, MovementKind.passed, MovementKind.identity_verified} <= kinds
    # Where each person stays, from their declaration (for quarantine orders).
    assert await service.cases.wards_of([found.case.subject_id]) == {found.case.subject_id: "26506"}
    assert set(service.cases.declared) == {c.declaration_id for c in found.scenario.citizens}


async def test_a_poison_record_goes_to_the_dead_letter_topic_and_the_rest_is_stored(
        service: Service) -> None:
    found = world()
    declared = found.events[0]
    broker, topics = make_broker(service.settings), Topics(service.settings.topic_prefix)
    consumers.register(broker, service.settings, service.recorder)
    dead: list[bytes] = []

    @broker.subscriber(dlq(topics(DECLARATION_SUBMITTED)))
    async def dead_letters(body: bytes) -> None:
        dead.append(body)

    async with TestKafkaBroker(broker, connect_only=False) as test_broker:
        await test_broker.publish_batch(b"not an event", declared.to_bytes(),
                                        topic=topics(DECLARATION_SUBMITTED))
    assert dead == [b"not an event"]
    assert list(service.movements.stored) == [declared.event_id]


async def test_reveals_join_the_audit_and_arrivals_are_kept_neither_is_a_movement(
        service: Service) -> None:
    subject = "a" * 64
    reveal = Envelope.wrap(PersonRevealed(
        reveal_id="r1", subject_id=subject, declaration_id="d1", who="official-1",
        role="ward_official", purpose="gọi điện hỏi thăm", grounds="ward 26506: arriving",
        at=NOW), producer="declaration")
    arrival = Envelope.wrap(ArrivalRegistered.model_validate({
        "arrival_id": "a1", "declaration_id": "d2", "subject_id": subject, "passport": "M1234567",
        "nationality": "KR", "full_name": "Kim Min", "date_of_birth": "1990-01-01",
        "gender": "male", "country_of_departure": "KR", "port_of_departure": "ICN",
        "arrival_date": vn_day(NOW).isoformat(), "transport": {"mode": "plane", "number": "KE681"},
        "entry_ward": "00070", "destination_ward": "26506"}), producer="declaration")
    await service.recorder.record([reveal, arrival, reveal])
    assert service.movements.stored == {}
    entry = service.audit.entries[reveal.event_id]
    assert (entry.kind, entry.query) == ("reveal", "reveal declaration=d1 "
                                                   "grounds=ward 26506: arriving")
    seen = await service.arrivals.since(vn_day(NOW), vn_day(NOW))
    assert [(a.subject_id, a.transport, a.evidence.startswith("arrived")) for a in seen] == [
        (subject, "plane KE681", True)]


async def test_a_followup_with_fever_lists_the_person_as_suspected_and_words_are_not_kept(
        service: Service) -> None:
    subject = "b" * 64
    fever = followup(subject, "q-1", NOW - timedelta(hours=2), symptoms=["Sốt cao", "mệt"],
                     temperature_c=38.2)
    well = followup(subject, "q-1", NOW - timedelta(hours=1), symptoms=[], temperature_c=36.6)
    await service.recorder.record([fever, well, fever])
    assert set(service.cases.suspects) == {fever.event_id}
    report = service.cases.suspects[fever.event_id]
    assert (report.symptoms, report.fever) == (["fever", "other"], True)
    assert service.movements.stored[well.event_id].kind == MovementKind.followed_up


async def test_events_older_than_the_retention_period_are_skipped(service: Service) -> None:
    found = world()
    await service.recorder.record(found.events, now=NOW + timedelta(days=60))
    assert service.movements.stored == {}


# --- the queries ---


async def test_a_timeline_holds_the_persons_movements_in_time_order(service: Service) -> None:
    found = await recorded(service)
    answer = await service.queries.timeline(found.case.subject_id, START - timedelta(hours=1), NOW)
    assert [m.kind for m in answer.movements] == [
        MovementKind.declared, MovementKind.identity_verified, MovementKind.ward_notified,
        MovementKind.passed, MovementKind.passed, MovementKind.passed]
    assert [m.at for m in answer.movements] == sorted(m.at for m in answer.movements)


async def test_visits_pair_ins_and_outs_into_stays(service: Service) -> None:
    found = await recorded(service)
    answer = await service.queries.visits(MARKET.checkpoint_id, START, START + timedelta(hours=10))
    assert [(v.subject_id, v.stay, v.end - v.start) for v in answer.visits] == [
        (found.case.subject_id, True, timedelta(hours=1)),
        (found.contact.subject_id, True, timedelta(hours=1, minutes=30))]


async def test_contacts_are_who_overlapped_at_a_checkpoint_with_the_evidence(
        service: Service) -> None:
    found = await recorded(service)
    answer = await service.queries.contacts(found.case.subject_id, START, NOW, 15, 2)
    assert [(c.subject_id, c.degree) for c in answer.contacts] == [(found.contact.subject_id, 1)]
    exposure = answer.contacts[0].exposures[0]
    assert (exposure.checkpoint_id, exposure.rule, exposure.minutes) == (
        MARKET.checkpoint_id, "overlapping_stays", 30.0)


# --- casework: cases and their proposed contacts ---


async def test_a_case_is_confirmed_once_with_its_proposed_contacts(service: Service) -> None:
    found = await recorded(service)
    proposal = await service.desk.confirm(found.case.subject_id, service.desk.today(), "epi-1")
    assert proposal.created and proposal.case.subject_id == found.case.subject_id
    assert proposal.case.ward_code == "26506"
    assert [(p.contact.subject_id, p.ward_code, p.quarantine_id) for p in proposal.proposed] == [
        (found.contact.subject_id, "26506", None)]
    published = service.cases.published[0]
    assert isinstance(published.payload, CaseConfirmed)
    assert published.payload.contacts == [found.contact.subject_id]
    assert service.relays.cases.wakes == 1
    again = await service.desk.confirm(found.case.subject_id, service.desk.today(), "epi-2")
    assert not again.created and again.case == proposal.case
    assert len(service.cases.published) == 1
    assert (await service.desk.case(proposal.case.case_id)) == proposal.case
    with pytest.raises(CaseNotFound):
        await service.desk.case("case-nobody")


def test_a_test_date_in_the_future_or_older_than_the_window_is_refused(service: Service) -> None:
    today = service.desk.today()
    service.desk.check_test_date(today)
    with pytest.raises(PositiveTestInFuture):
        service.desk.check_test_date(today + timedelta(days=1))
    with pytest.raises(PositiveTestTooOld):
        service.desk.check_test_date(today - timedelta(days=29))


def test_terms_fill_the_defaults_and_refuse_a_start_far_from_today(service: Service) -> None:
    today = service.desk.today()
    assert service.terms() == Terms(today, 14, QuarantinePlace.home, "epi-1")
    with pytest.raises(StartOutOfRange):
        service.terms(today + timedelta(days=15))
    service.desk.check_batch(500)
    with pytest.raises(TooMany):
        service.desk.check_batch(501)


# --- casework: orders and releases ---


async def test_the_proposed_contacts_are_ordered_once_with_their_exposures_as_evidence(
        service: Service) -> None:
    found = await recorded(service)
    case = (await service.desk.confirm(found.case.subject_id, service.desk.today(), "epi-1")).case
    done = await service.desk.order_contacts(case, None, {}, service.terms())
    assert [(o.order.subject_id, o.order.reason, o.order.ward_code, o.created) for o in done] == [
        (found.contact.subject_id, "contact", "26506", True)]
    assert done[0].order.case_id == case.case_id
    assert done[0].order.evidence[0].startswith(f"checkpoint={MARKET.checkpoint_id} ")
    assert done[0].order.end == service.desk.today() + timedelta(days=14)
    ordered = [e for e in service.cases.published if isinstance(e.payload, QuarantineOrdered)]
    assert len(ordered) == 1 and service.relays.orders.wakes == 1
    again = await service.desk.order_contacts(case, [found.contact.subject_id], {},
                                              service.terms())
    assert [o.created for o in again] == [False]
    proposal = await service.desk.proposal(case)
    assert [p.quarantine_id for p in proposal.proposed] == [done[0].order.quarantine_id]


async def test_an_order_for_someone_not_proposed_or_whose_ward_is_unknown_is_refused(
        service: Service) -> None:
    found = await recorded(service)
    # Someone at the market with the case, who never declared: no ward of stay known.
    unknown = "d" * 64
    at = START + timedelta(hours=5, minutes=10)
    await service.movements.add_many([Movement(
        source_event_id="e-unknown", subject_id=unknown, at=at, kind=MovementKind.passed,
        checkpoint_id=MARKET.checkpoint_id, checkpoint_kind="market", direction="through")])
    case = (await service.desk.confirm(found.case.subject_id, service.desk.today(), "epi-1")).case
    with pytest.raises(NotAContact) as stranger:
        await service.desk.order_contacts(case, [found.stranger.subject_id], {}, service.terms())
    assert stranger.value.subject_ids == [found.stranger.subject_id]
    with pytest.raises(WardUnknown) as missing:
        await service.desk.order_contacts(case, None, {}, service.terms())
    assert missing.value.subject_ids == [unknown]
    done = await service.desk.order_contacts(case, [unknown], {unknown: "00070"}, service.terms())
    assert [(o.order.subject_id, o.order.ward_code) for o in done] == [(unknown, "00070")]


async def test_bulk_orders_take_declarations_and_subjects_and_list_the_unknown(
        service: Service) -> None:
    found = await recorded(service)
    nobody = "e" * 64
    done, unknown = await service.desk.order_many(
        QuarantineReason.arrival, [found.case.declaration_id, "d-missing"],
        [found.contact.subject_id.upper(), nobody], None, service.terms())
    assert sorted(o.order.subject_id for o in done) == sorted(
        [found.case.subject_id, found.contact.subject_id])
    assert unknown == ["d-missing", nobody]
    evidence = {o.order.subject_id: o.order.evidence for o in done}
    assert evidence[found.case.subject_id] == [
        f"declaration={found.case.declaration_id} channel=web"]
    # A ward given for the subjects nobody knows orders them too.
    more, none = await service.desk.order_many(QuarantineReason.red_zone, [], [nobody], "00070",
                                               service.terms())
    assert [(o.order.subject_id, o.order.reason) for o in more] == [(nobody, "red_zone")]
    assert none == []


async def test_an_early_release_is_recorded_once_and_the_job_releases_the_rest_at_term(
        service: Service) -> None:
    found = await recorded(service)
    done, _ = await service.desk.order_many(
        QuarantineReason.arrival, [found.case.declaration_id, found.contact.declaration_id], [],
        None, service.terms())
    early = done[0].order
    with pytest.raises(QuarantineNotFound):
        await service.desk.order_of("q-nobody")
    assert await service.desk.order_of(early.quarantine_id) == early
    release, created = await service.desk.release(early, "epi-1")
    assert created and release.early and release.released_by == "epi-1"
    again, created = await service.desk.release(early, "epi-2")
    assert not created and again == release
    assert await service.desk.release_due() == 0, "not yet at term"
    service.now = NOW + timedelta(days=15)
    assert await service.desk.release_due() == 1
    assert await service.desk.release_due() == 0
    at_term = service.cases.releases[done[1].order.quarantine_id]
    assert not at_term.early and at_term.released_by is None
    assert vn_day(at_term.at) == done[1].order.end
    releases = [e for e in service.cases.published if isinstance(e.payload, QuarantineReleased)]
    assert len(releases) == 2 and service.relays.releases.wakes == 3
    listed = await service.desk.orders_of(found.case.subject_id)
    assert [(o.order.quarantine_id, o.release) for o in listed] == [(early.quarantine_id, release)]


async def test_stats_count_new_cases_orders_and_active_quarantines_per_day(
        service: Service) -> None:
    found = await recorded(service)
    proposal = await service.desk.confirm(found.case.subject_id, service.desk.today(), "epi-1")
    await service.desk.order_contacts(proposal.case, None, {}, service.terms())
    done, _ = await service.desk.order_many(QuarantineReason.arrival, [found.stranger.declaration_id],
                                            [], None, service.terms())
    await service.desk.release(done[0].order, "epi-1")
    stats = await service.desk.stats(3)
    today = stats.per_day[0]
    assert (stats.today, len(stats.per_day), stats.active_quarantines) == (
        service.desk.today(), 3, 1)
    assert (today.day, today.f0, today.f1, today.arrival, today.red_zone) == (
        service.desk.today(), 1, 1, 1, 0)


async def test_suspected_people_come_with_their_reports_and_quarantine(service: Service) -> None:
    found = await recorded(service)
    done, _ = await service.desk.order_many(QuarantineReason.arrival, [found.contact.declaration_id],
                                            [], None, service.terms())
    order = done[0].order
    first = followup(found.contact.subject_id, order.quarantine_id, NOW - timedelta(hours=3),
                     symptoms=["ho"])
    second = followup(found.contact.subject_id, order.quarantine_id, NOW - timedelta(hours=1),
                      symptoms=[], temperature_c=38.0)
    await service.recorder.record([first, second])
    people = await service.desk.suspected(14)
    assert [(p.subject_id, p.quarantine_reason, p.case_id) for p in people] == [
        (found.contact.subject_id, "arrival", None)]
    assert [r.id for r in people[0].reports] == [second.event_id, first.event_id]
    assert people[0].first_reported == first.occurred_at.replace(
        microsecond=first.occurred_at.microsecond // 1000 * 1000)
    # Confirmed since: listed last, with the case.
    await service.desk.confirm(found.contact.subject_id, service.desk.today(), "epi-1")
    assert (await service.desk.suspected(14))[0].case_id is not None


# --- arrivals ---


async def test_arrivals_from_a_marked_country_are_proposed_until_ordered(
        service: Service) -> None:
    today = service.desk.today()

    def arrival(arrival_id: str, subject_id: str, country: str) -> Envelope[ArrivalRegistered]:
        return Envelope.wrap(ArrivalRegistered.model_validate({
            "arrival_id": arrival_id, "declaration_id": f"d-{arrival_id}",
            "subject_id": subject_id, "passport": "M1234567", "nationality": country,
            "full_name": "Kim Min", "date_of_birth": "1990-01-01", "gender": "male",
            "country_of_departure": country, "arrival_date": today.isoformat(),
            "transport": {"mode": "plane", "number": "KE681"}, "entry_ward": "00070",
            "destination_ward": "26506"}), producer="declaration")

    korean, french = "1" * 64, "2" * 64
    await service.recorder.record([arrival("a1", korean, "KR"), arrival("a2", french, "FR")])
    assert await service.arrival_desk.proposed(14) == ([], [])
    marked = await service.arrival_desk.mark("KR", "epi-1", "ổ dịch biến chủng mới")
    assert (marked.country, marked.marked_by) == ("KR", "epi-1")
    codes, proposed = await service.arrival_desk.proposed(14)
    assert codes == ["KR"] and [a.subject_id for a in proposed] == [korean]
    await service.desk.order_many(QuarantineReason.arrival, [], [korean], "26506",
                                  service.terms())
    assert (await service.arrival_desk.proposed(14))[1] == []
    await service.arrival_desk.unmark("KR")
    with pytest.raises(NotMarked):
        await service.arrival_desk.unmark("KR")
    assert await service.arrival_desk.marked() == []


# --- the audit ---


async def test_every_query_is_audited_and_published_before_it_is_answered(
        service: Service) -> None:
    subject = "c" * 64
    await service.auditor.record(STAFF, "điều tra ca bệnh", "timeline subject=x", subject)
    await service.auditor.record(STAFF, "thống kê", "cases.stats days=14")
    event = service.audit.published[0]
    assert service.audit_relay.woken == [e.event_id for e in service.audit.published]
    assert (event.payload.who, event.payload.role, event.payload.unit) == (
        "epi-1", "epidemiologist", "CDC")
    found, truncated = await service.auditor.entries(AuditQuery(), 1)
    assert [r.query for r in found] == ["cases.stats days=14"] and truncated
    mine, more = await service.auditor.entries(AuditQuery(subject_id=subject, purpose="ĐIỀU"), 10)
    assert [r.query for r in mine] == ["timeline subject=x"] and not more


# --- rebuild from the log ---


async def test_a_rebuild_replays_the_log_into_a_new_generation_and_switches_to_it() -> None:
    settings = Settings(generation_refresh_s=0.001)
    found = world()
    log = FakeEventLog([[e.to_bytes() for e in found.events[:4]],
                        [b"poison", *(e.to_bytes() for e in found.events[4:])]])
    projection, lock = FakeProjection(), FakeRebuildLock()
    projection.generation(0)  # the generation serving now
    progress = await Rebuilder(projection, lock, log, settings).run(by="admin-1")
    assert (progress.generation, progress.events, progress.movements, progress.skipped) == (
        1, len(found.events) + 1, len(found.events), 1)
    assert projection.generations.pointer == Pointer(active=1, building=None, previous=0)
    assert set(projection.kept[1].stored) == {e.event_id for e in found.events}
    assert (lock.state.state, lock.state.by, len(lock.heartbeats)) == ("done", "admin-1", 2)
    # A second one keeps the previous generation and drops the older ones.
    again = await Rebuilder(projection, lock, log, settings).run()
    assert again.generation == 2 and projection.generations.pointer.previous == 1
    assert projection.kept[0].stored == {} and len(projection.kept[1].stored) == len(found.events)


async def test_a_rebuild_waits_for_the_one_running_and_the_runner_survives_it() -> None:
    settings = Settings(generation_refresh_s=0.001)
    projection, lock = FakeProjection(), FakeRebuildLock(holder="another-replica")
    rebuilder = Rebuilder(projection, lock, FakeEventLog(), settings)
    with pytest.raises(RebuildRunning):
        await rebuilder.run()
    runner = RebuildRunner(rebuilder)
    runner.submit("admin-1")
    assert runner.busy
    await runner.run_next()
    assert not runner.busy and projection.generations.pointer == Pointer()


async def test_a_failed_rebuild_is_abandoned_and_reported() -> None:
    settings = Settings(generation_refresh_s=0.001)

    class Broken(FakeEventLog):
        async def replay(self):  # type: ignore[no-untyped-def]
            raise ConnectionError("kafka is down")
            yield []

    projection, lock = FakeProjection(), FakeRebuildLock()
    with pytest.raises(ConnectionError):
        await Rebuilder(projection, lock, Broken(), settings).run()
    assert projection.generations.pointer == Pointer(active=0, building=None)
    assert lock.state.state == "failed" and "kafka is down" in (lock.state.error or "")


def test_the_projection_is_pure_so_a_replayed_event_gives_the_same_movement() -> None:
    event = world().events[0]
    assert project(event) == project(event)
    assert UTC  # the times above are UTC throughout
