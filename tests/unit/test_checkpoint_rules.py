"""Pure rules of green-lane checks, venue stays, passage inputs and the projection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from libs.contracts.events.checkpoint import CheckpointPassed, CheckpointRefused, RefusalReason
from services.checkpoint.api.models import PassageRequest
from services.checkpoint.domain import greenlane, projection, venues
from services.checkpoint.domain.greenlane import CrewFacts
from services.checkpoint.domain.passage_events import (
    Place,
    Traveller,
    crew_passage_id,
    passage_event,
)
from services.checkpoint.domain.recommendation import Status
from tests.support.checkpoint_samples import declaration

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def crew(status: Status | None, role: str = "driver", **extra: object) -> CrewFacts:
    return CrewFacts(f"d-{role}", "a" * 64, role, "Trần V. B." if status else None, status,
                     **extra)  # type: ignore[arg-type]


def test_a_vehicle_leaves_only_with_a_verified_unexpired_crew() -> None:
    checks = greenlane.check_crew([crew(Status.verified)])
    assert greenlane.vehicle_reasons(NOW + HOUR, NOW, checks) == []
    checks = greenlane.check_crew([crew(Status.verified), crew(Status.pending, "co_driver"),
                                   crew(None, "assistant")])
    [reason] = greenlane.vehicle_reasons(NOW + HOUR, NOW, checks)
    assert reason.code == "crew_failed"
    assert "co_driver Trần V. B. (not_verified)" in reason.en
    assert "assistant d-assist (not_verified)" in reason.en, "unknown: named by declaration"
    assert "phụ xe d-assist (chưa xác minh)" in reason.vi
    refusals = greenlane.crew_refusals(checks, None)
    assert [(m.role, r) for m, r in refusals] == [
        ("co_driver", RefusalReason.not_verified), ("assistant", RefusalReason.not_verified)]


@pytest.mark.parametrize(("member", "reason"), [
    (crew(Status.rejected), RefusalReason.identity_rejected),
    (crew(Status.expired), RefusalReason.expired),
    (crew(Status.verified, quarantined_until=NOW.date()), RefusalReason.quarantined)])
def test_each_crew_failure_has_its_reason(member: CrewFacts, reason: RefusalReason) -> None:
    [check] = greenlane.check_crew([member])
    assert check.failures[0].refusal == reason


def test_an_expired_vehicle_refuses_its_whole_crew_with_expiry() -> None:
    checks = greenlane.check_crew([crew(Status.verified), crew(Status.verified, "co_driver")])
    reasons = greenlane.vehicle_reasons(NOW - HOUR, NOW, checks)
    assert [r.code for r in reasons] == ["vehicle_expired"]
    refusals = greenlane.crew_refusals(checks, reasons[0].refusal)
    assert [r for _, r in refusals] == [RefusalReason.expired] * 2


def stay(stay_id: str, since: datetime, checkpoint: str = "cp-a",
         limit: timedelta = HOUR) -> venues.Stay:
    return venues.new_stay(stay_id, "s" * 64, "d1", checkpoint, since, limit)


def test_checking_in_elsewhere_closes_the_open_stay_then() -> None:
    assert venues.plan_check_in(None, stay("b", NOW)) == venues.CheckInPlan(open_new=True)
    old = stay("a", NOW - timedelta(minutes=20))
    assert venues.plan_check_in(old, stay("b", NOW, "cp-b")) == venues.CheckInPlan(
        close_existing_at=NOW, open_new=True)
    assert venues.plan_check_in(old, stay("a", old.since)) == venues.CheckInPlan(), "a retry"


def test_a_stay_that_ran_out_closes_at_its_limit_not_at_the_next_check_in() -> None:
    old = stay("a", NOW - 3 * HOUR)
    assert venues.plan_check_in(old, stay("b", NOW)).close_existing_at == NOW - 2 * HOUR


def test_a_late_offline_check_in_ends_when_the_later_one_began() -> None:
    later = stay("b", NOW)
    assert venues.plan_check_in(later, stay("a", NOW - timedelta(minutes=10))) == \
        venues.CheckInPlan(close_new_at=NOW)
    assert venues.plan_check_in(later, stay("a", NOW - 3 * HOUR)) == \
        venues.CheckInPlan(close_new_at=NOW - 2 * HOUR)


def test_a_check_out_closes_only_the_stay_at_that_venue() -> None:
    open_stay = stay("a", NOW - HOUR)
    assert venues.closes_on_check_out(open_stay, "cp-a", NOW)
    assert not venues.closes_on_check_out(open_stay, "cp-b", NOW)
    assert not venues.closes_on_check_out(open_stay, "cp-a", NOW - 2 * HOUR)
    assert not venues.closes_on_check_out(None, "cp-a", NOW)
    assert venues.checkout_id("a") == venues.checkout_id("a") != venues.checkout_id("b")
    assert venues.is_venue("market") and not venues.is_venue("road")


def test_passage_events_carry_the_checkpoint_position_and_the_refusal() -> None:
    place = Place("cp-a", "road", "00070", 21.03, 105.85)  # type: ignore[arg-type]
    who = Traveller("d1", "a" * 64)
    passed = passage_event("p1", who, place, direction="in", officer_id="o", at=NOW,  # type: ignore[arg-type]
                           plate="29A12345", refusal=None)
    refused = passage_event("p2", who, place, direction="out", officer_id="o", at=NOW,  # type: ignore[arg-type]
                            plate=None, refusal=RefusalReason.symptoms)
    assert type(passed.payload) is CheckpointPassed and passed.occurred_at == NOW
    assert (passed.payload.latitude, passed.payload.longitude) == (21.03, 105.85)
    assert isinstance(refused.payload, CheckpointRefused) and refused.payload.reason == "symptoms"
    assert crew_passage_id("s1", "d1") == crew_passage_id("s1", "d1") != crew_passage_id("s1", "d2")


def test_plates_are_normalised_and_junk_refused() -> None:
    request = PassageRequest(scan_id="0123456789", decision="pass",
                             vehicle_plate="29a-123.45")
    assert request.vehicle_plate == "29A12345"
    with pytest.raises(ValidationError):
        PassageRequest(scan_id="0123456789", decision="pass", vehicle_plate="<b>")
    with pytest.raises(ValidationError):
        PassageRequest(scan_id="short", decision="pass")


def test_the_view_of_a_declaration_holds_no_identity() -> None:
    event = declaration("001085012345", full_name="Nguyễn Văn An", symptoms=["fever"])
    kept = projection.declaration(event, b"secret")
    text = str(kept)
    for personal in ("001085012345", "Văn An", "1985", "0912345678", "Hàng Bạc"):
        assert personal not in text
    # The shared masking policy (libs/contracts/people.py).
    assert (kept.masked_name, kept.masked_document, kept.symptoms) == (
        "Nguyễn V. A.", "001******345", ["fever"])


def test_a_foreigners_passport_is_masked_as_a_passport_even_when_it_is_twelve_digits() -> None:
    event = declaration()
    person = event.payload.person.model_copy(update={
        "national_id": None, "passport": "123456789012", "nationality": "KR"})
    foreign = event.model_copy(update={"payload": event.payload.model_copy(update={"person": person})})
    kept = projection.declaration(foreign, b"secret")
    # A CCCD's first three digits name a province; a passport's would only narrow it down.
    assert kept.masked_document == "*********012"
