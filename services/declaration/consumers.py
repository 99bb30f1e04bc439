"""Event handlers of the declaration service: identity verdicts, zone levels, quarantines,
and what re-identification needs (grants, and who looked at whom); each also tells the
person what concerns them when this deployment sends messages to citizens.

Each handler decodes and calls its use case (service/projections.py, notices/).
"""

from __future__ import annotations

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
from libs.runtime.subscription import subscribe_all
from services.declaration.notices.service.triggers import Notices
from services.declaration.service.projections import Projections
from services.declaration.settings import Settings


def register(broker: KafkaBroker, settings: Settings, projections: Projections,
             notices: Notices | None = None) -> None:
    """`notices`: messages to citizens, when this deployment sends them."""

    async def on_verified(event: Envelope[IdentityVerified]) -> None:
        """identity.verified: the declaration becomes `verified`."""
        await projections.verdict(event)

    async def on_rejected(event: Envelope[IdentityRejected]) -> None:
        """identity.rejected: the declaration becomes `rejected`, with the reasons; the person
        is told what to fix."""
        await projections.verdict(event)
        if notices:
            await notices.rejected(event)

    async def on_zone(event: Envelope[ZoneLevelChanged]) -> None:
        """zone.level_changed: kept per ward, shown at origin and destination."""
        await projections.zone_changed(event)

    async def on_quarantine(event: Envelope[QuarantineOrdered]) -> None:
        """quarantine.ordered: shown on the person's declarations while it lasts; the
        epidemiologists and the ward of stay may see who the person is; the person is told."""
        await projections.quarantine_ordered(event)
        if notices:
            await notices.ordered(event)

    async def on_release(event: Envelope[QuarantineReleased]) -> None:
        """quarantine.released: no longer shown from the day of release; the person is told."""
        await projections.quarantine_released(event)
        if notices:
            await notices.released(event)

    async def on_notified(event: Envelope[WardNotified]) -> None:
        """ward.notified: that ward may see who the person is."""
        await projections.ward_notified(event)

    async def on_scanned(event: Envelope[CheckpointScanned]) -> None:
        """checkpoint.scanned: the officer may see the traveller for a few minutes."""
        await projections.scanned(event)

    async def on_case(event: Envelope[CaseConfirmed]) -> None:
        """case.confirmed: the case and its proposed contacts, for the epidemiologists; each
        contact is told to watch their health (nothing about the case)."""
        await projections.case_confirmed(event)
        if notices:
            await notices.contacts(event)

    async def on_followup(event: Envelope[FollowupRecorded]) -> None:
        """followup.recorded: the ward following the person up."""
        await projections.followup_recorded(event)

    async def on_trace_access(event: Envelope[TraceAccessed]) -> None:
        """trace.accessed: an epidemiologist's query about a person, for that person to see."""
        await projections.trace_accessed(event)

    async def on_revealed(event: Envelope[PersonRevealed]) -> None:
        """person.revealed (ours): shown to the person too."""
        await projections.revealed(event)

    # One subscriber for every topic: each subscriber is a group member, and each member
    # joining rebalances the others (five took ~14 s to start, one ~3 s).
    subscribe_all(broker, settings, {
        IdentityVerified: on_verified, IdentityRejected: on_rejected, ZoneLevelChanged: on_zone,
        QuarantineOrdered: on_quarantine, QuarantineReleased: on_release,
        WardNotified: on_notified, CheckpointScanned: on_scanned, CaseConfirmed: on_case,
        FollowupRecorded: on_followup, TraceAccessed: on_trace_access,
        PersonRevealed: on_revealed})
