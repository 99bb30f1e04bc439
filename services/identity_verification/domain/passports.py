"""Passport holders: verified against the arrivals the border registered (issue 21).

A foreigner has no entry in the population registry; what the state knows of them
is the flight's or ship's manifest, imported at the declaration service and
published as `arrival.registered`. A passport declaration is matched on the
passport's country and number (its subject id), then name, date of birth and
gender, like a citizen's against the registry:

- no arrival for that passport → `no_arrival_record`, but not at once: a traveller
  may declare before the manifest is imported, so the verdict waits up to
  `arrival_grace_s` for the arrival; one that comes later still turns a rejection
  into a verification (a new verdict event supersedes the first);
- the number registered only under another nationality → `passport_mismatch`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import DeclarationSubmitted, Person
from libs.contracts.events.identity import RejectionReason
from services.identity_verification.domain.verdicts import Outcome, Verdict, compare_person


@dataclass(frozen=True)
class Arrival:
    full_name: str
    date_of_birth: date
    gender: str
    nationality: str
    arrival_date: date


@dataclass(frozen=True)
class HeldDeclaration:
    """A passport declaration waiting for its arrival record; `decided` once it was
    rejected for want of one (an arrival that comes later still verifies it)."""

    source: Envelope[DeclarationSubmitted]
    decided: bool = False

    @property
    def declaration_id(self) -> str:
        return self.source.payload.declaration_id

    @property
    def subject_id(self) -> str:
        return self.source.payload.subject_id


def verify_passport(person: Person, arrivals: list[Arrival], other_nationalities: bool) -> Verdict:
    """A passport declaration against the arrivals registered for that passport (pure)."""
    if not arrivals:
        reason = RejectionReason.passport_mismatch if other_nationalities \
            else RejectionReason.no_arrival_record
        return Verdict(Outcome.rejected, [reason])
    latest = max(arrivals, key=lambda a: a.arrival_date)
    reasons, remarks = compare_person(person, latest.full_name, latest.date_of_birth,
                                      latest.gender)
    flags = ["arrival_record", *remarks]
    return Verdict(Outcome.rejected if reasons else Outcome.verified, reasons, flags)
