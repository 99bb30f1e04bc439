"""Event handlers of the movement-trace service: every consumed event becomes a movement.

One subscriber reads all its topics in batches (`subscribe_batches`): one
subscriber joins the group once (six took ~18 s of rebalancing at start-up),
and a batch of movements is written with one bulk write per collection instead
of three round trips per event. Poison records still go to `<topic>.dlq`.
"""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker

from libs.contracts.envelope import Envelope, utcnow
from libs.contracts.events.declaration import ArrivalRegistered, DeclarationSubmitted, PersonRevealed
from libs.contracts.events.notification import FollowupRecorded
from libs.runtime.subscription import subscribe_batches
from services.movement_trace.domain.movements import is_expired
from services.movement_trace.domain.projection import PROJECTORS, project
from services.movement_trace.settings import Settings
from services.movement_trace.store.arrivals import ArrivalStore
from services.movement_trace.store.cases import CaseStore
from services.movement_trace.store.trace import TraceStore


def register(broker: KafkaBroker, settings: Settings, store: TraceStore, cases: CaseStore,
             arrivals: ArrivalStore) -> None:
    async def on_events(batch: list[Envelope[Any]]) -> None:
        """Stored once per source event; events older than the retention period are skipped.
        Reveals are not movements: they join the audit."""
        now = utcnow()
        reveals = [e for e in batch if isinstance(e.payload, PersonRevealed)]
        landed = [e for e in batch if isinstance(e.payload, ArrivalRegistered)]
        events = [e for e in batch if not isinstance(e.payload, PersonRevealed | ArrivalRegistered)]
        if reveals:
            await store.record_reveals(reveals)
        if landed:  # not movements either: what arrival quarantines are proposed from
            await arrivals.add(landed)
        movements = [(event, m) for event in events if (m := project(event)) is not None]
        await store.add_many([m for _, m in movements
                              if not is_expired(m.at, now, settings.retention.window)])
        for event, movement in movements:
            if isinstance(event.payload, DeclarationSubmitted):
                # Where the person stays, for quarantine orders (casework); not a movement.
                await cases.note_declaration(event, f"{movement.at.isoformat()}|{event.event_id}")
        # Symptoms or fever at a follow-up: the person is listed as suspected (casework).
        await cases.note_suspects([(e, m) for e, m in movements
                                   if isinstance(e.payload, FollowupRecorded)
                                   and not is_expired(m.at, now, settings.retention.window)],
                                  settings.fever_c)

    subscribe_batches(broker, settings, [*PROJECTORS, PersonRevealed, ArrivalRegistered],
                      on_events,
                      max_records=settings.batch_max_records,
                      timeout_ms=settings.batch_timeout_ms)
