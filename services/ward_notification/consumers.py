"""Event handlers of the ward-notification service."""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker

from libs.contracts.envelope import Envelope
from libs.contracts.events.checkpoint import CheckpointPassed, CheckpointRefused
from libs.contracts.events.declaration import DeclarationSubmitted
from libs.contracts.events.identity import IdentityRejected
from libs.runtime.kafka import subscribe
from services.ward_notification.notifier import Notifier
from services.ward_notification.settings import Settings


def register(broker: KafkaBroker, settings: Settings, notifier: Notifier) -> None:
    async def on_declaration(event: Envelope[Any]) -> None:
        """Tell the destination ward of an arrival and the origin ward of a departure."""
        await notifier.declaration(event)

    async def on_passage(event: Envelope[Any]) -> None:
        """Tell the destination ward the person passed a checkpoint on the way."""
        await notifier.dependent(event)

    async def on_alert(event: Envelope[Any]) -> None:
        """Alert the ward of current stay: refused at a checkpoint, or identity rejected."""
        await notifier.dependent(event)

    subscribe(broker, settings, DeclarationSubmitted, on_declaration)
    subscribe(broker, settings, CheckpointPassed, on_passage)
    subscribe(broker, settings, CheckpointRefused, on_alert)
    subscribe(broker, settings, IdentityRejected, on_alert)
