"""Event handlers of the ward-notification service."""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker

from libs.contracts.envelope import Envelope
from libs.contracts.events.checkpoint import CheckpointPassed, CheckpointRefused
from libs.contracts.events.declaration import DeclarationSubmitted
from libs.contracts.events.identity import IdentityRejected
from libs.contracts.events.trace import CaseConfirmed, QuarantineOrdered, QuarantineReleased
from libs.runtime.kafka import subscribe
from libs.runtime.subscription import subscribe_all, subscribe_batches
from services.ward_notification.notifier import Notifier
from services.ward_notification.settings import Settings
from services.ward_notification.store_followups import FollowupStore


def register(broker: KafkaBroker, settings: Settings, notifier: Notifier,
             followups: FollowupStore) -> None:
    async def on_declarations(events: list[Envelope[Any]]) -> None:
        """Tell the destination ward of an arrival and the origin ward of a departure."""
        await notifier.declarations(events)

    async def on_passage(event: Envelope[Any]) -> None:
        """Tell the destination ward the person passed a checkpoint on the way."""
        await notifier.dependent(event)

    async def on_alert(event: Envelope[Any]) -> None:
        """Alert the ward of current stay: refused at a checkpoint, or identity rejected."""
        await notifier.dependent(event)

    subscribe_batches(broker, settings, [DeclarationSubmitted], on_declarations,
                      max_records=settings.batch_max_records,
                      timeout_ms=settings.batch_timeout_ms)
    subscribe(broker, settings, CheckpointPassed, on_passage)
    subscribe(broker, settings, CheckpointRefused, on_alert)
    subscribe(broker, settings, IdentityRejected, on_alert)
    register_followups(broker, settings, followups)


def register_followups(broker: KafkaBroker, settings: Settings, store: FollowupStore) -> None:
    """The quarantine side, on one consumer: each write is an insert keyed by the
    quarantine or case id, so a redelivery is a no-op and any order works."""

    async def on_order(event: Envelope[Any]) -> None:
        """quarantine.ordered: the person is followed up daily by their ward of stay."""
        await store.put_order(event)

    async def on_release(event: Envelope[Any]) -> None:
        """quarantine.released: the follow-up ends."""
        await store.put_release(event)

    async def on_case(event: Envelope[Any]) -> None:
        """case.confirmed: counted as a new F0 of the ward."""
        await store.put_case(event)

    subscribe_all(broker, settings, {QuarantineOrdered: on_order,
                                     QuarantineReleased: on_release, CaseConfirmed: on_case})
