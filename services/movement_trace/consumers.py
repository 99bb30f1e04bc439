"""Event handlers of the movement-trace service: every consumed event becomes a movement.

One subscriber reads all its topics in batches (`subscribe_batches`): one
subscriber joins the group once (six took ~18 s of rebalancing at start-up),
and a batch of movements is written with one bulk write per collection instead
of three round trips per event. Poison records still go to `<topic>.dlq`.
"""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import ArrivalRegistered, PersonRevealed
from libs.runtime.subscription import subscribe_batches
from services.movement_trace.domain.projection import PROJECTORS
from services.movement_trace.service.recording import Recorder
from services.movement_trace.settings import Settings


def register(broker: KafkaBroker, settings: Settings, recorder: Recorder) -> None:
    async def on_events(batch: list[Envelope[Any]]) -> None:
        """A batch mixes every consumed topic (one subscriber); the recorder sorts it."""
        await recorder.record(batch)

    subscribe_batches(broker, settings, [*PROJECTORS, PersonRevealed, ArrivalRegistered],
                      on_events,
                      max_records=settings.batch_max_records,
                      timeout_ms=settings.batch_timeout_ms)
