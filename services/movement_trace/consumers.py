"""Event handlers of the movement-trace service: every consumed event becomes a movement.

One subscriber reads all six topics in batches (`subscribe_batches`): one
subscriber joins the group once (six took ~18 s of rebalancing at start-up),
and a batch of movements is written with one bulk write per collection instead
of three round trips per event. Poison records still go to `<topic>.dlq`.
"""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker

from libs.contracts.envelope import Envelope, utcnow
from libs.contracts.events.declaration import DeclarationSubmitted, PersonRevealed
from libs.runtime.subscription import subscribe_batches
from services.movement_trace.domain import is_expired
from services.movement_trace.projection import PROJECTORS, project
from services.movement_trace.settings import Settings
from services.movement_trace.store import TraceStore
from services.movement_trace.store_cases import CaseStore


def register(broker: KafkaBroker, settings: Settings, store: TraceStore, cases: CaseStore) -> None:
    async def on_events(batch: list[Envelope[Any]]) -> None:
        """Stored once per source event; events older than the retention period are skipped.
        Reveals are not movements: they join the audit."""
        now = utcnow()
        reveals = [e for e in batch if isinstance(e.payload, PersonRevealed)]
        events = [e for e in batch if not isinstance(e.payload, PersonRevealed)]
        if reveals:
            await store.record_reveals(reveals)
        movements = [(event, project(event)) for event in events]
        await store.add_many([m for _, m in movements
                              if not is_expired(m.at, now, settings.retention.window)])
        for event, movement in movements:
            if isinstance(event.payload, DeclarationSubmitted):
                # Where the person stays, for quarantine orders (casework); not a movement.
                await cases.note_declaration(event, f"{movement.at.isoformat()}|{event.event_id}")

    subscribe_batches(broker, settings, [*PROJECTORS, PersonRevealed], on_events,
                      max_records=settings.batch_max_records,
                      timeout_ms=settings.batch_timeout_ms)
