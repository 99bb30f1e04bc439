"""Event handlers of the ward-notification service: decode, call a use case."""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker

from libs.contracts.envelope import Envelope
from libs.contracts.events.checkpoint import CheckpointPassed, CheckpointRefused
from libs.contracts.events.declaration import DeclarationSubmitted
from libs.contracts.events.identity import IdentityRejected
from libs.contracts.events.trace import CaseConfirmed, QuarantineOrdered, QuarantineReleased
from libs.runtime.subscription import subscribe_batches
from services.ward_notification.service.followups import FollowupDesk
from services.ward_notification.service.notifier import Notifier
from services.ward_notification.settings import Settings

EVENT_TYPES = (CheckpointPassed, CheckpointRefused, IdentityRejected, QuarantineOrdered,
               QuarantineReleased, CaseConfirmed)


def register(broker: KafkaBroker, settings: Settings, notifier: Notifier,
             followups: FollowupDesk) -> None:
    """One batch subscriber for all seven topics: each subscriber is a group member, and
    each member joining rebalances the others (six took ~14 s to start, one ~3 s)."""

    async def on_events(events: list[Envelope[Any]]) -> None:
        """Declarations notify their destination (arriving) and origin (departing) wards,
        a batch at a time; passages, refusals and rejections notify the ward concerned
        (parked until their declaration is seen); quarantine orders, releases and cases
        feed the wards' follow-up lists. Declarations go first, so that a passage in the
        same batch finds its declaration."""
        declarations = [e for e in events if isinstance(e.payload, DeclarationSubmitted)]
        if declarations:
            await notifier.declarations(declarations)
        for event in events:
            await on_event(event)

    async def on_event(event: Envelope[Any]) -> None:
        payload = event.payload
        if isinstance(payload, (CheckpointPassed, CheckpointRefused, IdentityRejected)):
            # passed: the destination ward; refused, rejected: an alert to the ward of stay
            await notifier.dependent(event)
        elif isinstance(payload, QuarantineOrdered):
            await followups.quarantine_ordered(event)
        elif isinstance(payload, QuarantineReleased):
            await followups.quarantine_released(event)
        elif isinstance(payload, CaseConfirmed):
            await followups.case_confirmed(event)

    subscribe_batches(broker, settings, [DeclarationSubmitted, *EVENT_TYPES], on_events,
                      max_records=settings.batch_max_records,
                      timeout_ms=settings.batch_timeout_ms)
