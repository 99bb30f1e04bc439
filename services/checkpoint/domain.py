"""Pure rules of a checkpoint: masking, statuses, and the recommended decision.

No I/O here. The checkpoint service keeps only a masked identity (DESIGN.md §5):
an officer sees `Nguyễn V. A.` and `0**********5`, enough to compare with the
card in front of them and no more.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from libs.contracts.events.checkpoint import RefusalReason
from libs.contracts.values import normalise_name
from services.checkpoint.messages import text

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


def mask_name(full_name: str) -> str:
    """Family name in full, every other word as an initial: 'Nguyễn Văn An' → 'Nguyễn V. A.'."""
    family, *others = normalise_name(full_name).split(" ")
    return " ".join([family, *(word[0] + "." for word in others if word)])


def mask_document(number: str) -> str:
    """First and last character only: '001085012345' → '0**********5'."""
    if len(number) <= 2:
        return "*" * len(number)
    return number[0] + "*" * (len(number) - 2) + number[-1]


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


def level_at(changes: list[dict[str, object]], now: datetime) -> int | None:
    """The zone level in force at `now`: the latest change (by its order key) already effective."""
    effective = [c for c in changes if isinstance(c["effective_at"], datetime)
                 and c["effective_at"] <= now]
    if not effective:
        return None
    latest = max(effective, key=lambda c: str(c["key"]))
    return int(str(latest["level"]))


def active_quarantine(quarantines: list[dict[str, object]], today: date
                      ) -> tuple[date, str] | None:
    """(last day, place) of the quarantine in force today, the longest if several.

    Start and end are stored as ISO dates (BSON has no date type); an order whose
    release arrived first is stored released and never becomes active.
    """
    active: list[tuple[date, str]] = []
    for q in quarantines:
        if not q.get("ordered") or q.get("released_at"):
            continue
        start, end = date.fromisoformat(str(q["start"])), date.fromisoformat(str(q["end"]))
        if start <= today <= end:
            active.append((end, str(q.get("place", ""))))
    return max(active) if active else None
