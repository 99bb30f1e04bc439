"""In-memory stand-ins for the ports of `services.movement_trace.service.ports`.

Each keeps what the real store keeps, in plain Python, and answers the same way (a
replayed movement, case, order or release is not stored twice; reads hide what the
retention window has passed; a person's ward of stay is their latest declaration's),
so a use case runs against it as against FerretDB; what they cannot show (buckets,
indexes, generations on disk) the integration tier proves on the real stores.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from libs.contracts.envelope import Envelope, utcnow
from libs.contracts.events.declaration import ArrivalRegistered, DeclarationSubmitted, PersonRevealed
from libs.contracts.events.notification import FollowupRecorded
from libs.contracts.events.trace import (
    CaseConfirmed,
    QuarantineOrdered,
    QuarantineReleased,
    TraceAccessed,
)
from libs.contracts.vietnam_time import VN_TZ
from libs.runtime.retention import day_of
from services.movement_trace.domain.arrivals import ArrivalSeen
from services.movement_trace.domain.dashboard import Tally, tally
from services.movement_trace.domain.errors import RebuildRunning
from services.movement_trace.domain.followups import has_fever, is_suspected
from services.movement_trace.domain.journeys import Passenger
from services.movement_trace.domain.movements import Movement, hour_key, week_key
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


class FakeMovements:
    """`Movements`: the serving generation, one movement per source event."""

    def __init__(self, window: timedelta = timedelta(days=28)) -> None:
        self.window = window
        self.stored: dict[str, Movement] = {}

    def _since(self) -> datetime:
        return utcnow() - self.window

    def _kept(self) -> list[Movement]:
        since = self._since()
        return [m for m in self.stored.values() if m.at >= since]

    async def add_many(self, movements: list[Movement]) -> int:
        new = [m for m in movements if m.source_event_id not in self.stored]
        self.stored.update((m.source_event_id, m) for m in new)
        return len(new)

    async def timeline(self, subject_id: str, start: datetime, end: datetime) -> list[Movement]:
        return sorted((m for m in self._kept()
                       if m.subject_id == subject_id and start <= m.at < end),
                      key=lambda m: (m.at, m.source_event_id))

    async def subject_movements(self, subject_id: str, weeks: list[str]) -> list[Movement]:
        wanted = set(weeks)
        return [m for m in self._kept() if m.subject_id == subject_id and week_key(m.at) in wanted]

    async def place_movements(self, checkpoint_id: str, hours: list[str]) -> list[Movement]:
        wanted = set(hours)
        return [m for m in self._kept() if m.is_presence and m.checkpoint_id == checkpoint_id
                and hour_key(m.at) in wanted]

    async def day_tallies(self, days: list[date]) -> dict[date, Tally]:
        """Counted from the movements kept (the real store keeps counters as it writes;
        the integration tier holds them to a recount like this one)."""
        wanted = set(days)
        return {d: t for d, t in tally(self._kept()).items() if d in wanted}

    async def journey_passengers(self, journey: str) -> list[Passenger]:
        return [Passenger(id=m.source_event_id, subject_id=m.subject_id, at=m.at, seat=m.seat,
                          declaration_id=m.declaration_id)
                for m in self._kept() if m.journey == journey]


class FakeCaseBook:
    """`CaseBook` and `CaseNotes`: cases, orders and releases (each with the event its
    relay publishes, in `published`), stays, declarations and suspected follow-ups."""

    def __init__(self) -> None:
        self.cases: dict[str, ConfirmedCase] = {}
        self.orders_by_id: dict[str, QuarantineOrder] = {}
        self.releases: dict[str, Release] = {}
        self.stays: dict[str, tuple[str, str]] = {}  # subject -> (key, ward)
        self.declared: dict[str, DeclaredTrip] = {}
        self.suspects: dict[str, SuspectReport] = {}
        self.published: list[Envelope[Any]] = []

    # --- CaseNotes ---

    async def note_declarations(self, events: list[tuple[Envelope[DeclarationSubmitted], str]]
                                ) -> None:
        for event, key in events:
            p = event.payload
            ward = p.trip.destination_ward
            self.declared.setdefault(p.declaration_id, DeclaredTrip(
                declaration_id=p.declaration_id, subject_id=p.subject_id, ward_code=ward,
                channel=p.channel.value))
            if p.subject_id not in self.stays or self.stays[p.subject_id][0] < key:
                self.stays[p.subject_id] = (key, ward)

    async def note_suspects(self, followups: list[tuple[Envelope[FollowupRecorded], Movement]],
                            fever_c: float) -> int:
        new = 0
        for e, m in followups:
            symptoms = m.symptoms or []
            if e.event_id in self.suspects or not is_suspected(symptoms, m.temperature_c, fever_c):
                continue
            self.suspects[e.event_id] = SuspectReport(
                id=e.event_id, subject_id=m.subject_id, at=m.at, day=day_of(m.at),
                quarantine_id=e.payload.quarantine_id, ward_code=e.payload.ward_code,
                on=e.payload.on, followup_day=e.payload.day, reached=e.payload.reached,
                symptoms=symptoms, temperature_c=m.temperature_c,
                fever=has_fever(m.temperature_c, symptoms, fever_c))
            new += 1
        return new

    # --- CaseBook ---

    async def wards_of(self, subject_ids: Iterable[str]) -> dict[str, str]:
        return {s: self.stays[s][1] for s in subject_ids if s in self.stays}

    async def declarations(self, declaration_ids: list[str]) -> dict[str, DeclaredTrip]:
        return {d: self.declared[d] for d in declaration_ids if d in self.declared}

    async def suspects_on(self, days: list[str]) -> list[SuspectReport]:
        wanted = set(days)
        return [r for r in self.suspects.values() if r.day in wanted]

    async def cases_of(self, subject_ids: list[str]) -> list[ConfirmedCase]:
        wanted = set(subject_ids)
        return [c for c in self.cases.values() if c.subject_id in wanted]

    async def add_case(self, event: Envelope[CaseConfirmed], confirmed_at: datetime,
                       window: tuple[datetime, datetime]) -> bool:
        p = event.payload
        if p.case_id is None or p.case_id in self.cases:
            return False
        self.cases[p.case_id] = ConfirmedCase(
            case_id=p.case_id, subject_id=p.subject_id, positive_test_date=p.positive_test_date,
            confirmed_by=p.confirmed_by, confirmed_at=confirmed_at,
            confirmed_day=day_of(confirmed_at), window_start=window[0], window_end=window[1],
            ward_code=p.ward_code, contacts=p.contacts)
        self.published.append(event)
        return True

    async def case(self, case_id: str) -> ConfirmedCase | None:
        return self.cases.get(case_id)

    async def case_days(self) -> list[str]:
        return [c.confirmed_day for c in self.cases.values()]

    async def cases_on(self, days: list[str]) -> list[ConfirmedCase]:
        return [c for c in self.cases.values() if c.confirmed_day in days]

    async def orders_on(self, days: list[str]) -> list[QuarantineOrder]:
        return [o for o in self.orders_by_id.values() if o.ordered_day in days]

    async def add_order(self, event: Envelope[QuarantineOrdered], ordered_at: datetime) -> bool:
        p = event.payload
        if p.quarantine_id in self.orders_by_id:
            return False
        self.orders_by_id[p.quarantine_id] = QuarantineOrder(
            **p.model_dump(mode="json"), ordered_at=ordered_at, ordered_day=day_of(ordered_at))
        self.published.append(event)
        return True

    async def order(self, quarantine_id: str) -> QuarantineOrder | None:
        return self.orders_by_id.get(quarantine_id)

    async def orders(self, quarantine_ids: list[str]) -> dict[str, QuarantineOrder]:
        return {q: self.orders_by_id[q] for q in quarantine_ids if q in self.orders_by_id}

    async def orders_of(self, subject_id: str) -> list[QuarantineOrder]:
        return [o for o in self.orders_by_id.values() if o.subject_id == subject_id]

    async def all_orders(self) -> list[QuarantineOrder]:
        return list(self.orders_by_id.values())

    async def ending_by(self, day: date) -> list[QuarantineOrder]:
        return [o for o in self.orders_by_id.values() if o.end <= day]

    async def add_release(self, event: Envelope[QuarantineReleased]) -> bool:
        p = event.payload
        if p.quarantine_id in self.releases:
            return False
        self.releases[p.quarantine_id] = Release.model_validate(p.model_dump(mode="json"))
        self.published.append(event)
        return True

    async def released(self, quarantine_ids: list[str]) -> dict[str, Release]:
        return {q: self.releases[q] for q in quarantine_ids if q in self.releases}


class FakeArrivals:
    """`ArrivalBook`: arrivals by arrival id, marked countries by code."""

    def __init__(self) -> None:
        self.arrivals: dict[str, ArrivalSeen] = {}
        self.rules: dict[str, MarkedCountry] = {}

    async def add(self, events: list[Envelope[ArrivalRegistered]]) -> int:
        new = 0
        for event in events:
            p = event.payload
            if p.arrival_id in self.arrivals:
                continue
            transport = " ".join(x for x in (p.transport.mode.value, p.transport.number) if x)
            self.arrivals[p.arrival_id] = ArrivalSeen(
                p.subject_id, p.country_of_departure, p.port_of_departure, p.arrival_date,
                transport, p.entry_ward, p.destination_ward)
            new += 1
        return new

    async def since(self, first: date, last: date) -> list[ArrivalSeen]:
        return sorted((a for a in self.arrivals.values() if first <= a.arrival_date <= last),
                      key=lambda a: a.arrival_date)

    async def mark(self, country: str, by: str, purpose: str, now: datetime) -> MarkedCountry:
        self.rules[country] = MarkedCountry(country=country, marked_by=by, purpose=purpose,
                                            marked_at=now)
        return self.rules[country]

    async def unmark(self, country: str) -> bool:
        return self.rules.pop(country, None) is not None

    async def marked(self) -> list[MarkedCountry]:
        return [self.rules[c] for c in sorted(self.rules)]


class FakeAccessLog:
    """`AccessLog`: audit entries by event id (trace queries and reveals); `published`
    holds the `trace.accessed` events the relay sends."""

    def __init__(self) -> None:
        self.entries: dict[str, AuditRecord] = {}
        self.published: list[Envelope[TraceAccessed]] = []

    async def record_access(self, event: Envelope[TraceAccessed]) -> None:
        p = event.payload
        self.entries[event.event_id] = AuditRecord(
            id=event.event_id, kind="trace", who=p.who, role=p.role, unit=p.unit,
            purpose=p.purpose, query=p.query, subject_id=p.subject_id, at=p.at)
        self.published.append(event)

    async def record_reveals(self, events: list[Envelope[PersonRevealed]]) -> None:
        for e in events:
            p = e.payload
            self.entries.setdefault(e.event_id, AuditRecord(
                id=e.event_id, kind="reveal", who=p.who, role=p.role, unit=p.unit,
                purpose=p.purpose, subject_id=p.subject_id, at=p.at,
                query=f"reveal declaration={p.declaration_id} grounds={p.grounds}"))

    async def audit_entries(self, query: AuditQuery, limit: int) -> list[AuditRecord]:
        def matches(r: AuditRecord) -> bool:
            if query.day is not None:
                start = datetime.combine(query.day, time(0), VN_TZ)
                if not start <= r.at < start + timedelta(days=1):
                    return False
            return ((query.who is None or r.who == query.who)
                    and (query.role is None or r.role == query.role)
                    and (query.subject_id is None or r.subject_id == query.subject_id)
                    and (query.kind is None or r.kind == query.kind)
                    and (query.purpose is None
                         or query.purpose.casefold() in r.purpose.casefold()))
        found = sorted((r for r in self.entries.values() if matches(r)),
                       key=lambda r: (r.at, r.id), reverse=True)
        return found[:limit]


@dataclass
class FakeOutbox:
    """`Outbox`: the relay; `woken` lists the ids it was asked to publish now (an empty
    wake, for a sweep, counts in `wakes`)."""

    woken: list[str] = field(default_factory=list)
    wakes: int = 0

    def wake(self, *ids: str) -> None:
        self.wakes += 1
        self.woken.extend(ids)


@dataclass
class FakeGeneration:
    """`GenerationWriter`: one generation's movements by source event."""

    stored: dict[str, Movement] = field(default_factory=dict)
    indexed: bool = False

    async def drop(self) -> None:
        self.stored.clear()
        self.indexed = False

    async def create_indexes(self) -> None:
        self.indexed = True

    async def write(self, movements: Iterable[Movement]) -> int:
        new = [m for m in movements if m.source_event_id not in self.stored]
        self.stored.update((m.source_event_id, m) for m in new)
        return len(new)


@dataclass
class FakeGenerations:
    """`Generations`: the pointer document."""

    pointer: Pointer = field(default_factory=Pointer)

    async def current(self, fresh: bool = False) -> Pointer:
        return self.pointer

    async def start_building(self, generation: int) -> None:
        self.pointer = self.pointer.model_copy(update={"building": generation})

    async def switch(self, generation: int) -> Pointer:
        self.pointer = Pointer(active=generation, building=None, previous=self.pointer.active)
        return self.pointer

    async def abandon(self, generation: int) -> None:
        if self.pointer.building == generation:
            self.pointer = self.pointer.model_copy(update={"building": None})


class FakeProjection:
    """`Projection`: generations of movements, created on first use; a dropped one is gone
    from `kept` until written again."""

    def __init__(self) -> None:
        self.generations = FakeGenerations()
        self.kept: dict[int, FakeGeneration] = {}

    def generation(self, number: int) -> FakeGeneration:
        return self.kept.setdefault(number, FakeGeneration())


class FakeRebuildLock:
    """`RebuildLock`: one holder at a time (`holder` set by another replica keeps it)."""

    def __init__(self, holder: str | None = None) -> None:
        self.state = RebuildState() if holder is None else RebuildState(state="running",
                                                                        by=holder)
        self.heartbeats: list[Report] = []

    async def acquire(self, generation: int, by: str) -> None:
        if self.state.state == "running":
            raise RebuildRunning(self.state)
        self.state = RebuildState(state="running", generation=generation, by=by,
                                  started_at=utcnow())

    async def heartbeat(self, report: Report) -> None:
        self.heartbeats.append(report)
        self.state = self.state.model_copy(update={"report": report})

    async def finish(self, report: Report, error: str | None = None) -> None:
        self.state = self.state.model_copy(update={
            "state": "failed" if error else "done", "finished_at": utcnow(), "report": report,
            "error": error})

    async def status(self) -> RebuildState:
        return self.state


@dataclass
class FakeEventLog:
    """`EventLog`: the consumed topics' records, replayed in the given batches."""

    batches: list[list[bytes]] = field(default_factory=list)

    async def replay(self) -> AsyncIterator[list[bytes]]:
        for batch in self.batches:
            yield batch
