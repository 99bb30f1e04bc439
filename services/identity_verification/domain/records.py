"""The typed records that cross from the store to the service and the routes.

The store turns each of them into its document and back (`store/`); nothing else
sees a document, so a field renamed in a store fails in mypy, not at run time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from libs.contracts.envelope import Envelope
from services.identity_verification.domain.verdicts import Outcome, VerdictPayload


@dataclass(frozen=True, kw_only=True)
class Verification:
    """The verdict on one declaration, as officers read it back."""

    declaration_id: str
    outcome: Outcome
    reasons: list[str]
    flags: list[str]
    registered_permanent_ward: str | None


@dataclass(frozen=True, kw_only=True)
class NewVerification(Verification):
    """A verdict to store, with the event that announces it (written in the same
    document, its outbox, so the verdict and its event cannot part)."""

    subject_id: str
    declaration_event_id: str
    decided_at: datetime
    valid_until: datetime
    event: Envelope[VerdictPayload]


@dataclass
class Upserted:
    """What writing a batch of registry rows did."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class RegistryStats:
    residents: int
    cmnd_aliases: int
    partitions: int
    verifications: dict[str, dict[str, int]] = field(default_factory=dict)


def tally(verifications: Iterable[Verification]) -> dict[str, int]:
    """Counter increments for the admin stats: outcome, each reason, each flag."""
    counts: Counter[str] = Counter()
    for verification in verifications:
        counts[str(verification.outcome)] += 1
        counts.update(f"reason.{r}" for r in verification.reasons)
        counts.update(f"flag.{f}" for f in verification.flags)
    return dict(counts)


def as_dict(counts: Mapping[str, int]) -> dict[str, dict[str, int]]:
    """Stored counters {'verified': 3, 'reason.not_found': 1} as nested groups."""
    grouped: dict[str, dict[str, int]] = {"outcomes": {}, "reasons": {}, "flags": {}}
    for key, value in counts.items():
        group, _, name = key.rpartition(".")
        grouped[{"reason": "reasons", "flag": "flags"}.get(group, "outcomes")][name] = int(value)
    return grouped
