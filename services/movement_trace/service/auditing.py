"""Every trace query is audited before it is answered: the entry and its `trace.accessed`
event, written together, then published."""

from __future__ import annotations

from dataclasses import dataclass

from libs.contracts.envelope import Envelope, utcnow
from libs.contracts.events.trace import TraceAccessed
from libs.runtime.auth import Principal
from libs.runtime.logs import correlation_id
from services.movement_trace.domain.records import AuditQuery, AuditRecord
from services.movement_trace.service.ports import AccessLog, Outbox

PRODUCER = "movement-trace"


@dataclass
class Auditor:
    store: AccessLog
    relay: Outbox

    async def record(self, who: Principal, purpose: str, query: str,
                     subject_id: str | None = None) -> None:
        """Written before the answer is read: no answer leaves without its audit entry.
        `subject_id`: the one person asked about, who will see this access."""
        event = Envelope.wrap(
            TraceAccessed(who=who.subject, role=who.role.value, purpose=purpose, query=query,
                          at=utcnow(), subject_id=subject_id, unit=who.unit or None),
            producer=PRODUCER, correlation_id=correlation_id.get())
        await self.store.record_access(event)
        self.relay.wake(event.event_id)

    async def entries(self, query: AuditQuery, limit: int) -> tuple[list[AuditRecord], bool]:
        """The entries asked for, newest first, and whether more match than `limit`."""
        found = await self.store.audit_entries(query, limit + 1)
        return found[:limit], len(found) > limit
