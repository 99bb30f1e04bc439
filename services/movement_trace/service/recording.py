"""What the trace does with a batch of consumed events: every event that names a person
becomes a movement (stored once per source event); reveals join the audit; arrivals are
kept for arrival quarantines; declarations and suspected follow-ups are noted for the
casework. Events older than the retention period are skipped."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from libs.contracts.envelope import Envelope, utcnow
from libs.contracts.events.declaration import ArrivalRegistered, DeclarationSubmitted, PersonRevealed
from libs.contracts.events.notification import FollowupRecorded
from services.movement_trace.domain.movements import is_expired
from services.movement_trace.domain.projection import project
from services.movement_trace.service.ports import AccessLog, ArrivalBook, CaseNotes, Movements
from services.movement_trace.settings import Settings


class Recorder:
    def __init__(self, movements: Movements, cases: CaseNotes, arrivals: ArrivalBook,
                 audit: AccessLog, settings: Settings) -> None:
        self.movements, self.cases, self.arrivals, self.audit = movements, cases, arrivals, audit
        self.settings = settings

    async def record(self, batch: Sequence[Envelope[Any]], now: datetime | None = None) -> None:
        now = now or utcnow()
        window = self.settings.retention.window
        reveals: list[Envelope[PersonRevealed]] = []
        landed: list[Envelope[ArrivalRegistered]] = []
        events: list[Envelope[Any]] = []
        for e in batch:
            if isinstance(e.payload, PersonRevealed):
                reveals.append(e)
            elif isinstance(e.payload, ArrivalRegistered):
                landed.append(e)
            else:
                events.append(e)
        if reveals:  # not movements: they join the audit
            await self.audit.record_reveals(reveals)
        if landed:  # not movements either: what arrival quarantines are proposed from
            await self.arrivals.add(landed)
        movements = [(event, m) for event in events if (m := project(event)) is not None]
        await self.movements.add_many([m for _, m in movements
                                       if not is_expired(m.at, now, window)])
        # Where people stay, for quarantine orders (casework); not movements.
        declared = [(event, f"{movement.at.isoformat()}|{event.event_id}")
                    for event, movement in movements
                    if isinstance(event.payload, DeclarationSubmitted)]
        if declared:
            await self.cases.note_declarations(declared)
        # Symptoms or fever at a follow-up: the person is listed as suspected (casework).
        await self.cases.note_suspects([(e, m) for e, m in movements
                                        if isinstance(e.payload, FollowupRecorded)
                                        and not is_expired(m.at, now, window)],
                                       self.settings.fever_c)
