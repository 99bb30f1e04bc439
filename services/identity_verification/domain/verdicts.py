"""Verifying a declaration against the registry, and the events that say so (pure)."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import DeclarationSubmitted, Person
from libs.contracts.events.identity import IdentityRejected, IdentityVerified, RejectionReason
from libs.contracts.values import cccd_contradictions, subject_id_for
from services.identity_verification.domain.matching import NameMatch, compare_names
from services.identity_verification.domain.residents import Resident, Status, birth_code_problem

PRODUCER = "identity-verification"
VerdictPayload = IdentityVerified | IdentityRejected
CMND_MAPPED = "cmnd_mapped"


class Outcome(StrEnum):
    verified = "verified"
    rejected = "rejected"


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    reasons: list[RejectionReason] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    registered_permanent_ward: str | None = None
    registered_national_id: str | None = None


def declared_id(person: Person) -> str:
    # mypy reads the contract's annotated NationalId as optional; pydantic requires it.
    assert person.national_id is not None
    return person.national_id


def format_problems(person: Person) -> list[RejectionReason]:
    """`id_format` when a CCCD cannot exist or its digits contradict the declared facts."""
    national_id = declared_id(person)
    if len(national_id) != 12:
        return []
    if birth_code_problem(national_id) or cccd_contradictions(
            national_id, person.date_of_birth, person.gender):
        return [RejectionReason.id_format]
    return []


def verify(person: Person, resident: Resident | None) -> Verdict:
    """Compare what was declared with what the registry holds (None: not in the registry)."""
    reasons = format_problems(person)
    if len(declared_id(person)) == 12 and birth_code_problem(declared_id(person)):
        return Verdict(Outcome.rejected, reasons)  # no registry can hold such a number
    if resident is None:
        return Verdict(Outcome.rejected, [*reasons, RejectionReason.not_found])
    reasons += _status_reasons(resident.status)
    differences, flags = compare_person(person, resident.full_name, resident.date_of_birth,
                                        resident.gender)
    reasons += differences
    if declared_id(person) != resident.national_id:
        flags.append(CMND_MAPPED)
    return Verdict(Outcome.rejected if reasons else Outcome.verified, reasons, flags,
                   resident.permanent_ward, resident.national_id)


def compare_person(person: Person, full_name: str, date_of_birth: date,
                   gender: str) -> tuple[list[RejectionReason], list[str]]:
    """What was declared against what a record (the registry's, an arrival's) holds: the
    reasons to reject, and the remarks on the name that do not (`accents_differ` …)."""
    reasons, remarks = [], compare_names(person.full_name, full_name)
    if NameMatch.mismatch in remarks:
        reasons.append(RejectionReason.name_mismatch)
    if person.date_of_birth != date_of_birth:
        reasons.append(RejectionReason.dob_mismatch)
    if person.gender != gender:
        reasons.append(RejectionReason.gender_mismatch)
    return reasons, [str(r) for r in remarks if r != NameMatch.mismatch]


def _status_reasons(status: Status) -> list[RejectionReason]:
    if status == Status.deceased:
        return [RejectionReason.deceased]
    if status == Status.revoked:
        return [RejectionReason.revoked]
    return []


def verdict_event_id(declaration_id: str, declared_at: datetime) -> str:
    """A UUIDv7-shaped id fixed by the declaration, so deciding again republishes the
    same event id and downstream consumers drop it as a duplicate."""
    millis = int(declared_at.timestamp() * 1000) & ((1 << 48) - 1)
    digest = int.from_bytes(hashlib.sha256(b"identity-verdict\0" + declaration_id.encode())
                            .digest()[:10], "big")
    rand_a, rand_b = digest >> 68 & 0xFFF, digest & ((1 << 62) - 1)
    value = millis << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return str(uuid.UUID(int=value))


def revised_event_id(event_id: str) -> str:
    """A verdict that replaces an earlier one needs its own id (consumers drop a repeat)."""
    digest = hashlib.sha256(b"revised\0" + event_id.encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-7{digest[13:16]}-8{digest[17:20]}-{digest[20:32]}"


def verdict_envelope(source: Envelope[DeclarationSubmitted], verdict: Verdict,
                     secret: bytes) -> Envelope[VerdictPayload]:
    p = source.payload
    payload: VerdictPayload
    if verdict.outcome == Outcome.verified:
        registered = verdict.registered_national_id
        payload = IdentityVerified(
            declaration_id=p.declaration_id, subject_id=p.subject_id,
            registered_permanent_ward=verdict.registered_permanent_ward, flags=verdict.flags,
            registered_subject_id=(subject_id_for(secret, registered)
                                   if registered and registered != p.person.national_id else None))
    else:
        payload = IdentityRejected(declaration_id=p.declaration_id, subject_id=p.subject_id,
                                   reasons=verdict.reasons, flags=verdict.flags)
    wrapped: Envelope[VerdictPayload] = Envelope.wrap(
        payload, producer=PRODUCER, correlation_id=source.correlation_id or source.event_id,
        causation_id=source.event_id, occurred_at=datetime.now(UTC))
    return wrapped.model_copy(update={"event_id": verdict_event_id(p.declaration_id,
                                                                    source.occurred_at)})
