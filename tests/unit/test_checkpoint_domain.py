"""Pure checkpoint rules: masking (the shared policy), statuses, recommendations, zone
levels, quarantine."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from libs.contracts.ordering import order_key
from libs.contracts.people import mask_id_number, mask_name
from libs.contracts.vietnam_time import vn_day
from services.checkpoint.domain import recommendation as domain
from services.checkpoint.domain.recommendation import Decision, PersonFacts, Severity, Status
from services.checkpoint.domain.records import QuarantineOrder, QuarantineState, ZoneChange

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("full", "masked"), [
    ("Nguyễn Văn An", "Nguyễn V. A."),
    ("  Phạm   Thị Hồng  Nhung ", "Phạm T. H. N."),
    ("Madonna", "Madonna"),
    ("KIM MIN JUN", "KIM M. J."),
    ("Nguye\u0302\u0303n Văn An", "Nguyễn V. A."),  # NFD typed, NFC kept
])
def test_names_keep_the_family_name_and_initials(full: str, masked: str) -> None:
    assert mask_name(full) == masked


# The shared policy (libs/contracts/people.py): a CCCD keeps its first three and last three
# digits, any other number its last three.
@pytest.mark.parametrize(("number", "masked"), [
    ("001085012345", "001******345"), ("123456789", "******789"), ("C1234567", "*****567"),
    ("AB", "**"), ("", "")])
def test_documents_show_only_what_the_shared_policy_shows(number: str, masked: str) -> None:
    assert mask_id_number(number) == masked


def test_the_lookup_key_depends_on_secret_subject_and_birth_date() -> None:
    key = domain.lookup_key(b"s", "a" * 64, date(1985, 3, 14))
    assert key != domain.lookup_key(b"t", "a" * 64, date(1985, 3, 14))
    assert key != domain.lookup_key(b"s", "b" * 64, date(1985, 3, 14))
    assert key != domain.lookup_key(b"s", "a" * 64, date(1985, 3, 15))
    assert len(key) == 64 and "1985" not in key


def test_expiry_is_derived_and_a_rejection_stays() -> None:
    later, earlier = NOW + timedelta(hours=1), NOW - timedelta(seconds=1)
    assert domain.status_at("verified", later, NOW) == Status.verified
    assert domain.status_at("verified", earlier, NOW) == Status.expired
    assert domain.status_at("pending", NOW, NOW) == Status.expired
    assert domain.status_at("rejected", earlier, NOW) == Status.rejected


def codes(facts: PersonFacts) -> list[tuple[str, Severity]]:
    return [(r.code, r.severity) for r in domain.person_reasons(facts)]


def test_a_verified_healthy_traveller_passes_without_reasons() -> None:
    reasons = domain.person_reasons(PersonFacts(Status.verified))
    assert reasons == [] and domain.recommend(reasons) == Decision.pass_


def test_the_most_serious_reason_decides() -> None:
    facts = PersonFacts(Status.rejected, ["name_mismatch"], symptoms=["fever"], origin_level=4,
                        quarantined_until=date(2026, 12, 5), earlier_refusals=2)
    assert codes(facts) == [("quarantined", Severity.block),
                            ("identity_rejected", Severity.block), ("symptoms", Severity.refer),
                            ("red_zone_origin", Severity.refer),
                            ("refused_earlier", Severity.note)]
    reasons = domain.person_reasons(facts)
    assert domain.recommend(reasons) == Decision.refuse
    assert "05/12/2026" in reasons[0].vi and "05/12/2026" in reasons[0].en
    assert [r.code for r in domain.blocking(reasons)] == ["quarantined", "identity_rejected"]


@pytest.mark.parametrize(("facts", "decision"), [
    (PersonFacts(Status.verified, exposures=["close_contact"]), Decision.refer),
    (PersonFacts(Status.verified, origin_level=3), Decision.pass_),
    (PersonFacts(Status.verified, origin_level=4), Decision.refer),
    (PersonFacts(Status.pending), Decision.pass_),
    (PersonFacts(Status.expired), Decision.refuse),
    (PersonFacts(Status.verified, earlier_refusals=1), Decision.pass_),
])
def test_recommendations(facts: PersonFacts, decision: Decision) -> None:
    assert domain.recommend(domain.person_reasons(facts)) == decision


def change(level: int, effective: datetime, event: str) -> ZoneChange:
    return ZoneChange(event_id=event, level=level, effective_at=effective,
                      key=order_key(effective, event))


def test_the_zone_level_in_force_is_the_latest_already_effective() -> None:
    changes = [change(2, NOW - timedelta(days=3), "e1"), change(4, NOW - timedelta(hours=1), "e2"),
               change(1, NOW + timedelta(days=1), "e3")]
    assert domain.level_at(changes, NOW) == 4
    assert domain.level_at(changes, NOW + timedelta(days=2)) == 1
    assert domain.level_at(changes, NOW - timedelta(days=5)) is None
    assert domain.level_at(list(reversed(changes)), NOW) == 4, "arrival order does not matter"


def quarantine(start: str, end: str, released_at: datetime | None = None) -> QuarantineState:
    return QuarantineState(quarantine_id="q", released_at=released_at, order=QuarantineOrder(
        quarantine_id="q", start=date.fromisoformat(start), end=date.fromisoformat(end),
        place="home", reason="contact"))


def test_a_quarantine_is_active_from_its_first_to_its_last_day_unless_released() -> None:
    today = date(2026, 11, 27)
    assert domain.active_quarantine([quarantine("2026-11-27", "2026-12-10")], today) == (
        date(2026, 12, 10), "home")
    assert domain.active_quarantine([quarantine("2026-11-13", "2026-11-27")], today) is not None
    assert domain.active_quarantine([quarantine("2026-11-28", "2026-12-10")], today) is None
    assert domain.active_quarantine([quarantine("2026-11-01", "2026-11-26")], today) is None
    assert domain.active_quarantine([quarantine("2026-11-20", "2026-12-10",
                                                released_at=NOW)], today) is None
    assert domain.active_quarantine([QuarantineState(quarantine_id="q", released_at=NOW)],
                                    today) is None, "release first"
    both = [quarantine("2026-11-20", "2026-12-01"), quarantine("2026-11-25", "2026-12-09")]
    assert domain.active_quarantine(both, today) == (date(2026, 12, 9), "home")


def test_local_days_are_viet_nam_days() -> None:
    assert vn_day(datetime(2026, 11, 27, 17, 30, tzinfo=UTC)) == date(2026, 11, 28)
