"""Verifying a batch of declarations: one registry round for the batch, one write.

A verification is stored once per declaration together with the event that
announces it, so the verdict and its event cannot part. A redelivered or
replayed declaration finds its verification already there and changes nothing:
the first verdict stands and no second event is published.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import ArrivalRegistered, DeclarationSubmitted
from libs.contracts.events.identity import RejectionReason
from services.identity_verification.domain.passports import verify_passport
from services.identity_verification.domain.records import NewVerification, tally
from services.identity_verification.domain.verdicts import (
    Outcome,
    Verdict,
    declared_id,
    revised_event_id,
    verdict_envelope,
    verify,
)
from services.identity_verification.service.ports import Arrivals, Outbox, Registry, Verifications
from services.identity_verification.settings import Settings


class Verifier:
    def __init__(self, registry: Registry, verifications: Verifications, relay: Outbox,
                 settings: Settings, arrivals: Arrivals) -> None:
        self.registry, self.verifications, self.relay = registry, verifications, relay
        self.settings, self.arrivals = settings, arrivals

    async def verify_batch(self, events: list[Envelope[DeclarationSubmitted]]) -> int:
        """Decide and store every declaration of the batch; returns how many were new.
        Citizens against the registry; passport holders against the registered arrivals."""
        unique = list({e.payload.declaration_id: e for e in reversed(events)}.values())[::-1]
        citizens = [e for e in unique if e.payload.person.national_id is not None]
        foreigners = [e for e in unique if e.payload.person.national_id is None]
        residents = await self.registry.residents_by_id(
            (declared_id(e.payload.person) for e in citizens),
            batched=self.settings.batched_lookup)
        decided = [self._record(e, verify(e.payload.person,
                                          residents.get(declared_id(e.payload.person))))
                   for e in citizens]
        decided += await self._passports(foreigners)
        return await self._store(decided)

    async def _passports(self, events: list[Envelope[DeclarationSubmitted]]
                         ) -> list[NewVerification]:
        known = await self.arrivals.of([e.payload.subject_id for e in events])
        decide_at = datetime.now(UTC) + timedelta(seconds=self.settings.arrival_grace_s)
        decided = []
        for event in events:
            person, records = event.payload.person, known.get(event.payload.subject_id, [])
            elsewhere = not records and await self.arrivals.registered_elsewhere(
                person.passport or "", person.nationality)
            if records or elsewhere:
                decided.append(self._record(event, verify_passport(person, records, elsewhere)))
            else:  # the manifest may not be imported yet: wait for it
                await self.arrivals.wait(event, decide_at)
        return decided

    async def arrivals_registered(self, events: list[Envelope[ArrivalRegistered]]) -> int:
        """Store the arrivals, then decide the passport declarations that waited for them."""
        subjects = await self.arrivals.add(events)
        decided = 0
        for held in await self.arrivals.waiting_for(subjects):
            records = (await self.arrivals.of([held.subject_id]))[held.subject_id]
            verdict = verify_passport(held.source.payload.person, records, False)
            if held.decided:  # rejected meanwhile: this verdict replaces that one
                await self.verifications.replace_verification(
                    self._record(held.source, verdict, revised=True))
                self.relay.wake(held.declaration_id)
            else:
                decided += await self._store([self._record(held.source, verdict)])
            await self.arrivals.release(held.declaration_id)
        return decided

    async def reject_overdue(self, now: datetime) -> int:
        """Passport declarations whose grace passed without an arrival: `no_arrival_record`
        (they stay held: an arrival that comes later still verifies them)."""
        decided = 0
        for held in await self.arrivals.due(now):
            verdict = Verdict(Outcome.rejected, [RejectionReason.no_arrival_record])
            decided += await self._store([self._record(held.source, verdict)])
            await self.arrivals.mark_decided(held.declaration_id)
        return decided

    async def _store(self, decided: list[NewVerification]) -> int:
        new = await self.verifications.add_verifications(decided)
        await self.verifications.count_verdicts(tally(new))
        if new:
            self.relay.wake(*(v.declaration_id for v in new))
        return len(new)

    def _record(self, event: Envelope[DeclarationSubmitted], verdict: Verdict,
                revised: bool = False) -> NewVerification:
        envelope = verdict_envelope(event, verdict, self.settings.subject_secret_bytes)
        if revised:
            envelope = envelope.model_copy(update={"event_id": revised_event_id(envelope.event_id)})
        p = event.payload
        return NewVerification(
            declaration_id=p.declaration_id, outcome=verdict.outcome,
            reasons=[r.value for r in verdict.reasons], flags=verdict.flags,
            registered_permanent_ward=verdict.registered_permanent_ward,
            subject_id=p.subject_id, declaration_event_id=event.event_id,
            decided_at=datetime.now(UTC), valid_until=p.valid_until, event=envelope)
