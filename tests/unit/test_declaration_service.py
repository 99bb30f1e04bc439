"""The declaration service's use cases and Kafka handlers, on in-memory fakes of its ports.

The same rules as tests/integration/test_declaration_*.py, test_reveals.py and
test_notices.py, without servers: what the fakes cannot show (indexes, group commit,
FerretDB's answers, the relays) the integration tier proves on the real stores.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from faststream.kafka import TestKafkaBroker

from libs.contracts.envelope import Envelope, EventPayload
from libs.contracts.events.checkpoint import CheckpointScanned
from libs.contracts.events.declaration import ArrivalRegistered, Channel, PersonRevealed
from libs.contracts.events.identity import IdentityRejected, IdentityVerified, RejectionReason
from libs.contracts.events.notification import (
    FollowupRecorded,
    NotifyReason,
    WardNotified,
    ZoneLevelChanged,
)
from libs.contracts.events.trace import (
    CaseConfirmed,
    QuarantineOrdered,
    QuarantinePlace,
    QuarantineReason,
    QuarantineReleased,
    TraceAccessed,
)
from libs.contracts.topics import IDENTITY_VERIFIED, Topics, dlq
from libs.contracts.vietnam_time import VN_TZ, vn_day, vn_today
from libs.runtime.auth import Principal, Role
from libs.runtime.kafka import make_broker
from services.declaration import consumers
from services.declaration.domain.csv_import import CsvFormat
from services.declaration.domain.csv_rows import Manifest
from services.declaration.domain.declarations import Status
from services.declaration.domain.errors import (
    CsvProblem,
    DeclarationNotFound,
    IdempotencyKeyReused,
    NoDeclarationOfPerson,
    RevealForbidden,
    VehicleNotFound,
)
from services.declaration.domain.form import DeclarationForm, PaperForm
from services.declaration.domain.records import GrantKey, GrantKind
from services.declaration.domain.reveals import Windows
from services.declaration.domain.vehicles import VehicleForm
from services.declaration.notices.service.triggers import Notices
from services.declaration.service.lookups import Lookups
from services.declaration.service.projections import Projections
from services.declaration.service.retention import Purge
from services.declaration.service.revealing import Revealing
from services.declaration.service.submitting import Submitting
from services.declaration.service.vehicles import GreenLane
from services.declaration.settings import Settings
from tests.support.declaration_samples import (
    HOAN_KIEM,
    PAPER_HEADER,
    VUNG_TAU,
    child,
    csv_bytes,
    form,
    paper_row,
    vehicle,
)
from tests.support.fakes.declaration import (
    FakeDeclarations,
    FakeNotices,
    FakeOutbox,
    FakeQuarantines,
    FakeReveals,
    FakeVehicles,
    FakeZoneLevels,
)

pytestmark = pytest.mark.calendar  # forms depart tomorrow: `make test-clock` runs it too

WARD = Principal("phuong-vt", Role.ward_official, (VUNG_TAU,), unit="UBND phường Vũng Tàu")
OFFICER = Principal("canbo.noibai", Role.officer, ("cp-1",))
EPIDEMIOLOGIST = Principal("dich-te-1", Role.epidemiologist, ())
KEY = "retry-key-0123456789"


class Service:
    """The use cases wired to fakes, as app.py wires them to the stores."""

    def __init__(self) -> None:
        self.settings = Settings(env="test", notices_enabled=True)
        self.declarations, self.vehicles = FakeDeclarations(), FakeVehicles()
        self.zones, self.quarantines = FakeZoneLevels(), FakeQuarantines()
        self.reveals, self.notices = FakeReveals(), FakeNotices()
        self.relay, self.vehicle_relay, self.reveal_relay = FakeOutbox(), FakeOutbox(), FakeOutbox()
        self.submitting = Submitting(self.declarations, self.relay, self.settings)
        self.lookups = Lookups(self.declarations, self.zones, self.quarantines, self.reveals)
        self.green_lane = GreenLane(self.declarations, self.vehicles, self.relay,
                                    self.vehicle_relay, self.settings)
        self.revealing = Revealing(self.declarations, self.reveals, self.reveal_relay,
                                   Windows(timedelta(days=28), timedelta(minutes=15)))
        self.projections = Projections(self.declarations, self.zones, self.quarantines,
                                       self.reveals)
        self.purge = Purge(self.declarations, self.vehicles, self.quarantines, self.reveals,
                           self.notices, self.settings.retention)
        self.woken = 0
        self.messages = Notices(self.declarations, self.quarantines, self.notices, self.settings,
                                {"email", "sms"}, self._wake)

    def _wake(self) -> None:
        self.woken += 1

    async def submit(self, **changes: Any) -> list[str]:
        done = await self.submitting.submit(DeclarationForm.model_validate(form(**changes)))
        return [e.payload.declaration_id for e in done.events]

    async def subject(self, declaration_id: str) -> str:
        return (await self.lookups.stored(declaration_id)).subject_id


@pytest.fixture
def service() -> Service:
    return Service()


def wrap(payload: EventPayload, at: datetime | None = None) -> Envelope[Any]:
    event = Envelope.wrap(payload, producer="test")
    return event.model_copy(update={"occurred_at": at}) if at else event


def verdict(declaration_id: str, subject_id: str, ok: bool, at: datetime) -> Envelope[Any]:
    payload = IdentityVerified(declaration_id=declaration_id, subject_id=subject_id) if ok \
        else IdentityRejected(declaration_id=declaration_id, subject_id=subject_id,
                              reasons=[RejectionReason.name_mismatch])
    return wrap(payload, at)


def ordered(subject_id: str, start: date, days: int = 14, ward: str | None = VUNG_TAU,
            quarantine_id: str = "q-1") -> Envelope[Any]:
    return wrap(QuarantineOrdered(
        quarantine_id=quarantine_id, subject_id=subject_id, start=start,
        end=start + timedelta(days=days), place=QuarantinePlace.home,
        reason=QuarantineReason.contact, ward_code=ward))


# -- declaring -------------------------------------------------------------------------------

async def test_a_family_is_declared_each_with_its_event_and_the_relay_woken(
        service: Service) -> None:
    done = await service.submitting.submit(
        DeclarationForm.model_validate(form(dependants=[child()])), language="en")
    parent, kid = (e.payload.declaration_id for e in done.events)
    assert not done.replayed and service.relay.woken == [parent, kid]
    stored = service.declarations.stored
    assert stored[kid].submitted_with == parent and stored[parent].submitted_with is None
    assert stored[kid].language == "en" and stored[kid].declared.channel == Channel.web
    assert [e.payload.declaration_id for e in service.declarations.outbox[kid]] == [kid]


async def test_a_retry_with_its_key_gets_the_same_declarations_and_stores_nothing_new(
        service: Service) -> None:
    parsed = DeclarationForm.model_validate(form())
    first = await service.submitting.submit(parsed, KEY)
    again = await service.submitting.submit(parsed, KEY)
    assert [e.payload.declaration_id for e in again.events] == \
        [e.payload.declaration_id for e in first.events]
    assert (first.replayed, again.replayed) == (False, True)
    assert len(service.declarations.stored) == 1

    bigger = DeclarationForm.model_validate(form(dependants=[child()]))
    with pytest.raises(IdempotencyKeyReused):
        await service.submitting.submit(bigger, KEY)
    assert len(service.declarations.stored) == 1  # refused before writing any of it


async def test_an_officer_entering_a_form_twice_gets_duplicates(service: Service) -> None:
    paper = PaperForm.model_validate(form(person__phone=None))
    first = await service.submitting.enter_paper(paper, "officer-7")
    second = await service.submitting.enter_paper(paper, "officer-7")
    assert (first.duplicates, second.duplicates) == (set(), {0})
    assert first.events[0].payload.declaration_id == second.events[0].payload.declaration_id
    [stored] = service.declarations.stored.values()
    assert stored.declared.entered_by == "officer-7" and stored.declared.channel == Channel.paper


async def test_an_import_stores_good_rows_reports_bad_ones_and_adds_nothing_again(
        service: Service) -> None:
    raw = csv_bytes(PAPER_HEADER, [paper_row(), paper_row("12", "Trần Văn Bình")])
    today = vn_today()
    done = await service.submitting.import_file(raw, CsvFormat.paper, None, "officer-7", today)
    assert (done.rows, done.lines, done.duplicates) == (2, [2], set())
    assert [e["line"] for e in done.errors] == [3] and "national_id" in done.errors[0]["fields"]
    again = await service.submitting.import_file(raw, CsvFormat.paper, None, "officer-7", today)
    assert again.duplicates == {0} and len(service.declarations.stored) == 1
    with pytest.raises(CsvProblem):
        await service.submitting.import_file(b"name,age\r\n", CsvFormat.paper, None, "o", today)


async def test_an_officer_lists_what_they_entered_on_a_day_and_nothing_of_others(
        service: Service) -> None:
    paper = PaperForm.model_validate(form(person__phone=None, dependants=[child()]))
    typed = await service.submitting.enter_paper(paper, "officer-7")
    raw = csv_bytes(PAPER_HEADER, [paper_row("001085000777", "Lê Thị Cúc")])
    imported = await service.submitting.import_file(raw, CsvFormat.paper, None, "officer-7",
                                                    vn_today())
    await service.submitting.enter_paper(
        PaperForm.model_validate(form(person__national_id="001085000888")), "officer-8")
    await service.submit(person__national_id="001085000999")  # a citizen's: nobody's entry
    day = vn_day(typed.events[0].occurred_at)
    mine = await service.lookups.entered_by("officer-7", day)
    assert {d.declaration_id for d in mine} == {
        e.payload.declaration_id for e in [*typed.events, *imported.events]}
    assert [d.submitted_at for d in mine] == sorted((d.submitted_at for d in mine), reverse=True)
    assert {d.declared.channel for d in mine} == {Channel.paper, Channel.import_}
    assert len(await service.lookups.entered_by("officer-8", day)) == 1
    assert await service.lookups.entered_by("officer-7", day - timedelta(days=1)) == []
    assert await service.lookups.entered_by("officer-7", day + timedelta(days=1)) == []
    assert len(await service.lookups.entered_by("officer-7", day, limit=2)) == 2


async def test_a_manifest_registers_each_passenger_as_an_arrival_with_the_declaration(
        service: Service) -> None:
    header = ["full_name", "date_of_birth", "gender", "nationality", "passport",
              "destination_ward"]
    raw = csv_bytes(header, [{"full_name": "Kim Min-jun", "date_of_birth": "1990-02-02",
                              "gender": "male", "nationality": "KR", "passport": "M12345678",
                              "destination_ward": VUNG_TAU}])
    flight = Manifest("plane", "VN213", vn_today(), HOAN_KIEM, "KR")
    done = await service.submitting.import_file(raw, CsvFormat.manifest, flight, "officer-7",
                                                vn_today())
    [event] = done.events
    declared, arrival = service.declarations.outbox[event.payload.declaration_id]
    assert isinstance(arrival.payload, ArrivalRegistered) and declared.event_id == event.event_id
    assert arrival.payload.entry_ward == HOAN_KIEM and arrival.causation_id == event.event_id


# -- reading back ----------------------------------------------------------------------------

async def test_a_card_has_its_verdict_zones_and_quarantine_and_expires(service: Service) -> None:
    [declaration_id] = await service.submit()
    subject = await service.subject(declaration_id)
    now = datetime.now(UTC)
    card = await service.lookups.card(declaration_id, now)
    assert (card.status, card.levels, card.quarantine) == (Status.pending, {}, None)

    await service.projections.verdict(verdict(declaration_id, subject, True, now))
    await service.projections.zone_changed(wrap(ZoneLevelChanged(
        ward_code=VUNG_TAU, level=3, effective_at=now, set_by="health")))
    await service.projections.quarantine_ordered(ordered(subject, vn_today()))
    card = await service.lookups.card(declaration_id, now)
    assert (card.status, card.levels) == (Status.verified, {VUNG_TAU: 3})
    assert card.quarantine is not None and card.quarantine.end == vn_today() + timedelta(days=14)

    await service.projections.quarantine_released(wrap(QuarantineReleased(
        quarantine_id="q-1", subject_id=subject, at=now - timedelta(days=1), early=True)))
    later = card.declaration.valid_until + timedelta(seconds=1)
    card = await service.lookups.card(declaration_id, later)
    assert card.status == Status.expired and card.quarantine is None
    with pytest.raises(DeclarationNotFound):
        await service.lookups.card("no-such-declaration", now)


async def test_only_a_later_verdict_replaces_the_stored_one(service: Service) -> None:
    [declaration_id] = await service.submit()
    subject, t0 = await service.subject(declaration_id), datetime.now(UTC)
    rejected = verdict(declaration_id, subject, False, t0 + timedelta(seconds=1))
    assert await service.projections.verdict(rejected)
    assert not await service.projections.verdict(rejected)  # a redelivery
    assert not await service.projections.verdict(verdict(declaration_id, subject, True, t0))
    stored = service.declarations.stored[declaration_id]
    assert (stored.status, stored.reasons) == (Status.rejected, ["name_mismatch"])
    # Not ours: another person's subject id changes nothing.
    assert not await service.projections.verdict(
        verdict(declaration_id, "0" * 64, True, t0 + timedelta(minutes=1)))


async def test_a_vehicle_and_its_crew_are_declared_and_read_back(service: Service) -> None:
    declared = await service.green_lane.declare(VehicleForm.model_validate(vehicle()))
    vehicle_id = declared.event.payload.vehicle_declaration_id
    [(role, crew)] = declared.crew
    crew_id = crew.payload.declaration_id
    assert role.value == "driver" and service.vehicle_relay.woken == [vehicle_id]
    assert service.relay.woken == [crew_id] and crew_id in service.declarations.stored
    card = await service.green_lane.card(vehicle_id, datetime.now(UTC))
    assert card.crew == {crew_id: Status.pending}
    with pytest.raises(VehicleNotFound):
        await service.green_lane.stored("no-such-vehicle")


async def test_a_vehicle_an_officer_enters_names_the_officer_and_lists_its_crew(
        service: Service) -> None:
    declared = await service.green_lane.declare(VehicleForm.model_validate(vehicle()),
                                                "officer-7")
    assert declared.event.payload.entered_by == "officer-7"
    [(_, crew)] = declared.crew
    assert crew.payload.entered_by == "officer-7"
    mine = await service.lookups.entered_by("officer-7", vn_day(crew.occurred_at))
    assert [d.declaration_id for d in mine] == [crew.payload.declaration_id]


# -- reveals ---------------------------------------------------------------------------------

async def test_a_ward_notified_of_a_person_may_see_them_and_another_may_not(
        service: Service) -> None:
    [declaration_id] = await service.submit()
    subject, now = await service.subject(declaration_id), datetime.now(UTC)
    with pytest.raises(RevealForbidden):
        await service.revealing.reveal(WARD, subject, None, "gọi điện nhắc", now)
    await service.projections.ward_notified(wrap(WardNotified(
        notification_id="n-1", ward_code=VUNG_TAU, subject_id=subject,
        reason=NotifyReason.arriving, declaration_id=declaration_id)))
    answer = await service.revealing.reveal(WARD, subject, None, "gọi điện nhắc", now)
    assert (answer.declaration_id, answer.grounds) == (declaration_id, "ward 26506: arriving")
    assert answer.person.full_name == "Nguyễn Văn An" and answer.person.phone == "0912345678"
    assert answer.person.residence["permanent"] is not None
    assert answer.person.residence["permanent"].ward_name == "Phường Hoàn Kiếm"
    [recorded] = service.reveals.recorded
    assert recorded.payload.unit == "UBND phường Vũng Tàu"
    assert service.reveal_relay.woken == [answer.reveal_id]
    other_ward = Principal("phuong-x", Role.ward_official, (HOAN_KIEM,))
    with pytest.raises(RevealForbidden):
        await service.revealing.reveal(other_ward, subject, None, "gọi điện nhắc", now)
    with pytest.raises(NoDeclarationOfPerson):
        await service.revealing.reveal(WARD, subject, "someone-elses", "gọi điện nhắc", now)


async def test_an_officer_sees_a_scanned_traveller_for_minutes_only(service: Service) -> None:
    [declaration_id] = await service.submit()
    subject, at = await service.subject(declaration_id), datetime.now(UTC)
    await service.projections.scanned(wrap(CheckpointScanned(
        scan_id="s-1", declaration_id=declaration_id, subject_id=subject, checkpoint_id="cp-1",
        officer_id=OFFICER.subject, at=at)))
    seen = await service.revealing.reveal(OFFICER, subject, None, "đối chiếu giấy tờ",
                                          at + timedelta(minutes=5))
    assert seen.grounds == "scan at cp-1"
    with pytest.raises(RevealForbidden):
        await service.revealing.reveal(OFFICER, subject, None, "đối chiếu giấy tờ",
                                       at + timedelta(minutes=16))


async def test_the_person_sees_who_looked_at_their_data(service: Service) -> None:
    [declaration_id] = await service.submit()
    subject, now = await service.subject(declaration_id), datetime.now(UTC)
    await service.projections.revealed(wrap(PersonRevealed(
        reveal_id="r-1", subject_id=subject, declaration_id=declaration_id, who="phuong-vt",
        role="ward_official", unit="UBND phường Vũng Tàu", purpose="gọi điện nhắc",
        grounds="ward 26506: arriving", at=now)))
    [access] = await service.lookups.accesses(declaration_id)
    assert (access.kind, access.role, access.unit) == ("reveal", "ward_official",
                                                       "UBND phường Vũng Tàu")


# -- retention -------------------------------------------------------------------------------

async def test_the_purge_keeps_the_declarations_of_people_under_quarantine_or_in_a_case(
        service: Service) -> None:
    ids = [(await service.submit(person__national_id=number))[0]
           for number in ("001085012345", "001085054321", "001085099999")]
    _, quarantined, in_case = [await service.subject(i) for i in ids]
    later = service.declarations.stored[ids[0]].valid_until + service.settings.retention.window \
        + timedelta(days=1)
    await service.projections.quarantine_ordered(ordered(quarantined, vn_day(later) - timedelta(3)))
    await service.projections.case_confirmed(wrap(CaseConfirmed(
        subject_id=in_case, positive_test_date=vn_today(), confirmed_by="dich-te-1"),
        later - timedelta(days=1)))
    purged = await service.purge.once(later)
    assert purged["declarations"] == 1 and set(service.declarations.stored) == set(ids[1:])


# -- messages to citizens --------------------------------------------------------------------

async def test_a_rejection_is_told_once_and_only_while_it_stands(service: Service) -> None:
    [declaration_id] = await service.submit(person__email="an@example.vn")
    subject, now = await service.subject(declaration_id), datetime.now(UTC)
    rejected = verdict(declaration_id, subject, False, now)
    await service.projections.verdict(rejected)
    assert await service.messages.rejected(rejected) == 2  # e-mail and SMS
    assert await service.messages.rejected(rejected) == 0  # a redelivery queues nothing
    assert service.woken == 1
    channels = {q.notice.channel for q in service.notices.queued.values() if q.notice}
    assert channels == {"email", "sms"}
    stale = verdict(declaration_id, subject, False, now - timedelta(seconds=1))
    assert await service.messages.rejected(stale) == 0  # not the declaration's verdict


async def test_a_quarantine_day_is_reminded_once_a_day_from_the_hour(service: Service) -> None:
    [declaration_id] = await service.submit()
    subject = await service.subject(declaration_id)
    today = vn_today()
    await service.projections.quarantine_ordered(ordered(subject, today - timedelta(days=2)))
    morning = datetime.combine(today, time(service.settings.followup_hour), VN_TZ)
    assert await service.messages.followups_due(morning - timedelta(hours=1)) == 0
    assert await service.messages.followups_due(morning) == 1
    assert await service.messages.followups_due(morning + timedelta(hours=3)) == 0
    [queued] = service.notices.queued.values()
    assert queued.notice is not None and queued.notice.kind == "followup_due"
    assert queued.notice.cause.endswith(today.isoformat())


async def test_a_dependant_without_a_phone_is_reached_through_the_submitter(
        service: Service) -> None:
    _, kid = await service.submit(dependants=[child()])
    order = ordered(await service.subject(kid), vn_today())
    assert await service.messages.ordered(order) == 1
    [queued] = service.notices.queued.values()
    assert queued.notice is not None and queued.notice.to == "+84912345678"
    assert queued.notice.declaration_id == kid


# -- the Kafka handlers, through FastStream's in-memory broker --------------------------------

async def test_handlers_apply_verdicts_quarantines_and_grants(service: Service) -> None:
    [declaration_id] = await service.submit()
    subject, now = await service.subject(declaration_id), datetime.now(UTC)
    broker, topics = make_broker(service.settings), Topics(service.settings.topic_prefix)
    consumers.register(broker, service.settings, service.projections, service.messages)
    events = [verdict(declaration_id, subject, False, now), ordered(subject, vn_today()),
              wrap(CaseConfirmed(subject_id="1" * 64, positive_test_date=vn_today(),
                                 confirmed_by="dich-te-1", contacts=[subject]))]
    async with TestKafkaBroker(broker, connect_only=False) as test_broker:
        for event in events:
            await test_broker.publish(event.to_bytes(), topic=topics(event.type))
    assert service.declarations.stored[declaration_id].status == Status.rejected
    assert [o.start for o in await service.quarantines.orders_of(subject)] == [vn_today()]
    seen = await service.revealing.reveal(EPIDEMIOLOGIST, subject, None, "điều tra ca bệnh", now)
    assert seen.grounds == "contact of a case"  # the later of the two events that granted it
    kinds = sorted(q.notice.kind for q in service.notices.queued.values() if q.notice)
    assert kinds == ["contact", "quarantine_ordered", "rejected"]


async def test_handlers_keep_zones_releases_grants_and_accesses(service: Service) -> None:
    [declaration_id] = await service.submit()
    subject, now = await service.subject(declaration_id), datetime.now(UTC)
    broker, topics = make_broker(service.settings), Topics(service.settings.topic_prefix)
    consumers.register(broker, service.settings, service.projections, service.messages)
    events = [
        wrap(ZoneLevelChanged(ward_code=VUNG_TAU, level=2, effective_at=now, set_by="health")),
        ordered(subject, vn_today(), ward=None),
        wrap(QuarantineReleased(quarantine_id="q-1", subject_id=subject, at=now, early=True)),
        wrap(WardNotified(notification_id="n-1", ward_code=HOAN_KIEM, subject_id=subject,
                          reason=NotifyReason.departing, declaration_id=declaration_id)),
        wrap(FollowupRecorded(quarantine_id="q-1", day=1, reached=True, by="phuong-vt",
                              subject_id=subject, ward_code=VUNG_TAU)),
        wrap(CheckpointScanned(scan_id="s-1", declaration_id=declaration_id, subject_id=subject,
                               checkpoint_id="cp-1", officer_id=OFFICER.subject, at=now)),
        wrap(TraceAccessed(who="dich-te-1", role="epidemiologist", purpose="điều tra ca bệnh",
                           query="timeline", at=now, subject_id=subject)),
        wrap(PersonRevealed(reveal_id="r-1", subject_id=subject, declaration_id=declaration_id,
                            who="phuong-vt", role="ward_official", purpose="gọi điện nhắc",
                            grounds="ward 26506: follow-up", at=now + timedelta(seconds=1)))]
    async with TestKafkaBroker(broker, connect_only=False) as test_broker:
        for event in events:
            await test_broker.publish(event.to_bytes(), topic=topics(event.type))
    card = await service.lookups.card(declaration_id, now)
    assert card.levels == {VUNG_TAU: 2} and card.quarantine is None  # released today
    grounds = {key.kind.value: g.grounds for key, g in service.reveals.grants.items()
               if key.holder != HOAN_KIEM}
    assert grounds == {"epidemiology": "quarantine", "ward": "ward 26506: follow-up",
                       "officer": "scan at cp-1"}
    assert service.reveals.grants[GrantKey(subject, GrantKind.ward, HOAN_KIEM)].grounds == \
        "ward 00070: departing"
    assert [a.kind for a in await service.lookups.accesses(declaration_id)] == ["reveal", "trace"]
    kinds = sorted(q.notice.kind for q in service.notices.queued.values() if q.notice)
    assert kinds == ["quarantine_ordered", "quarantine_released"]


async def test_a_poison_verdict_is_dead_lettered_and_the_next_applied(service: Service) -> None:
    [declaration_id] = await service.submit()
    subject = await service.subject(declaration_id)
    broker, topics = make_broker(service.settings), Topics(service.settings.topic_prefix)
    consumers.register(broker, service.settings, service.projections)
    dead: list[bytes] = []

    @broker.subscriber(dlq(topics(IDENTITY_VERIFIED)))
    async def dead_letters(body: bytes) -> None:
        dead.append(body)

    async with TestKafkaBroker(broker, connect_only=False) as test_broker:
        await test_broker.publish(b"not an event", topic=topics(IDENTITY_VERIFIED))
        await test_broker.publish(verdict(declaration_id, subject, True, datetime.now(UTC))
                                  .to_bytes(), topic=topics(IDENTITY_VERIFIED))
    assert dead == [b"not an event"]
    assert service.declarations.stored[declaration_id].status == Status.verified
