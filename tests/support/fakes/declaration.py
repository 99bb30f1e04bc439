"""In-memory stand-ins for the ports of `services.declaration.service.ports` (and of the
messages to citizens, `services.declaration.notices.service.ports`).

Each keeps what the real store keeps, in plain Python, and answers the same way: an id
already stored is reported back by position and not stored again, a verdict or a level
is applied only when later than the stored one, a grant only moves forward, a release
and its order meet in either order. What they cannot show (indexes, FerretDB's answers,
group commit, concurrency) the integration tier proves on the real stores.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Literal

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import (
    ArrivalRegistered,
    DeclarationSubmitted,
    PersonRevealed,
    VehicleDeclared,
)
from libs.contracts.vietnam_time import VN_TZ
from services.declaration.domain.declarations import Status
from services.declaration.domain.records import (
    Access,
    Declaration,
    Grant,
    GrantKey,
    Quarantined,
    QuarantineOrder,
    Standing,
    Vehicle,
    order_ref,
)
from services.declaration.notices.domain.records import (
    Delivered,
    GaveUp,
    NewNotice,
    Notice,
    Outgoing,
    Result,
)
from tests.support.fakes.identity import FakeOutbox

__all__ = ["FakeDeclarations", "FakeNotices", "FakeOutbox", "FakeQuarantines", "FakeReveals",
           "FakeVehicles", "FakeZoneLevels"]


@dataclass
class FakeDeclarations:
    """`Declarations`: each declaration with what its document holds beside it."""

    stored: dict[str, Declaration] = field(default_factory=dict)
    fingerprint: dict[str, str | None] = field(default_factory=dict)
    outbox: dict[str, list[Envelope[DeclarationSubmitted] | Envelope[ArrivalRegistered]]] = \
        field(default_factory=dict)
    verdict_keys: dict[str, str] = field(default_factory=dict)

    async def add(self, events: Iterable[Envelope[DeclarationSubmitted]],
                  fingerprint: str | None = None, language: str | None = None,
                  family: bool = False,
                  arrivals: Mapping[str, Envelope[ArrivalRegistered]] | None = None) -> set[int]:
        batch = list(events)
        first = batch[0].payload.declaration_id if family and batch else None
        already = set()
        for position, event in enumerate(batch):
            p = event.payload
            if p.declaration_id in self.stored:
                already.add(position)
                continue
            self.stored[p.declaration_id] = Declaration(
                declared=p, submitted_at=event.occurred_at, language=language,
                submitted_with=first if position else None)
            self.fingerprint[p.declaration_id] = fingerprint
            also = (arrivals or {}).get(p.declaration_id)
            self.outbox[p.declaration_id] = [event, *([also] if also else [])]
        return already

    async def fingerprints(self, declaration_ids: list[str]) -> dict[str, str | None]:
        return {i: self.fingerprint[i] for i in declaration_ids if i in self.stored}

    async def get(self, declaration_id: str) -> Declaration | None:
        return self.stored.get(declaration_id)

    async def latest_of(self, subject_id: str) -> Declaration | None:
        theirs = [d for d in self.stored.values() if d.subject_id == subject_id]
        return max(theirs, key=lambda d: d.submitted_at) if theirs else None

    async def statuses(self, declaration_ids: list[str]) -> dict[str, Standing]:
        return {i: Standing(d.status, d.valid_until) for i in declaration_ids
                if (d := self.stored.get(i)) is not None}

    async def verdict_key(self, declaration_id: str) -> str | None:
        return self.verdict_keys.get(declaration_id)

    async def entered_by(self, officer: str, since: datetime, until: datetime,
                         limit: int) -> list[Declaration]:
        theirs = [d for d in self.stored.values()
                  if d.declared.entered_by == officer and since <= d.submitted_at < until]
        theirs.sort(key=lambda d: d.declaration_id)
        theirs.sort(key=lambda d: d.submitted_at, reverse=True)
        return theirs[:limit]

    async def apply_verdict(self, declaration_id: str, subject_id: str, status: Status,
                            reasons: list[str], key: str) -> bool:
        declared = self.stored.get(declaration_id)
        if declared is None or declared.subject_id != subject_id:
            return False
        if self.verdict_keys.get(declaration_id, "") >= key:
            return False
        self.verdict_keys[declaration_id] = key
        self.stored[declaration_id] = replace(declared, status=status, reasons=list(reasons))
        return True

    async def purge(self, cutoff: datetime, held: Callable[[str], Awaitable[bool]]) -> int:
        doomed = [i for i, d in self.stored.items()
                  if d.valid_until < cutoff and not await held(d.subject_id)]
        for declaration_id in doomed:
            del self.stored[declaration_id]
            self.verdict_keys.pop(declaration_id, None)
        return len(doomed)


@dataclass
class FakeVehicles:
    """`Vehicles`: one vehicle declaration by id."""

    stored: dict[str, Vehicle] = field(default_factory=dict)

    async def add_vehicle(self, event: Envelope[VehicleDeclared]) -> None:
        p = event.payload
        if p.vehicle_declaration_id in self.stored:
            raise KeyError(p.vehicle_declaration_id)  # as insert_one: a duplicate key
        self.stored[p.vehicle_declaration_id] = Vehicle(p, event.occurred_at)

    async def get_vehicle(self, vehicle_id: str) -> Vehicle | None:
        return self.stored.get(vehicle_id)

    async def purge(self, cutoff: datetime) -> int:
        doomed = [i for i, v in self.stored.items() if v.declared.valid_until < cutoff]
        for vehicle_id in doomed:
            del self.stored[vehicle_id]
        return len(doomed)


@dataclass
class FakeZoneLevels:
    """`ZoneLevels`: a level and its order key per ward."""

    levels: dict[str, tuple[int, str]] = field(default_factory=dict)

    async def set_zone(self, ward_code: str, level: int, effective_at: datetime, key: str) -> bool:
        if ward_code in self.levels and self.levels[ward_code][1] >= key:
            return False
        self.levels[ward_code] = (level, key)
        return True

    async def zone_levels(self, ward_codes: Iterable[str]) -> dict[str, int]:
        return {w: self.levels[w][0] for w in set(ward_codes) if w in self.levels}


@dataclass
class FakeQuarantines:
    """`Quarantines`: per person, their orders by reference, order and release merged."""

    orders: dict[str, dict[str, QuarantineOrder]] = field(default_factory=dict)

    async def order(self, subject_id: str, quarantine_id: str, start: date, end: date,
                    place: str, reason: str) -> None:
        current = self._current(subject_id, quarantine_id)
        self._put(subject_id, replace(current, start=start, end=end, place=place, reason=reason))

    async def release(self, subject_id: str, quarantine_id: str, released_on: date) -> None:
        current = self._current(subject_id, quarantine_id)
        self._put(subject_id, replace(current, released_on=released_on))

    def _current(self, subject_id: str, quarantine_id: str) -> QuarantineOrder:
        ref = order_ref(quarantine_id)
        return self.orders.get(subject_id, {}).get(ref) or QuarantineOrder(ref=ref)

    def _put(self, subject_id: str, order: QuarantineOrder) -> None:
        self.orders.setdefault(subject_id, {})[order.ref] = order

    async def orders_of(self, subject_id: str) -> list[QuarantineOrder]:
        return list(self.orders.get(subject_id, {}).values())

    async def quarantined_on(self, day: date) -> AsyncIterator[Quarantined]:
        since = datetime.combine(day, time(0), VN_TZ)
        for subject_id in sorted(self.orders):
            until = self._until(subject_id)
            if until is not None and until > since:
                yield Quarantined(subject_id, await self.orders_of(subject_id))

    async def held(self, subject_id: str, cutoff: datetime) -> bool:
        until = self._until(subject_id)
        return until is not None and until >= cutoff

    async def purge(self, cutoff: datetime) -> int:
        doomed = [s for s in self.orders if (until := self._until(s)) is not None and until < cutoff]
        for subject_id in doomed:
            del self.orders[subject_id]
        return len(doomed)

    def _until(self, subject_id: str) -> datetime | None:
        ends = [o.end for o in self.orders.get(subject_id, {}).values() if o.end is not None]
        return datetime.combine(max(ends), time(0), VN_TZ) if ends else None


@dataclass
class FakeReveals:
    """`Reveals`: grants by key, the reveals recorded, and each person's accesses by event."""

    grants: dict[GrantKey, Grant] = field(default_factory=dict)
    recorded: list[Envelope[PersonRevealed]] = field(default_factory=list)
    accesses: dict[str, dict[str, Access]] = field(default_factory=dict)

    async def grant(self, grant: Grant) -> None:
        current = self.grants.get(grant.key)
        if current is None or current.last_at < grant.last_at:
            self.grants[grant.key] = grant

    async def grants_of(self, keys: list[GrantKey]) -> list[Grant]:
        return [self.grants[key] for key in keys if key in self.grants]

    async def record(self, event: Envelope[PersonRevealed]) -> None:
        self.recorded.append(event)

    async def add_access(self, subject_id: str, event_id: str, access: Access) -> None:
        self.accesses.setdefault(subject_id, {})[event_id] = access

    async def accesses_of(self, subject_id: str) -> list[Access]:
        return sorted(self.accesses.get(subject_id, {}).values(), key=lambda a: a.at,
                      reverse=True)

    async def purge(self, cutoff: datetime, audit_cutoff: datetime) -> dict[str, int]:
        old = [key for key, g in self.grants.items() if g.last_at < cutoff]
        for key in old:
            del self.grants[key]
        kept = [e for e in self.recorded if e.payload.at >= audit_cutoff]
        gone, self.recorded = len(self.recorded) - len(kept), kept
        people = [s for s, items in self.accesses.items()
                  if max(a.at for a in items.values()) < audit_cutoff]
        for subject_id in people:
            del self.accesses[subject_id]
        return {"reveal_grants": len(old), "reveals": gone, "accesses": len(people)}



@dataclass
class Queued:
    """A message as the queue keeps it; `notice` (address and text) goes once it is sent or
    given up, as the real store drops them."""

    notice: NewNotice | None
    created_at: datetime
    due_at: datetime
    state: Literal["pending", "sent", "failed"] = "pending"
    attempts: int = 0
    last_error: str | None = None
    to_hint: str | None = None


@dataclass
class FakeNotices:
    """`NoticeQueue`: each message by its key, with what became of it."""

    queued: dict[str, Queued] = field(default_factory=dict)

    async def enqueue(self, notices: list[NewNotice]) -> int:
        new = [n for n in notices if n.notice_id not in self.queued]
        for n in new:
            self.queued[n.notice_id] = Queued(n, n.created_at, n.created_at)
        return len(new)

    async def due(self, now: datetime, limit: int) -> list[str]:
        return [i for i, q in self.queued.items()
                if q.state == "pending" and q.due_at <= now][:limit]

    async def claim(self, notice_ids: list[str], now: datetime, lease: timedelta) -> list[Notice]:
        claimed = []
        for notice_id in notice_ids:
            q = self.queued.get(notice_id)
            if q is None or q.state != "pending" or q.due_at > now or q.notice is None:
                continue
            q.due_at = now + lease
            n = q.notice
            claimed.append(Notice(notice_id=notice_id, kind=n.kind, channel=n.channel,
                                  declaration_id=n.declaration_id, attempts=q.attempts,
                                  outgoing=Outgoing(notice_id, n.to, n.subject, n.text,
                                                    n.language)))
        return claimed

    async def record(self, results: list[Result]) -> None:
        for result in results:
            q = self.queued[result.notice_id]
            q.attempts = result.attempts
            if isinstance(result, Delivered):
                q.state, q.to_hint, q.notice = "sent", result.to_hint, None
            elif isinstance(result, GaveUp):
                q.state, q.to_hint, q.notice = "failed", result.to_hint, None
                q.last_error = result.error
            else:
                q.due_at, q.last_error = result.due_at, result.error

    async def purge(self, cutoff: datetime) -> int:
        old = [i for i, q in self.queued.items() if q.created_at < cutoff]
        for notice_id in old:
            del self.queued[notice_id]
        return len(old)
