"""Event handlers of the declaration service: identity verdicts, zone levels, quarantines.

Both are idempotent and order-aware: a verdict or level is applied only when
it is later (occurred / effective time, then event id) than the one stored,
so a redelivery, a replay of the topic or a late duplicate changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from faststream.kafka import KafkaBroker

from libs.contracts.envelope import Envelope
from libs.contracts.events.identity import IdentityRejected, IdentityVerified
from libs.contracts.events.notification import ZoneLevelChanged
from libs.contracts.events.trace import QuarantineOrdered, QuarantineReleased
from libs.contracts.vietnam_time import vn_day
from libs.runtime.logs import log_fields
from libs.runtime.subscription import subscribe_all
from services.declaration.domain import Status, order_key
from services.declaration.settings import Settings
from services.declaration.store import DeclarationStore

log = logging.getLogger(__name__)


def register(broker: KafkaBroker, settings: Settings, store: DeclarationStore) -> None:
    async def on_verified(event: Envelope[Any]) -> None:
        """identity.verified: the declaration becomes `verified`."""
        await _verdict(store, event, Status.verified, [])

    async def on_rejected(event: Envelope[Any]) -> None:
        """identity.rejected: the declaration becomes `rejected`, with the reasons."""
        await _verdict(store, event, Status.rejected,
                       [reason.value for reason in event.payload.reasons])

    async def on_zone(event: Envelope[Any]) -> None:
        """zone.level_changed: kept per ward, shown at origin and destination."""
        p: ZoneLevelChanged = event.payload
        await store.set_zone(p.ward_code, int(p.level), p.effective_at,
                             order_key(p.effective_at, event.event_id))

    async def on_quarantine(event: Envelope[Any]) -> None:
        """quarantine.ordered: shown on the person's declarations while it lasts."""
        p: QuarantineOrdered = event.payload
        await store.put_quarantine(p.subject_id, p.quarantine_id, {
            "start": p.start.isoformat(), "end": p.end.isoformat(), "place": p.place.value,
            "reason": p.reason.value})

    async def on_release(event: Envelope[Any]) -> None:
        """quarantine.released: no longer shown from the day of release."""
        p: QuarantineReleased = event.payload
        await store.put_quarantine(p.subject_id, p.quarantine_id,
                                   {"released_on": vn_day(p.at).isoformat()})

    # One subscriber for the five topics: each subscriber is a group member, and each
    # member joining rebalances the others (five took ~14 s to start, one ~3 s).
    subscribe_all(broker, settings, {
        IdentityVerified: on_verified, IdentityRejected: on_rejected, ZoneLevelChanged: on_zone,
        QuarantineOrdered: on_quarantine, QuarantineReleased: on_release})


async def _verdict(store: DeclarationStore, event: Envelope[Any], status: Status,
                   reasons: list[str]) -> None:
    p = event.payload
    changed = await store.apply_verdict(p.declaration_id, p.subject_id, status, reasons,
                                        order_key(event.occurred_at, event.event_id))
    if not changed:
        # Replayed, redelivered or superseded; or not ours (then the ids say so in the log).
        log.info("identity verdict changed nothing", extra=log_fields(
            declaration_id=p.declaration_id, event_id=event.event_id, status=status.value))
