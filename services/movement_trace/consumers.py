"""Event handlers of the movement-trace service."""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import DeclarationSubmitted
from libs.runtime.kafka import subscribe
from services.movement_trace.domain import from_declaration
from services.movement_trace.settings import Settings
from services.movement_trace.store import TraceStore


def register(broker: KafkaBroker, settings: Settings, store: TraceStore) -> None:
    async def on_declaration(event: Envelope[Any]) -> None:
        """A declaration becomes a 'declared' movement at the origin ward."""
        await store.add(from_declaration(event))

    subscribe(broker, settings, DeclarationSubmitted, on_declaration)
