"""Event handlers of the ward-notification service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from faststream.kafka import KafkaBroker

from libs.contracts.envelope import Envelope
from libs.contracts.events.checkpoint import CheckpointPassed, CheckpointRefused
from libs.contracts.events.declaration import DeclarationSubmitted
from libs.contracts.events.identity import IdentityRejected
from libs.contracts.events.trace import CaseConfirmed, QuarantineOrdered, QuarantineReleased
from libs.runtime.subscription import subscribe_batches
from services.ward_notification.notifier import Notifier
from services.ward_notification.settings import Settings
from services.ward_notification.store_followups import FollowupStore


def register(broker: KafkaBroker, settings: Settings, notifier: Notifier,
             followups: FollowupStore) -> None:
    """One batch subscriber for all seven topics: each subscriber is a group member, and
    each member joining rebalances the others (six took ~14 s to start, one ~3 s)."""
    one_by_one: dict[str, Callable[[Envelope[Any]], Awaitable[Any]]] = {
        CheckpointPassed.TYPE: notifier.dependent,  # the destination ward: passed on the way
        CheckpointRefused.TYPE: notifier.dependent,  # an alert to the ward of current stay
        IdentityRejected.TYPE: notifier.dependent,  # an alert to the ward of current stay
        QuarantineOrdered.TYPE: followups.put_order,  # followed up daily by the ward of stay
        QuarantineReleased.TYPE: followups.put_release,  # the follow-up ends
        CaseConfirmed.TYPE: followups.put_case,  # counted as a new F0 of the ward
    }

    async def on_events(events: list[Envelope[Any]]) -> None:
        """Declarations notify their destination (arriving) and origin (departing) wards,
        a batch at a time; passages, refusals and rejections notify the ward concerned
        (parked until their declaration is seen); quarantine orders, releases and cases
        feed the wards' follow-up lists. Declarations go first, so that a passage in the
        same batch finds its declaration."""
        declarations = [e for e in events if e.type == DeclarationSubmitted.TYPE]
        if declarations:
            await notifier.declarations(declarations)
        for event in events:
            if event.type in one_by_one:
                await one_by_one[event.type](event)

    subscribe_batches(broker, settings, [DeclarationSubmitted, *EVENT_TYPES], on_events,
                      max_records=settings.batch_max_records,
                      timeout_ms=settings.batch_timeout_ms)


EVENT_TYPES = (CheckpointPassed, CheckpointRefused, IdentityRejected, QuarantineOrdered,
               QuarantineReleased, CaseConfirmed)
