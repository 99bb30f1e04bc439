"""Re-identification: a staff member sees who a pseudonym is, when they have grounds to
(domain/reveals.py says who has). Everyone else, and a ward outside the caller's scope,
is refused. Each reveal states a purpose, is stored and published (`person.revealed`,
with no personal data), and shows on the person's own declaration card (`accesses`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from libs.contracts.envelope import Envelope, new_event_id
from libs.contracts.events.declaration import PersonRevealed
from libs.runtime.auth import Principal
from libs.runtime.logs import correlation_id
from services.declaration.domain.declarations import PRODUCER
from services.declaration.domain.errors import NoDeclarationOfPerson, RevealForbidden
from services.declaration.domain.records import Declaration
from services.declaration.domain.reveals import (
    PersonDetails,
    Windows,
    candidate_grants,
    grounds,
    latest_declaration,
    person_details,
    usable,
)
from services.declaration.service.ports import DeclarationReader, Outbox, Reveals


@dataclass(frozen=True)
class Revealed:
    reveal_id: str
    subject_id: str
    declaration_id: str
    grounds: str
    person: PersonDetails


@dataclass
class Revealing:
    declarations: DeclarationReader
    reveals: Reveals
    relay: Outbox
    windows: Windows

    async def reveal(self, who: Principal, subject_id: str, declaration_id: str | None,
                     purpose: str, now: datetime) -> Revealed:
        """Who the person is, for a caller with grounds (RevealForbidden otherwise), from the
        declaration named, or the one the grants name, or the person's latest."""
        grants = [g for g in await self.reveals.grants_of(candidate_grants(who, subject_id))
                  if usable(g, self.windows, now)]
        if not grants:
            raise RevealForbidden(subject_id)
        declaration = await self._declaration(subject_id,
                                              declaration_id or latest_declaration(grants))
        event = Envelope.wrap(PersonRevealed(
            reveal_id=new_event_id(), subject_id=subject_id,
            declaration_id=declaration.declaration_id, who=who.subject, role=who.role.value,
            unit=who.unit or None, purpose=purpose, grounds=grounds(grants), at=now),
            producer=PRODUCER, correlation_id=correlation_id.get())
        # Stored (with its event) before anything is shown: no reveal leaves unaudited.
        await self.reveals.record(event)
        self.relay.wake(event.payload.reveal_id)
        return Revealed(event.payload.reveal_id, subject_id, declaration.declaration_id,
                        event.payload.grounds, person_details(declaration.declared))

    async def _declaration(self, subject_id: str, declaration_id: str | None) -> Declaration:
        found = await (self.declarations.get(declaration_id) if declaration_id
                       else self.declarations.latest_of(subject_id))
        if found is None or found.subject_id != subject_id:
            raise NoDeclarationOfPerson(subject_id)
        return found
