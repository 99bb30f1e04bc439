"""Retention (docs/retention.md): what the declaration service keeps, and for how long.

- declarations (with their verdicts) and vehicles: the window after their validity
  ended; a person's declarations are held while a quarantine of theirs lasts, or an
  epidemiologist works a case they are part of (a grant of the last window);
- reveal grants: the window after the event that gave them;
- reveals (the audit) and who-looked-at-whom: the audit window, once published;
- messages to citizens (their record: kind, pseudonym, masked address): the window after
  they were queued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from libs.runtime.retention import Retention
from services.declaration.domain.records import GrantKey, GrantKind
from services.declaration.service.ports import (
    Declarations,
    Expiring,
    Quarantines,
    Reveals,
    Vehicles,
)


@dataclass
class Purge:
    declarations: Declarations
    vehicles: Vehicles
    quarantines: Quarantines
    reveals: Reveals
    notices: Expiring
    retention: Retention

    async def once(self, now: datetime) -> dict[str, int]:
        """Everything past its window as of `now`; how many records of each kind went."""
        cutoff, audit_cutoff = now - self.retention.window, now - self.retention.audit

        async def held(subject_id: str) -> bool:
            if await self.quarantines.held(subject_id, cutoff):
                return True
            cases = await self.reveals.grants_of([GrantKey(subject_id, GrantKind.epidemiology)])
            return any(case.last_at >= cutoff for case in cases)

        # Declarations first: what holds them (quarantines, grants) goes after.
        declarations = await self.declarations.purge(cutoff, held)
        return {
            "declarations": declarations,
            "vehicles": await self.vehicles.purge(cutoff),
            "quarantines": await self.quarantines.purge(cutoff),
            **await self.reveals.purge(cutoff, audit_cutoff),
            "notices": await self.notices.purge(cutoff),
        }
