"""Pure rules of a checkpoint: statuses, the reasons that bear on a passage, and the
recommended decision.

No I/O here. The checkpoint service keeps only a masked identity (DESIGN.md §5,
libs/contracts/people.py): an officer sees `Nguyễn V. A.` and `001******345`,
enough to compare with the card in front of them and no more.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from libs.contracts.events.checkpoint import RefusalReason
from services.checkpoint.domain.texts import text

if TYPE_CHECKING:
    from services.checkpoint.domain.records import QuarantineState, ZoneChange

RED = 4
RECENT_REFUSALS = timedelta(days=14)


class Status(StrEnum):
    verified = "verified"
    pending = "pending"
    rejected = "rejected"
    expired = "expired"


class Decision(StrEnum):
    pass_ = "pass"
    refuse = "refuse"
    refer = "refer"  # to a medical check


class Severity(StrEnum):
    block = "block"  # the officer cannot pass the person
    refer = "refer"  # a medical check is recommended
    note = "note"  # shown, changes nothing


@dataclass(frozen=True)
class Reason:
    code: str
    severity: Severity
    vi: str
    en: str
    refusal: RefusalReason | None = None  # what a refusal for this reason is recorded as


def reason(code: str, severity: Severity, refusal: RefusalReason | None = None,
           **fields: object) -> Reason:
    vi, en = text(code, **fields)
    return Reason(code, severity, vi, en, refusal)


def lookup_key(secret: bytes, subject_id: str, date_of_birth: date) -> str:
    """A keyed hash for 'find by national ID + date of birth', so no ID is stored."""
    message = f"lookup|{subject_id}|{date_of_birth.isoformat()}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def status_at(verdict: str, valid_until: datetime, now: datetime) -> Status:
    """Expiry is derived when asked; a rejection stays a rejection."""
    if verdict == Status.rejected:
        return Status.rejected
    return Status.expired if now >= valid_until else Status(verdict)


@dataclass(frozen=True)
class PersonFacts:
    status: Status
    rejection_reasons: list[str] = field(default_factory=list)
    symptoms: list[str] = field(default_factory=list)
    exposures: list[str] = field(default_factory=list)
    origin_level: int | None = None
    quarantined_until: date | None = None
    earlier_refusals: int = 0


def person_reasons(facts: PersonFacts) -> list[Reason]:
    """Every reason that bears on passing this person, most serious first."""
    found: list[Reason] = []
    if facts.quarantined_until is not None:
        found.append(reason("quarantined", Severity.block, RefusalReason.quarantined,
                            until=facts.quarantined_until.strftime("%d/%m/%Y")))
    if facts.status == Status.expired:
        found.append(reason("expired", Severity.block, RefusalReason.expired))
    if facts.status == Status.rejected:
        found.append(reason("identity_rejected", Severity.block, RefusalReason.identity_rejected,
                            details=", ".join(facts.rejection_reasons) or "—"))
    if facts.symptoms:
        found.append(reason("symptoms", Severity.refer, RefusalReason.symptoms,
                            details=", ".join(facts.symptoms)))
    if facts.exposures:
        found.append(reason("exposure", Severity.refer, RefusalReason.exposure,
                            details=", ".join(facts.exposures)))
    if facts.origin_level == RED:
        found.append(reason("red_zone_origin", Severity.refer, RefusalReason.referred_to_medical))
    if facts.status == Status.pending:
        found.append(reason("identity_pending", Severity.note))
    if facts.earlier_refusals:
        found.append(reason("refused_earlier", Severity.note, count=facts.earlier_refusals))
    return found


def recommend(reasons: list[Reason]) -> Decision:
    severities = {r.severity for r in reasons}
    if Severity.block in severities:
        return Decision.refuse
    if Severity.refer in severities:
        return Decision.refer
    return Decision.pass_


def blocking(reasons: list[Reason]) -> list[Reason]:
    return [r for r in reasons if r.severity == Severity.block]


def level_at(changes: list[ZoneChange], now: datetime) -> int | None:
    """The zone level in force at `now`: the latest change (by its order key) already effective."""
    effective = [c for c in changes if c.effective_at <= now]
    if not effective:
        return None
    return max(effective, key=lambda c: c.key).level


def active_quarantine(quarantines: list[QuarantineState], today: date
                      ) -> tuple[date, str] | None:
    """(last day, place) of the quarantine in force today, the longest if several.

    An order whose release arrived first is stored released and never becomes active.
    """
    active = [(q.order.end, q.order.place) for q in quarantines
              if q.order is not None and q.released_at is None
              and q.order.start <= today <= q.order.end]
    return max(active) if active else None
