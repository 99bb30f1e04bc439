"""What the events this service consumes change: identity verdicts, zone levels,
quarantines, and what re-identification needs (grants, and who looked at whom).

Verdicts and levels are idempotent and order-aware: applied only when later
(occurred / effective time, then event id) than the one stored, so a redelivery,
a replay of the topic or a late duplicate changes nothing. Grants only move
forward in time; accesses are keyed by event id.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

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
from libs.contracts.ordering import order_key
from libs.contracts.vietnam_time import vn_day
from libs.runtime.logs import log_fields
from services.declaration.domain.declarations import Status
from services.declaration.domain.records import Access, Grant, GrantKey, GrantKind
from services.declaration.service.ports import Declarations, Quarantines, Reveals, ZoneLevels

log = logging.getLogger(__name__)


@dataclass
class Projections:
    declarations: Declarations
    zones: ZoneLevels
    quarantines: Quarantines
    reveals: Reveals

    async def verdict(self, event: Envelope[IdentityVerified] | Envelope[IdentityRejected]
                      ) -> bool:
        """The declaration becomes `verified`, or `rejected` with the reasons; True when this
        verdict is now the declaration's."""
        p = event.payload
        status, reasons = (Status.rejected, [r.value for r in p.reasons]) \
            if isinstance(p, IdentityRejected) else (Status.verified, [])
        changed = await self.declarations.apply_verdict(
            p.declaration_id, p.subject_id, status, reasons,
            order_key(event.occurred_at, event.event_id))
        if not changed:
            # Replayed, redelivered or superseded; or not ours (then the ids say so in the log).
            log.info("identity verdict changed nothing", extra=log_fields(
                declaration_id=p.declaration_id, event_id=event.event_id, status=status.value))
        return changed

    async def zone_changed(self, event: Envelope[ZoneLevelChanged]) -> None:
        p = event.payload
        await self.zones.set_zone(p.ward_code, int(p.level), p.effective_at,
                                  order_key(p.effective_at, event.event_id))

    async def quarantine_ordered(self, event: Envelope[QuarantineOrdered]) -> None:
        """Shown on the person's declarations while it lasts; the epidemiologists and the
        ward of stay may see who the person is."""
        p = event.payload
        await self.quarantines.order(p.subject_id, p.quarantine_id, p.start, p.end,
                                     p.place.value, p.reason.value)
        await self._grant(p.subject_id, GrantKind.epidemiology, "", event.occurred_at, "quarantine")
        if p.ward_code:
            await self._grant(p.subject_id, GrantKind.ward, p.ward_code, event.occurred_at,
                              f"ward {p.ward_code}: quarantine")

    async def quarantine_released(self, event: Envelope[QuarantineReleased]) -> None:
        p = event.payload
        await self.quarantines.release(p.subject_id, p.quarantine_id, vn_day(p.at))

    async def ward_notified(self, event: Envelope[WardNotified]) -> None:
        p = event.payload
        await self._grant(p.subject_id, GrantKind.ward, p.ward_code, event.occurred_at,
                          f"ward {p.ward_code}: {p.reason.value}", p.declaration_id)

    async def scanned(self, event: Envelope[CheckpointScanned]) -> None:
        """The officer may see the traveller for a few minutes after the scan."""
        p = event.payload
        await self._grant(p.subject_id, GrantKind.officer, p.officer_id, p.at,
                          f"scan at {p.checkpoint_id}", p.declaration_id)

    async def case_confirmed(self, event: Envelope[CaseConfirmed]) -> None:
        """The case and its proposed contacts, for the epidemiologists; the case's ward."""
        p = event.payload
        await self._grant(p.subject_id, GrantKind.epidemiology, "", event.occurred_at, "case")
        for contact in p.contacts:
            await self._grant(contact, GrantKind.epidemiology, "", event.occurred_at, "contact of a case")
        if p.ward_code:
            await self._grant(p.subject_id, GrantKind.ward, p.ward_code, event.occurred_at,
                              f"ward {p.ward_code}: case")

    async def followup_recorded(self, event: Envelope[FollowupRecorded]) -> None:
        p = event.payload
        if p.subject_id and p.ward_code:
            await self._grant(p.subject_id, GrantKind.ward, p.ward_code, event.occurred_at,
                              f"ward {p.ward_code}: follow-up")

    async def trace_accessed(self, event: Envelope[TraceAccessed]) -> None:
        p = event.payload
        if p.subject_id:
            await self.reveals.add_access(p.subject_id, event.event_id, Access(
                kind="trace", role=p.role, unit=p.unit, purpose=p.purpose, at=p.at))

    async def revealed(self, event: Envelope[PersonRevealed]) -> None:
        p = event.payload
        await self.reveals.add_access(p.subject_id, event.event_id, Access(
            kind="reveal", role=p.role, unit=p.unit, purpose=p.purpose, at=p.at))

    async def _grant(self, subject_id: str, kind: GrantKind, holder: str, at: datetime,
                     grounds: str, declaration_id: str | None = None) -> None:
        await self.reveals.grant(Grant(key=GrantKey(subject_id, kind, holder), last_at=at,
                                       grounds=grounds, declaration_id=declaration_id))
