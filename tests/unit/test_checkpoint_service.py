"""The checkpoint service's use cases and Kafka handlers, on in-memory fakes of its ports.

The same rules as tests/integration/test_checkpoint_*.py, without servers: what the
fakes cannot show (FerretDB's answers, the outbox relay, indexes) the integration tier
proves on the real stores.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from faststream.kafka import TestKafkaBroker

from libs.contracts.envelope import Envelope, utcnow
from libs.contracts.events.checkpoint import (
    CheckpointKind,
    CheckpointPassed,
    CheckpointRefused,
    Direction,
    RefusalReason,
)
from libs.contracts.events.declaration import DeclarationSubmitted, VehicleDeclared
from libs.contracts.events.identity import IdentityRejected, IdentityVerified
from libs.contracts.events.notification import ZoneLevelChanged
from libs.contracts.events.trace import QuarantineOrdered, QuarantineReleased
from libs.contracts.topics import Topics
from libs.contracts.vietnam_time import vn_today
from libs.runtime.auth import Principal, Role
from libs.runtime.errors import ApiError
from libs.runtime.kafka import make_broker
from libs.runtime.qr_tokens import Kind
from services.checkpoint import consumers
from services.checkpoint.api.errors import api_error, domain_errors
from services.checkpoint.domain.errors import (
    AlreadyDecided,
    CheckpointForbidden,
    CheckpointInactive,
    CheckpointUnknown,
    DeclarationUnknown,
    InvalidDecision,
    KeysUnavailable,
    LookupNotFound,
    PassageNotFound,
    PassBlocked,
    ScanIdReused,
    ScanNotFound,
    TokenRefused,
    VehicleUnknown,
)
from services.checkpoint.domain.recommendation import Decision, Status
from services.checkpoint.domain.records import (
    CheckpointFields,
    CheckpointFilter,
    DecisionRequest,
    Jwks,
    Passage,
)
from services.checkpoint.domain.venues import AUTO_CHECKOUT, MOVE_ON_CHECKOUT
from services.checkpoint.service.deciding import Deciding
from services.checkpoint.service.qr_keys import KeyCache
from services.checkpoint.service.registry import CheckpointRegistry
from services.checkpoint.service.scan_details import ScanDetails
from services.checkpoint.service.scanning import Scanning
from services.checkpoint.service.venue_stays import VenueStays
from services.checkpoint.service.view_updates import ViewUpdates
from services.checkpoint.settings import Settings
from tests.support.checkpoint_samples import Keys, declaration, rejected, vehicle, verified
from tests.support.fakes.checkpoint import (
    FakeOutbox,
    FakePassages,
    FakeRegistry,
    FakeScans,
    FakeStays,
    FakeViews,
)
from tests.support.samples import HOAN_KIEM, VUNG_TAU

ROAD, MARKET, MARKET_2, DEPOT, CLOSED = ("cp-road", "cp-market", "cp-market-2", "cp-depot",
                                         "cp-closed")
OFFICER = Principal("officer-7", Role.officer, (ROAD, MARKET, MARKET_2, DEPOT, CLOSED))
ELSEWHERE = Principal("officer-9", Role.officer, ("cp-other",))
ADMIN = Principal("admin-1", Role.admin, ())


class Service:
    """The use cases wired to fakes, as app.py wires them to the stores."""

    def __init__(self) -> None:
        self.settings = Settings(zone_cache_s=0.0)
        self.keys = Keys()
        self.registry, self.views = FakeRegistry(), FakeViews()
        self.scans, self.passages, self.stays = FakeScans(), FakePassages(), FakeStays()
        self.scan_outbox, self.outbox = FakeOutbox(), FakeOutbox()
        self.key_cache = KeyCache(self.keys.source, min_refresh_s=0.0, max_age_s=300.0)
        secret = self.settings.subject_secret_bytes
        self.scanning = Scanning(self.registry, self.views, self.scans, self.key_cache,
                                 ScanDetails(self.views, 5, zone_cache_s=0.0), secret,
                                 self.scan_outbox)
        self.venue_stays = VenueStays(self.stays, self.passages, timedelta(hours=4), 60.0,
                                      self.outbox)
        self.deciding = Deciding(self.scanning, self.scans, self.passages, self.views,
                                 self.venue_stays, self.outbox, timedelta(hours=72))
        self.checkpoints = CheckpointRegistry(self.registry)
        self.updates = ViewUpdates(self.views, secret)

    async def add_checkpoints(self) -> None:
        for checkpoint_id, kind in [(ROAD, "road"), (MARKET, "market"),
                                    (MARKET_2, "supermarket"), (DEPOT, "depot"),
                                    (CLOSED, "road")]:
            await self.checkpoints.put(ADMIN, checkpoint_id, CheckpointFields(
                name=f"Chốt {checkpoint_id}", kind=CheckpointKind(kind), ward_code=HOAN_KIEM,
                latitude=21.03, longitude=105.85, active=checkpoint_id != CLOSED))

    async def known(self, event: Envelope[DeclarationSubmitted], *, verdict: bool = True
                    ) -> Envelope[DeclarationSubmitted]:
        await self.updates.declaration_submitted(event)
        if verdict:
            await self.updates.identity_decided(verified(event))
        return event

    def token(self, event: Envelope[DeclarationSubmitted]) -> str:
        return self.keys.token(event.payload.declaration_id)

    async def decide(self, scan_id: str, decision: str = "pass", who: Principal = OFFICER,
                     **fields: object) -> tuple[Passage, bool]:
        request = DecisionRequest(scan_id=scan_id, decision=Decision(decision),
                                  **fields)  # type: ignore[arg-type]
        return await self.deciding.decide(who, request)


@pytest.fixture
async def service() -> Service:
    service = Service()
    await service.add_checkpoints()
    return service


# --- scanning ---------------------------------------------------------------------------

async def test_a_verified_traveller_is_shown_masked_and_may_pass(service: Service) -> None:
    an = await service.known(declaration("001085012345"))
    answer = await service.scanning.by_token(OFFICER, ROAD, service.token(an), "scan-0001")
    assert answer.person is not None and answer.kind == "declaration"
    assert (answer.person.masked_name, answer.person.masked_document, answer.person.status) == (
        "Nguyễn V. A.", "001******345", Status.verified)
    assert answer.person.trip.origin.ward_name and answer.checkpoint.ward_name
    assert answer.recommendation.decision == Decision.pass_ and answer.recommendation.may_pass
    stored = service.scans.stored["scan-0001"]
    assert (stored.target_id, stored.officer_id, stored.via) == (
        an.payload.declaration_id, "officer-7", "qr")
    assert [e.payload.subject_id for e in stored.events] == [an.payload.subject_id]
    assert service.scan_outbox.woken == ["scan-0001"]


async def test_a_scan_needs_a_known_checkpoint_in_service_where_the_officer_works(
        service: Service) -> None:
    token = service.token(await service.known(declaration("001085012346")))
    with pytest.raises(CheckpointUnknown):
        await service.scanning.by_token(OFFICER, "cp-nowhere", token, None)
    with pytest.raises(CheckpointForbidden):
        await service.scanning.by_token(ELSEWHERE, ROAD, token, None)
    with pytest.raises(CheckpointInactive):
        await service.scanning.by_token(OFFICER, CLOSED, token, None)
    assert (await service.scanning.by_token(ADMIN, ROAD, token, None)).person is not None


async def test_tokens_that_do_not_verify_and_declarations_not_arrived_are_refused(
        service: Service) -> None:
    with pytest.raises(TokenRefused) as refused:
        await service.scanning.by_token(OFFICER, ROAD, Keys().token(str(uuid.uuid4())), None)
    assert refused.value.code == "qr_foreign_key"
    with pytest.raises(TokenRefused) as malformed:
        await service.scanning.by_token(OFFICER, ROAD, "not a token", None)
    assert malformed.value.code.startswith("qr_")
    with pytest.raises(DeclarationUnknown):
        await service.scanning.by_token(OFFICER, ROAD, service.keys.token(str(uuid.uuid4())), None)
    with pytest.raises(VehicleUnknown):
        await service.scanning.by_token(OFFICER, DEPOT, service.keys.token(
            str(uuid.uuid4()), kind=Kind.vehicle), None)


async def test_without_any_key_the_scan_says_keys_are_unavailable(service: Service) -> None:
    async def down() -> Jwks:
        raise ConnectionError("declaration service down")

    service.scanning.keys = KeyCache(down, min_refresh_s=0.0, max_age_s=300.0)
    with pytest.raises(KeysUnavailable):
        await service.scanning.by_token(OFFICER, ROAD, "anything", None)


async def test_a_retried_scan_id_is_the_same_scan_and_cannot_be_reused(service: Service) -> None:
    an = await service.known(declaration("001085012347"))
    other = await service.known(declaration("001085012348"))
    first = await service.scanning.by_token(OFFICER, ROAD, service.token(an), "scan-0002")
    again = await service.scanning.by_token(OFFICER, ROAD, service.token(an), "scan-0002")
    assert first.scan_id == again.scan_id and len(service.scans.stored) == 1
    with pytest.raises(ScanIdReused):
        await service.scanning.by_token(OFFICER, ROAD, service.token(other), "scan-0002")


async def test_a_lookup_finds_the_declaration_by_national_id_and_birth_date(
        service: Service) -> None:
    an = await service.known(declaration("001085012349"))
    born = an.payload.person.date_of_birth
    answer = await service.scanning.by_lookup(
        OFFICER, ROAD, national_id="001085012349", passport=None, nationality=None,
        date_of_birth=born, scan_id=None)
    assert answer.via == "lookup" and answer.person is not None
    assert answer.person.declaration_id == an.payload.declaration_id
    with pytest.raises(LookupNotFound):
        await service.scanning.by_lookup(
            OFFICER, ROAD, national_id="001085012349", passport=None, nationality=None,
            date_of_birth=born - timedelta(days=1), scan_id=None)


async def test_quarantine_red_zones_and_earlier_refusals_bear_on_the_recommendation(
        service: Service) -> None:
    an = await service.known(declaration("001085012350"))
    p = an.payload
    await service.updates.zone_level_changed(Envelope.wrap(ZoneLevelChanged(
        ward_code=p.trip.origin_ward, level=4, effective_at=utcnow() - timedelta(hours=1),
        set_by="ward"), producer="test"))
    red = await service.scanning.by_token(OFFICER, ROAD, service.token(an), None)
    assert red.recommendation.decision == Decision.refer
    assert [r.code for r in red.recommendation.reasons] == ["red_zone_origin"]
    await service.updates.quarantine_ordered(Envelope.wrap(QuarantineOrdered(
        quarantine_id="q-1", subject_id=p.subject_id, start=vn_today(), end=vn_today(7),
        place="home", reason="contact"), producer="test"))
    held = await service.scanning.by_token(OFFICER, ROAD, service.token(an), "scan-0003")
    assert held.person is not None and held.person.quarantine is not None
    assert held.recommendation.decision == Decision.refuse and not held.recommendation.may_pass
    await service.decide("scan-0003", "refuse")
    await service.updates.quarantine_released(Envelope.wrap(QuarantineReleased(
        quarantine_id="q-1", subject_id=p.subject_id, at=utcnow(), early=True), producer="test"))
    later = await service.scanning.by_token(OFFICER, ROAD, service.token(an), None)
    assert later.person is not None and later.person.quarantine is None
    assert [(r.reason, r.checkpoint_id) for r in later.person.earlier_refusals] == [
        ("quarantined", ROAD)]
    assert "refused_earlier" in [r.code for r in later.recommendation.reasons]


async def test_a_truck_with_a_crew_member_not_verified_stays_at_the_depot(
        service: Service) -> None:
    driver = await service.known(declaration("001085012351", full_name="Trần Văn Bình"))
    helper = await service.known(declaration("001085012352", full_name="Lê Thị Cúc"),
                                 verdict=False)
    truck = vehicle(("driver", driver), ("assistant", helper))
    await service.updates.vehicle_declared(truck)
    token = service.keys.token(truck.payload.vehicle_declaration_id, kind=Kind.vehicle)
    answer = await service.scanning.by_token(OFFICER, DEPOT, token, "scan-0004")
    assert answer.vehicle is not None and not answer.recommendation.may_pass
    assert [(c.role, c.cleared) for c in answer.vehicle.crew] == [
        ("driver", True), ("assistant", False)]
    scan = service.scans.stored["scan-0004"]
    assert [(r.traveller.declaration_id, r.reason) for r in scan.crew_refusals] == [
        (helper.payload.declaration_id, RefusalReason.not_verified)]
    passage, _ = await service.deciding.decide(OFFICER, DecisionRequest(
        scan_id="scan-0004", decision=Decision.refuse))
    stored = service.passages.stored["scan-0004"]
    assert stored is passage and stored.vehicle_plate == "29C12345"
    assert [type(e.payload) for e in stored.events] == [CheckpointRefused]
    assert len(stored.travellers) == 2, "the passage names the whole crew"


# --- deciding ---------------------------------------------------------------------------

async def test_a_pass_is_recorded_once_with_its_event(service: Service) -> None:
    an = await service.known(declaration("001085012353"))
    await service.scanning.by_token(OFFICER, ROAD, service.token(an), "scan-0005")
    passage, created = await service.deciding.decide(OFFICER, DecisionRequest(
        scan_id="scan-0005", decision=Decision.pass_))
    assert created and passage.direction == Direction.through and passage.source == "officer"
    [event] = passage.events
    assert isinstance(event.payload, CheckpointPassed)
    assert (event.payload.checkpoint_id, event.payload.latitude) == (ROAD, 21.03)
    assert service.outbox.woken == ["scan-0005"]
    repeat, created = await service.deciding.decide(OFFICER, DecisionRequest(
        scan_id="scan-0005", decision=Decision.pass_))
    assert not created and repeat.passage_id == passage.passage_id
    with pytest.raises(AlreadyDecided) as otherwise:
        await service.decide("scan-0005", "refuse", reason=RefusalReason.symptoms)
    assert (otherwise.value.decision, otherwise.value.direction) == ("pass", "through")
    assert await service.deciding.passage(OFFICER, "scan-0005") == passage


async def test_decisions_that_cannot_be_taken_are_refused(service: Service) -> None:
    sick = await service.known(declaration("001085012354", symptoms=["fever"]))
    await service.scanning.by_token(OFFICER, ROAD, service.token(sick), "scan-0006")
    with pytest.raises(InvalidDecision) as with_reason:
        await service.decide("scan-0006", "pass", reason=RefusalReason.symptoms)
    assert (with_reason.value.field, with_reason.value.code) == ("reason", "reason_with_pass")
    for at, code in [(utcnow() + timedelta(minutes=10), "at_in_future"),
                     (utcnow() - timedelta(hours=80), "at_too_old"),
                     (utcnow() - timedelta(hours=2), "at_before_issue")]:
        with pytest.raises(InvalidDecision) as wrong_time:
            await service.decide("scan-0006", "refuse", at=at)
        assert wrong_time.value.code == code
    with pytest.raises(ScanNotFound):
        await service.decide("scan-unknown", "refuse")
    passage, _ = await service.decide("scan-0006", "refuse")  # the reason the scan suggested
    assert passage.reason == "symptoms"

    pending = await service.known(declaration("001085012355"), verdict=False)
    await service.scanning.by_token(OFFICER, ROAD, service.token(pending), "scan-0007")
    with pytest.raises(InvalidDecision) as no_reason:
        await service.decide("scan-0007", "refuse")
    assert no_reason.value.code == "reason_required"

    expired = await service.known(declaration("001085012356", valid_for=timedelta(seconds=-1)))
    await service.scanning.by_token(OFFICER, ROAD, service.token(expired), "scan-0008")
    with pytest.raises(PassBlocked):
        await service.decide("scan-0008", "pass")


async def test_a_scan_made_offline_is_checked_when_its_decision_arrives(
        service: Service) -> None:
    an = await service.known(declaration("001085012357"))
    at = utcnow() - timedelta(seconds=30)
    passage, created = await service.decide("scan-0009", "refer", checkpoint_id=ROAD,
                                            token=service.token(an), at=at)
    assert created and service.scans.stored["scan-0009"].via == "offline"
    assert passage.reason == RefusalReason.referred_to_medical
    assert service.views.refusals[an.payload.subject_id]["scan-0009"].reason == \
        "referred_to_medical"


async def test_passages_are_read_only_at_the_officers_checkpoints(service: Service) -> None:
    an = await service.known(declaration("001085012358"))
    await service.scanning.by_token(OFFICER, ROAD, service.token(an), "scan-0010")
    await service.decide("scan-0010")
    with pytest.raises(CheckpointForbidden):
        await service.deciding.passage(ELSEWHERE, "scan-0010")
    assert (await service.deciding.passage(ADMIN, "scan-0010")).checkpoint_id == ROAD
    with pytest.raises(PassageNotFound):
        await service.deciding.passage(OFFICER, "nope")


# --- venue stays --------------------------------------------------------------------------

async def venue_pass(service: Service, event: Envelope[DeclarationSubmitted], checkpoint: str,
                     direction: str, scan_id: str, at: datetime | None = None) -> None:
    await service.scanning.by_token(OFFICER, checkpoint, service.token(event), scan_id, at=at)
    await service.decide(scan_id, "pass", direction=Direction(direction), at=at)


async def test_a_venue_needs_a_direction_and_keeps_one_open_stay(service: Service) -> None:
    an = await service.known(declaration("001085012359"))
    subject = an.payload.subject_id
    await service.scanning.by_token(OFFICER, MARKET, service.token(an), "scan-0011")
    with pytest.raises(InvalidDecision) as no_direction:
        await service.decide("scan-0011")
    assert no_direction.value.code == "direction_required"
    await service.decide("scan-0011", direction=Direction.in_)
    assert service.stays.open[subject].stay.checkpoint_id == MARKET
    # Checking in elsewhere checks out of the market (a move-on check-out).
    await venue_pass(service, an, MARKET_2, "in", "scan-0012")
    assert service.stays.open[subject].stay.checkpoint_id == MARKET_2
    [moved_on] = [p for p in service.passages.stored.values() if p.source == MOVE_ON_CHECKOUT]
    assert (moved_on.checkpoint_id, moved_on.direction, moved_on.stay_id) == (
        MARKET, Direction.out, "scan-0011")
    assert "*" in service.outbox.woken
    # Checking out where the stay is closes it.
    await venue_pass(service, an, MARKET_2, "out", "scan-0013")
    assert subject not in service.stays.open


async def test_stays_nobody_checks_out_of_end_on_their_own(service: Service) -> None:
    an = await service.known(declaration("001085012360"))
    await venue_pass(service, an, MARKET, "in", "scan-0014")
    assert await service.venue_stays.auto_check_out() == 0
    closed = await service.venue_stays.auto_check_out(utcnow() + timedelta(hours=5))
    assert closed == 1 and not service.stays.open
    [auto] = [p for p in service.passages.stored.values() if p.source == AUTO_CHECKOUT]
    assert auto.at == service.passages.stored["scan-0014"].at + timedelta(hours=4)
    assert isinstance(auto.events[0].payload, CheckpointPassed)


# --- the registry -------------------------------------------------------------------------

async def test_admins_maintain_the_registry_and_officers_read_their_own(
        service: Service) -> None:
    checkpoint, created = await service.checkpoints.put(ADMIN, "cp-new", CheckpointFields(
        name="Chốt mới", kind=CheckpointKind.road, ward_code=VUNG_TAU))
    assert created and checkpoint.updated_by == "admin-1" and checkpoint.province_code
    _, created = await service.checkpoints.put("seed", "cp-new", CheckpointFields(
        name="Chốt mới", kind=CheckpointKind.road, ward_code=VUNG_TAU, active=False))
    assert not created and service.registry.checkpoints["cp-new"].updated_by == "seed"
    total, page = await service.checkpoints.find(ADMIN, CheckpointFilter(
        kind=CheckpointKind.road), limit=1, offset=0)
    assert total == 3 and [c.checkpoint_id for c in page] == [CLOSED]
    total, own = await service.checkpoints.find(OFFICER, CheckpointFilter(active=True), 100, 0)
    assert total == 4 and {c.checkpoint_id for c in own} == {ROAD, MARKET, MARKET_2, DEPOT}
    assert (await service.checkpoints.get(OFFICER, ROAD)).checkpoint_id == ROAD
    with pytest.raises(CheckpointForbidden):
        await service.checkpoints.get(OFFICER, "cp-new")
    with pytest.raises(CheckpointUnknown):
        await service.checkpoints.get(ADMIN, "cp-none")


# --- the handlers ---------------------------------------------------------------------------

async def test_handlers_keep_the_views_whatever_the_order(service: Service) -> None:
    settings = service.settings
    broker, topics = make_broker(settings), Topics(settings.topic_prefix)
    consumers.register(broker, settings, service.updates)
    an, bo = declaration("001085012361"), declaration("001085012362")
    truck = vehicle(("driver", an))
    zone = Envelope.wrap(ZoneLevelChanged(ward_code=HOAN_KIEM, level=3,
                                          effective_at=datetime(2026, 1, 1, tzinfo=UTC),
                                          set_by="ward"), producer="test")
    release = Envelope.wrap(QuarantineReleased(
        quarantine_id="q-2", subject_id=bo.payload.subject_id, at=utcnow()), producer="test")
    order = Envelope.wrap(QuarantineOrdered(
        quarantine_id="q-2", subject_id=bo.payload.subject_id, start=vn_today(),
        end=vn_today(5), place="home", reason="contact"), producer="test")
    events: list[Envelope[DeclarationSubmitted] | Envelope[IdentityVerified]
                 | Envelope[IdentityRejected] | Envelope[ZoneLevelChanged]
                 | Envelope[QuarantineOrdered] | Envelope[QuarantineReleased]
                 | Envelope[VehicleDeclared]] = [
        verified(an), an, an, rejected(bo), bo, zone, zone, release, order, truck]
    async with TestKafkaBroker(broker, connect_only=False) as test_broker:
        for event in events:
            await test_broker.publish(event.to_bytes(), topic=topics(event.type))
    views = service.views
    found = await views.declaration(an.payload.declaration_id)
    assert found is not None and found.verdict == "verified"
    assert found.masked_document == "001******361"
    rejected_bo = await views.declaration(bo.payload.declaration_id)
    assert rejected_bo is not None and rejected_bo.rejection_reasons == ["name_mismatch"]
    assert [c.level for c in await views.zone_changes_of(HOAN_KIEM)] == [3]
    [state] = (await views.standing(bo.payload.subject_id)).quarantines
    assert state.order is not None and state.released_at is not None, "released before ordered"
    stored_truck = await views.vehicle(truck.payload.vehicle_declaration_id)
    assert stored_truck is not None and stored_truck.crew[0].role == "driver"
    assert len(views.lookups) == 2


async def test_a_later_verdict_wins_and_an_earlier_one_is_ignored(service: Service) -> None:
    an = declaration("001085012363")
    first, second = verified(an), rejected(an)
    await service.updates.declaration_submitted(an)
    await service.updates.identity_decided(second)
    await service.updates.identity_decided(first)  # older: ignored
    found = await service.views.declaration(an.payload.declaration_id)
    assert found is not None and found.verdict == "rejected"


# --- the API's mapping ------------------------------------------------------------------------

@pytest.mark.parametrize(("error", "status", "fields"), [
    (CheckpointUnknown("x"), 404, {}),
    (CheckpointForbidden("x"), 403, {}),
    (CheckpointInactive("x"), 409, {}),
    (KeysUnavailable(), 503, {}),
    (TokenRefused("tampered", "bad signature"), 422,
     {"token": [{"code": "tampered", "message": "bad signature"}]}),
    (ScanIdReused("s-1"), 409, {"scan_id": ["s-1"]}),
    (AlreadyDecided("pass", "in"), 409, {"decision": ["pass"], "direction": ["in"]}),
    (InvalidDecision("at", "at_too_old"), 422,
     {"at": [{"code": "at_too_old",
              "message": "A decision queued offline for this long is not accepted"}]}),
])
def test_domain_errors_become_the_apis_errors(error: Exception, status: int,
                                              fields: dict[str, object]) -> None:
    mapped = api_error(error)  # type: ignore[arg-type]
    assert (mapped.status, mapped.fields) == (status, fields)
    assert mapped.code == error.code and mapped.vi and mapped.en  # type: ignore[attr-defined]


async def test_a_route_raises_the_mapped_error() -> None:
    with pytest.raises(ApiError) as raised:
        async with domain_errors():
            raise KeysUnavailable("none yet")
    assert raised.value.headers == {"Retry-After": "5"}

