"""Verifying a batch of declarations: one registry round for the batch, one write.

A verification is stored once per declaration (`_id` = declaration_id) together
with its outbox entry, so the verdict and its event cannot part. A redelivered
or replayed declaration finds its verification already there and changes
nothing: the first verdict stands and no second event is published.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import DeclarationSubmitted
from libs.runtime.mongo import Document
from libs.runtime.outbox import OutboxRelay, new_outbox, outbox_entry
from libs.runtime.retention import day_of
from services.identity_verification.domain import Verdict, declared_id, verdict_envelope, verify
from services.identity_verification.settings import Settings
from services.identity_verification.store import IdentityStore


class Verifier:
    def __init__(self, store: IdentityStore, relay: OutboxRelay, settings: Settings) -> None:
        self.store, self.relay, self.settings = store, relay, settings

    async def verify_batch(self, events: list[Envelope[DeclarationSubmitted]]) -> int:
        """Decide and store every declaration of the batch; returns how many were new."""
        unique = list({e.payload.declaration_id: e for e in reversed(events)}.values())[::-1]
        residents = await self.store.residents_by_id(
            (declared_id(e.payload.person) for e in unique), batched=self.settings.batched_lookup)
        docs = [self._document(e, verify(e.payload.person,
                                         residents.get(declared_id(e.payload.person))))
                for e in unique]
        new = await self.store.add_verifications(docs)
        await self.store.count_verdicts(tally(new))
        if new:
            self.relay.wake(*(doc["_id"] for doc in new))
        return len(new)

    def _document(self, event: Envelope[DeclarationSubmitted], verdict: Verdict) -> Document:
        envelope = verdict_envelope(event, verdict, self.settings.subject_secret_bytes)
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
