"""Green lane (pure): a freight vehicle leaves its depot only when every crew member's
declaration is verified and unexpired (and nobody in the crew is under quarantine)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from libs.contracts.events.checkpoint import RefusalReason
from services.checkpoint.domain.recommendation import Reason, Severity, Status, reason
from services.checkpoint.domain.texts import CREW_ROLES_VI, FAILURES_VI


@dataclass(frozen=True)
class CrewFacts:
    declaration_id: str
    subject_id: str
    role: str
    masked_name: str | None = None  # None: the declaration has not reached this service
    status: Status | None = None
    quarantined_until: date | None = None
    symptoms: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CrewCheck:
    member: CrewFacts
    failures: list[Reason]

    @property
    def ok(self) -> bool:
        return not self.failures


def crew_failures(member: CrewFacts) -> list[Reason]:
    failures = []
    if member.quarantined_until is not None:
        failures.append(reason("quarantined", Severity.block, RefusalReason.quarantined,
                               until=member.quarantined_until.strftime("%d/%m/%Y")))
    if member.status in (None, Status.pending):
        failures.append(reason("not_verified", Severity.block, RefusalReason.not_verified))
    elif member.status == Status.rejected:
        failures.append(reason("identity_rejected", Severity.block,
                               RefusalReason.identity_rejected, details=member.role))
    elif member.status == Status.expired:
        failures.append(reason("expired", Severity.block, RefusalReason.expired))
    return failures


def check_crew(crew: list[CrewFacts]) -> list[CrewCheck]:
    return [CrewCheck(member, crew_failures(member)) for member in crew]


def _who(check: CrewCheck, vi: bool) -> str:
    """'assistant Lê T. C. (not_verified)': who failed and why, for the officer."""
    name = check.member.masked_name or check.member.declaration_id[:8]
    role = CREW_ROLES_VI.get(check.member.role, check.member.role) if vi else check.member.role
    why = [FAILURES_VI.get(f.code, f.code) if vi else f.code for f in check.failures]
    return f"{role} {name} ({', '.join(why)})"


def vehicle_reasons(valid_until: datetime, now: datetime, checks: list[CrewCheck]) -> list[Reason]:
    """Why the vehicle may not leave; empty when it may. The refusal names who failed."""
    found = []
    if now >= valid_until:
        found.append(reason("vehicle_expired", Severity.block, RefusalReason.expired))
    failed = [check for check in checks if not check.ok]
    if failed:
        found.append(reason("crew_failed", Severity.block, RefusalReason.not_verified,
                            details_vi="; ".join(_who(check, True) for check in failed),
                            details_en="; ".join(_who(check, False) for check in failed)))
    return found


def crew_refusals(checks: list[CrewCheck], vehicle_reason: RefusalReason | None
                  ) -> list[tuple[CrewFacts, RefusalReason]]:
    """Whom a refused departure is recorded against: each failing member with their own
    reason; if the crew is fine but the vehicle is not, every member with the vehicle's."""
    failing = [(c.member, c.failures[0].refusal or RefusalReason.not_verified)
               for c in checks if not c.ok]
    if failing:
        return failing
    reason_ = vehicle_reason or RefusalReason.not_verified
    return [(c.member, reason_) for c in checks]
