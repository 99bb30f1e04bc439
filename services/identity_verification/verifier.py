"""Verifying a batch of declarations: one registry round for the batch, one write.

A verification is stored once per declaration (`_id` = declaration_id) together
with its outbox entry, so the verdict and its event cannot part. A redelivered
or replayed declaration finds its verification already there and changes
nothing: the first verdict stands and no second event is published.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import ArrivalRegistered, DeclarationSubmitted
from libs.contracts.events.identity import RejectionReason
from libs.runtime.mongo import Document
from libs.runtime.outbox import OutboxRelay, new_outbox, outbox_entry
from libs.runtime.retention import day_of
from services.identity_verification.arrivals import (
    ArrivalStore,
    revised_event_id,
    source_of,
    verify_passport,
)
from services.identity_verification.domain import (
    Outcome,
    Verdict,
    declared_id,
    verdict_envelope,
    verify,
)
from services.identity_verification.settings import Settings
from services.identity_verification.store import IdentityStore


class Verifier:
    def __init__(self, store: IdentityStore, relay: OutboxRelay, settings: Settings,
                 arrivals: ArrivalStore) -> None:
        self.store, self.relay, self.settings, self.arrivals = store, relay, settings, arrivals

    async def verify_batch(self, events: list[Envelope[DeclarationSubmitted]]) -> int:
        """Decide and store every declaration of the batch; returns how many were new.
        Citizens against the registry; passport holders against the registered arrivals."""
        unique = list({e.payload.declaration_id: e for e in reversed(events)}.values())[::-1]
        citizens = [e for e in unique if e.payload.person.national_id is not None]
        foreigners = [e for e in unique if e.payload.person.national_id is None]
        residents = await self.store.residents_by_id(
            (declared_id(e.payload.person) for e in citizens),
            batched=self.settings.batched_lookup)
        docs = [self._document(e, verify(e.payload.person,
                                         residents.get(declared_id(e.payload.person))))
                for e in citizens]
        docs += await self._passports(foreigners)
        return await self._store(docs)

    async def _passports(self, events: list[Envelope[DeclarationSubmitted]]) -> list[Document]:
        known = await self.arrivals.of([e.payload.subject_id for e in events])
        decide_at = datetime.now(UTC) + timedelta(seconds=self.settings.arrival_grace_s)
        docs = []
        for event in events:
            person, records = event.payload.person, known.get(event.payload.subject_id, [])
            elsewhere = not records and await self.arrivals.registered_elsewhere(
                person.passport or "", person.nationality)
            if records or elsewhere:
                docs.append(self._document(event, verify_passport(person, records, elsewhere)))
            else:  # the manifest may not be imported yet: wait for it
                await self.arrivals.wait(event, decide_at)
        return docs

    async def arrivals_registered(self, events: list[Envelope[ArrivalRegistered]]) -> int:
        """Store the arrivals, then decide the passport declarations that waited for them."""
        subjects = await self.arrivals.add(events)
        decided = 0
        for held in await self.arrivals.waiting_for(subjects):
            source = source_of(held)
            records = (await self.arrivals.of([held["subject_id"]]))[held["subject_id"]]
            verdict = verify_passport(source.payload.person, records, False)
            if held["decided"]:  # rejected meanwhile: this verdict replaces that one
                await self.store.replace_verification(self._document(source, verdict, True))
                self.relay.wake(source.payload.declaration_id)
            else:
                decided += await self._store([self._document(source, verdict)])
            await self.arrivals.release(held["_id"])
        return decided

    async def reject_overdue(self, now: datetime) -> int:
        """Passport declarations whose grace passed without an arrival: `no_arrival_record`
        (they stay held: an arrival that comes later still verifies them)."""
        decided = 0
        for held in await self.arrivals.due(now):
            verdict = Verdict(Outcome.rejected, [RejectionReason.no_arrival_record])
            decided += await self._store([self._document(source_of(held), verdict)])
            await self.arrivals.mark_decided(held["_id"])
        return decided

    async def _store(self, docs: list[Document]) -> int:
        new = await self.store.add_verifications(docs)
        await self.store.count_verdicts(tally(new))
        if new:
            self.relay.wake(*(doc["_id"] for doc in new))
        return len(new)

    def _document(self, event: Envelope[DeclarationSubmitted], verdict: Verdict,
                  revised: bool = False) -> Document:
        envelope = verdict_envelope(event, verdict, self.settings.subject_secret_bytes)
        if revised:
            envelope = envelope.model_copy(update={"event_id": revised_event_id(envelope.event_id)})
        p = event.payload
        return {
            "_id": p.declaration_id,
            "subject_id": p.subject_id,
            "declaration_event_id": event.event_id,
            "outcome": verdict.outcome.value,
            "reasons": [r.value for r in verdict.reasons],
            "flags": verdict.flags,
            "registered_permanent_ward": verdict.registered_permanent_ward,
            "decided_at": datetime.now(UTC),
            # Kept as long as its declaration: the window after the declaration's validity.
            "valid_until": p.valid_until, "day": day_of(p.valid_until),
            "event_id": envelope.event_id,
            **new_outbox(outbox_entry(envelope, key=p.subject_id)),
        }


def tally(docs: list[Document]) -> dict[str, int]:
    """Counter increments for the admin stats: outcome, each reason, each flag."""
    counts: Counter[str] = Counter()
    for doc in docs:
        counts[doc["outcome"]] += 1
        counts.update(f"reason.{r}" for r in doc["reasons"])
        counts.update(f"flag.{f}" for f in doc["flags"])
    return dict(counts)


def as_dict(counts: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Stored counters {'verified': 3, 'reason.not_found': 1} as nested groups."""
    grouped: dict[str, dict[str, int]] = {"outcomes": {}, "reasons": {}, "flags": {}}
    for key, value in counts.items():
        group, _, name = key.rpartition(".")
        grouped[{"reason": "reasons", "flag": "flags"}.get(group, "outcomes")][name] = int(value)
    return grouped
