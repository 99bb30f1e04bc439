"""What the trace's use cases need from the outside, as protocols: `store/` implements
them on PyMongo (and the rebuild's log on Kafka), tests/support/fakes/trace.py in
memory, so that every use case has unit tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from datetime import date, datetime
from typing import Protocol

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import ArrivalRegistered, DeclarationSubmitted, PersonRevealed
from libs.contracts.events.notification import FollowupRecorded
from libs.contracts.events.trace import (
    CaseConfirmed,
    QuarantineOrdered,
    QuarantineReleased,
    TraceAccessed,
)
from services.movement_trace.domain.arrivals import ArrivalSeen
from services.movement_trace.domain.dashboard import Tally
from services.movement_trace.domain.journeys import Passenger
from services.movement_trace.domain.movements import Movement
from services.movement_trace.domain.records import (
    AuditQuery,
    AuditRecord,
    ConfirmedCase,
    DeclaredTrip,
    MarkedCountry,
    Pointer,
    QuarantineOrder,
    RebuildState,
    Release,
    SuspectReport,
)

Report = dict[str, int | float]


class MovementSource(Protocol):
    """The serving generation's buckets, as the contact search reads them: a person's
    weeks, a checkpoint's hours, a journey's passengers (UTC weeks by their Monday,
    hours as YYYY-MM-DDTHH: domain/movements.py); nothing older than the window."""

    async def subject_movements(self, subject_id: str, weeks: list[str]) -> list[Movement]: ...

    async def place_movements(self, checkpoint_id: str, hours: list[str]) -> list[Movement]: ...

    async def journey_passengers(self, journey: str) -> list[Passenger]: ...


class Movements(MovementSource, Protocol):
    """The projection: written by the consumer, read by the queries."""

    async def add_many(self, movements: list[Movement]) -> int:
        """Store those not stored yet (a replay changes nothing); how many were new."""
        ...

    async def timeline(self, subject_id: str, start: datetime, end: datetime) -> list[Movement]:
        """The person's movements in [start, end), in time order."""
        ...


class MovementTally(Protocol):
    """The serving generation's counted movements (domain/dashboard.COUNTED) per Viet Nam
    day, as counters the projection keeps while it writes (a few documents a day)."""

    async def day_tallies(self, days: list[date]) -> dict[date, Tally]:
        """The tallies of those of `days` with something counted (others are left out)."""
        ...


class CaseNotes(Protocol):
    """What the consumer notes for the casework: where people stay, suspected follow-ups."""

    async def note_declarations(self, events: list[tuple[Envelope[DeclarationSubmitted], str]]
                                ) -> None:
        """Each declaration's trip; the stay of its person unless a later one (by the
        event's order key) is known."""
        ...

    async def note_suspects(self, followups: list[tuple[Envelope[FollowupRecorded], Movement]],
                            fever_c: float) -> int: ...


class CaseBook(Protocol):
    """Cases, quarantine orders and their releases (each stored with its event), and what
    the consumer noted for them."""

    async def wards_of(self, subject_ids: Iterable[str]) -> dict[str, str]:
        """Each person's ward of stay, from their latest declaration, where known."""
        ...

    async def declarations(self, declaration_ids: list[str]) -> dict[str, DeclaredTrip]: ...

    async def suspects_on(self, days: list[str]) -> list[SuspectReport]: ...

    async def cases_of(self, subject_ids: list[str]) -> list[ConfirmedCase]: ...

    async def add_case(self, event: Envelope[CaseConfirmed], confirmed_at: datetime,
                       window: tuple[datetime, datetime]) -> bool:
        """False when the case was confirmed before (it stays as it was)."""
        ...

    async def case(self, case_id: str) -> ConfirmedCase | None: ...

    async def case_days(self) -> list[str]: ...

    async def cases_on(self, days: list[str]) -> list[ConfirmedCase]:
        """The cases confirmed on these Viet Nam days (YYYY-MM-DD)."""
        ...

    async def orders_on(self, days: list[str]) -> list[QuarantineOrder]:
        """The orders given on these Viet Nam days (YYYY-MM-DD)."""
        ...

    async def add_order(self, event: Envelope[QuarantineOrdered], ordered_at: datetime) -> bool:
        """False when the order was given before (it stays as it was)."""
        ...

    async def order(self, quarantine_id: str) -> QuarantineOrder | None: ...

    async def orders(self, quarantine_ids: list[str]) -> dict[str, QuarantineOrder]: ...

    async def orders_of(self, subject_id: str) -> list[QuarantineOrder]: ...

    async def all_orders(self) -> list[QuarantineOrder]: ...

    async def ending_by(self, day: date) -> list[QuarantineOrder]:
        """Orders whose release day is `day` or before."""
        ...

    async def add_release(self, event: Envelope[QuarantineReleased]) -> bool: ...

    async def released(self, quarantine_ids: list[str]) -> dict[str, Release]: ...


class ArrivalBook(Protocol):
    """Arrivals from abroad, and the countries marked for an arrival quarantine."""

    async def add(self, events: list[Envelope[ArrivalRegistered]]) -> int: ...

    async def since(self, first: date, last: date) -> list[ArrivalSeen]: ...

    async def mark(self, country: str, by: str, purpose: str, now: datetime) -> MarkedCountry: ...

    async def unmark(self, country: str) -> bool:
        """False when the country was not marked."""
        ...

    async def marked(self) -> list[MarkedCountry]:
        """By country code."""
        ...


class AccessLog(Protocol):
    """The audit: trace queries made here (each with its `trace.accessed`) and reveals
    made at the declaration service."""

    async def record_access(self, event: Envelope[TraceAccessed]) -> None: ...

    async def record_reveals(self, events: list[Envelope[PersonRevealed]]) -> None: ...

    async def audit_entries(self, query: AuditQuery, limit: int) -> list[AuditRecord]:
        """Newest first."""
        ...


class Outbox(Protocol):
    """The relay that publishes what a write put into its document's outbox."""

    def wake(self, *ids: str) -> None: ...


class GenerationWriter(Protocol):
    """One generation of the projection, as a rebuild fills it."""

    async def drop(self) -> None: ...

    async def create_indexes(self) -> None: ...

    async def write(self, movements: Iterable[Movement]) -> int: ...


class Generations(Protocol):
    """The pointer to the generation that serves, and the one being built."""

    async def current(self, fresh: bool = False) -> Pointer: ...

    async def start_building(self, generation: int) -> None: ...

    async def switch(self, generation: int) -> Pointer: ...

    async def abandon(self, generation: int) -> None: ...


class Projection(Protocol):
    """The projection's generations, for a rebuild."""

    @property
    def generations(self) -> Generations: ...

    def generation(self, number: int) -> GenerationWriter: ...


class RebuildLock(Protocol):
    """One rebuild at a time, across replicas, with its progress."""

    async def acquire(self, generation: int, by: str) -> None:
        """Raises `RebuildRunning` when another one holds it."""
        ...

    async def heartbeat(self, report: Report) -> None: ...

    async def finish(self, report: Report, error: str | None = None) -> None: ...

    async def status(self) -> RebuildState: ...


class EventLog(Protocol):
    """The consumed topics from their beginning, up to their ends when the replay starts."""

    def replay(self) -> AsyncIterator[list[bytes]]: ...
