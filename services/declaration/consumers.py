"""Event handlers of the declaration service: identity verdicts, zone levels, quarantines,
and what re-identification needs (grants, and who looked at whom).

Verdicts and levels are idempotent and order-aware: applied only when later
(occurred / effective time, then event id) than the one stored, so a redelivery,
a replay of the topic or a late duplicate changes nothing. Grants only move
forward in time; accesses are keyed by event id.
"""

from __future__ import annotations

import logging
from typing import Any

from faststream.kafka import KafkaBroker

from libs.contracts.envelope import Envelope
from libs.contracts.events.checkpoint import CheckpointScanned
from libs.contracts.events.declaration import PersonRevealed
from libs.contracts.events.identity import IdentityRejected, IdentityVerified
from libs.contracts.events.notification import FollowupRecorded, WardNotified, ZoneLevelChanged
from libs.contracts.events.trace import (
    CaseConfirmed,
    QuarantineOrdered,
    QuarantineReleased,
    TraceAccessed,
)
from libs.contracts.vietnam_time import vn_day
from libs.runtime.logs import log_fields
from libs.runtime.subscription import subscribe_all
from services.declaration.domain import Status, order_key
from services.declaration.notices.triggers import Notices
from services.declaration.settings import Settings
from services.declaration.store import DeclarationStore
from services.declaration.store_reveals import RevealStore

log = logging.getLogger(__name__)


def register(broker: KafkaBroker, settings: Settings, store: DeclarationStore,
             reveals: RevealStore, notices: Notices | None = None) -> None:
    """`notices`: messages to citizens, when this deployment sends them."""

    async def on_verified(event: Envelope[Any]) -> None:
        """identity.verified: the declaration becomes `verified`."""
        await _verdict(store, event, Status.verified, [])

    async def on_rejected(event: Envelope[Any]) -> None:
        """identity.rejected: the declaration becomes `rejected`, with the reasons; the person
        is told what to fix."""
        await _verdict(store, event, Status.rejected,
                       [reason.value for reason in event.payload.reasons])
        if notices:
            await notices.rejected(event)

    async def on_zone(event: Envelope[Any]) -> None:
        """zone.level_changed: kept per ward, shown at origin and destination."""
        p: ZoneLevelChanged = event.payload
        await store.set_zone(p.ward_code, int(p.level), p.effective_at,
                             order_key(p.effective_at, event.event_id))

    async def on_quarantine(event: Envelope[Any]) -> None:
        """quarantine.ordered: shown on the person's declarations while it lasts; the
        epidemiologists and the ward of stay may see who the person is; the person is told."""
        p: QuarantineOrdered = event.payload
        await store.put_quarantine(p.subject_id, p.quarantine_id, {
            "start": p.start.isoformat(), "end": p.end.isoformat(), "place": p.place.value,
            "reason": p.reason.value})
        await reveals.grant(p.subject_id, "epidemiology", "", event.occurred_at, None,
                            "quarantine")
        if p.ward_code:
            await reveals.grant(p.subject_id, "ward", p.ward_code, event.occurred_at, None,
                                f"ward {p.ward_code}: quarantine")
        if notices:
            await notices.ordered(event)

    async def on_release(event: Envelope[Any]) -> None:
        """quarantine.released: no longer shown from the day of release; the person is told."""
        p: QuarantineReleased = event.payload
        await store.put_quarantine(p.subject_id, p.quarantine_id,
                                   {"released_on": vn_day(p.at).isoformat()})
        if notices:
            await notices.released(event)

    async def on_notified(event: Envelope[Any]) -> None:
        """ward.notified: that ward may see who the person is."""
        p: WardNotified = event.payload
        await reveals.grant(p.subject_id, "ward", p.ward_code, event.occurred_at,
                            p.declaration_id, f"ward {p.ward_code}: {p.reason.value}")

    async def on_scanned(event: Envelope[Any]) -> None:
        """checkpoint.scanned: the officer may see the traveller for a few minutes."""
        p: CheckpointScanned = event.payload
        await reveals.grant(p.subject_id, "officer", p.officer_id, p.at, p.declaration_id,
                            f"scan at {p.checkpoint_id}")

    async def on_case(event: Envelope[Any]) -> None:
        """case.confirmed: the case and its proposed contacts, for the epidemiologists; each
        contact is told to watch their health (nothing about the case)."""
        p: CaseConfirmed = event.payload
        await reveals.grant(p.subject_id, "epidemiology", "", event.occurred_at, None, "case")
        for contact in p.contacts:
            await reveals.grant(contact, "epidemiology", "", event.occurred_at, None,
                                "contact of a case")
        if p.ward_code:
            await reveals.grant(p.subject_id, "ward", p.ward_code, event.occurred_at, None,
                                f"ward {p.ward_code}: case")
        if notices:
            await notices.contacts(event)

    async def on_followup(event: Envelope[Any]) -> None:
        """followup.recorded: the ward following the person up."""
        p: FollowupRecorded = event.payload
        if p.subject_id and p.ward_code:
            await reveals.grant(p.subject_id, "ward", p.ward_code, event.occurred_at, None,
                                f"ward {p.ward_code}: follow-up")

    async def on_trace_access(event: Envelope[Any]) -> None:
        """trace.accessed: an epidemiologist's query about a person, for that person to see."""
        p: TraceAccessed = event.payload
        if p.subject_id:
            await reveals.add_access(p.subject_id, event.event_id, {
                "kind": "trace", "role": p.role, "unit": p.unit, "purpose": p.purpose,
                "at": p.at})

    async def on_revealed(event: Envelope[Any]) -> None:
        """person.revealed (ours): shown to the person too."""
        p: PersonRevealed = event.payload
        await reveals.add_access(p.subject_id, event.event_id, {
            "kind": "reveal", "role": p.role, "unit": p.unit, "purpose": p.purpose, "at": p.at})

    # One subscriber for every topic: each subscriber is a group member, and each member
    # joining rebalances the others (five took ~14 s to start, one ~3 s).
    subscribe_all(broker, settings, {
        IdentityVerified: on_verified, IdentityRejected: on_rejected, ZoneLevelChanged: on_zone,
        QuarantineOrdered: on_quarantine, QuarantineReleased: on_release,
        WardNotified: on_notified, CheckpointScanned: on_scanned, CaseConfirmed: on_case,
        FollowupRecorded: on_followup, TraceAccessed: on_trace_access,
        PersonRevealed: on_revealed})


async def _verdict(store: DeclarationStore, event: Envelope[Any], status: Status,
                   reasons: list[str]) -> None:
    p = event.payload
    changed = await store.apply_verdict(p.declaration_id, p.subject_id, status, reasons,
                                        order_key(event.occurred_at, event.event_id))
    if not changed:
        # Replayed, redelivered or superseded; or not ours (then the ids say so in the log).
        log.info("identity verdict changed nothing", extra=log_fields(
            declaration_id=p.declaration_id, event_id=event.event_id, status=status.value))
