"""In-memory stand-ins for the ports of `services.identity_verification.service.ports`.

Each keeps what the real store keeps, in plain Python, and answers the same way
(a replayed verification is not stored twice, a CMND finds its CCCD), so a use case
runs against it as against FerretDB; what they cannot show (indexes, partitions,
concurrency) the integration tier proves on the real stores.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import ArrivalRegistered, DeclarationSubmitted
from services.identity_verification.domain.passports import Arrival, HeldDeclaration
from services.identity_verification.domain.records import NewVerification, Upserted, Verification
from services.identity_verification.domain.residents import Resident


class FakeRegistry:
    """`Registry`: residents by CCCD, old CMND numbers as aliases."""

    def __init__(self, residents: Iterable[Resident] = (), partitions: int = 1) -> None:
        self.residents = {r.national_id: r for r in residents}
        self.partitions = partitions

    async def resident(self, national_id: str) -> Resident | None:
        if len(national_id) == 9:
            owner = (await self.cmnd_owners([national_id])).get(national_id)
            return None if owner is None else self.residents.get(owner)
        return self.residents.get(national_id)

    async def residents_by_id(self, ids: Iterable[str], *, batched: bool) -> dict[str, Resident]:
        found = {i: await self.resident(i) for i in set(ids)}
        return {i: r for i, r in found.items() if r is not None}

    async def cmnd_owners(self, cmnds: Iterable[str]) -> dict[str, str]:
        wanted = set(cmnds)
        return {r.cmnd: r.national_id for r in self.residents.values() if r.cmnd in wanted}

    async def upsert_residents(self, residents: Sequence[Resident]) -> Upserted:
        counts = Upserted()
        for resident in residents:
            before = self.residents.get(resident.national_id)
            if before is None:
                counts.inserted += 1
            elif before == resident:
                counts.unchanged += 1
            else:
                counts.updated += 1
            self.residents[resident.national_id] = resident
        return counts

    async def registry_size(self) -> tuple[int, int]:
        return len(self.residents), sum(1 for r in self.residents.values() if r.cmnd)


@dataclass
class FakeVerifications:
    """`Verifications`: one verdict per declaration, the first one standing, and totals."""

    stored: dict[str, NewVerification] = field(default_factory=dict)
    counters: Counter[str] = field(default_factory=Counter)

    async def add_verifications(self, verifications: Sequence[NewVerification]
                                ) -> list[NewVerification]:
        new = [v for v in verifications if v.declaration_id not in self.stored]
        self.stored.update((v.declaration_id, v) for v in new)
        return new

    async def replace_verification(self, verification: NewVerification) -> None:
        if verification.declaration_id in self.stored:  # as `replace_one`: no upsert
            self.stored[verification.declaration_id] = verification

    async def count_verdicts(self, increments: Mapping[str, int]) -> None:
        self.counters.update(increments)

    async def verdict_counts(self) -> dict[str, int]:
        return dict(self.counters)

    async def verification(self, declaration_id: str) -> Verification | None:
        return self.stored.get(declaration_id)


@dataclass
class FakeArrivals:
    """`Arrivals`: registered arrivals by id, and the passport declarations held for one."""

    arrivals: dict[str, ArrivalRegistered] = field(default_factory=dict)
    waiting: dict[str, tuple[HeldDeclaration, datetime]] = field(default_factory=dict)

    async def add(self, events: list[Envelope[ArrivalRegistered]]) -> set[str]:
        new = [e.payload for e in events if e.payload.arrival_id not in self.arrivals]
        self.arrivals.update((a.arrival_id, a) for a in new)
        return {a.subject_id for a in new}

    async def of(self, subject_ids: list[str]) -> dict[str, list[Arrival]]:
        found: dict[str, list[Arrival]] = {}
        for a in self.arrivals.values():
            if a.subject_id in subject_ids:
                found.setdefault(a.subject_id, []).append(Arrival(
                    a.full_name, a.date_of_birth, a.gender.value, a.nationality, a.arrival_date))
        return found

    async def registered_elsewhere(self, passport: str, nationality: str) -> bool:
        return any(a.passport == passport and a.nationality != nationality
                   for a in self.arrivals.values())

    async def wait(self, source: Envelope[DeclarationSubmitted], decide_at: datetime) -> None:
        self.waiting.setdefault(source.payload.declaration_id,
                                (HeldDeclaration(source), decide_at))

    async def waiting_for(self, subject_ids: set[str]) -> list[HeldDeclaration]:
        return [held for held, _ in self.waiting.values() if held.subject_id in subject_ids]

    async def due(self, now: datetime) -> list[HeldDeclaration]:
        return [held for held, at in self.waiting.values() if not held.decided and at <= now]

    async def mark_decided(self, declaration_id: str) -> None:
        held, at = self.waiting[declaration_id]
        self.waiting[declaration_id] = (HeldDeclaration(held.source, decided=True), at)

    async def release(self, declaration_id: str) -> None:
        self.waiting.pop(declaration_id, None)


@dataclass
class FakeOutbox:
    """`Outbox`: remembers which documents the use cases asked to publish."""

    woken: list[str] = field(default_factory=list)

    def wake(self, *ids: str) -> None:
        self.woken.extend(ids)
