"""What the use cases need from the outside, as protocols: `store/` implements them on
PyMongo, tests/support/fakes/identity.py in memory (so the service tier has unit tests)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import ArrivalRegistered, DeclarationSubmitted
from services.identity_verification.domain.passports import Arrival, HeldDeclaration
from services.identity_verification.domain.records import NewVerification, Upserted, Verification
from services.identity_verification.domain.residents import Resident


class ResidentWriter(Protocol):
    """What an import needs of the registry."""

    async def cmnd_owners(self, cmnds: Iterable[str]) -> dict[str, str]:
        """Old CMND -> the CCCD it is registered for, for those that are."""
        ...

    async def upsert_residents(self, residents: Sequence[Resident]) -> Upserted: ...


class Registry(ResidentWriter, Protocol):
    """The population registry: residents by CCCD, or by old CMND through an alias."""

    @property
    def partitions(self) -> int: ...

    async def resident(self, national_id: str) -> Resident | None: ...

    async def residents_by_id(self, ids: Iterable[str], *, batched: bool) -> dict[str, Resident]:
        """The residents found, by the id (CCCD or CMND) they were asked for."""
        ...

    async def registry_size(self) -> tuple[int, int]:
        """(residents, CMND aliases)."""
        ...


class Verifications(Protocol):
    """One verdict per declaration, each stored with its event, and the verdict totals."""

    async def add_verifications(self, verifications: Sequence[NewVerification]
                                ) -> list[NewVerification]:
        """Store those not stored yet (a replay changes nothing); returns the new ones."""
        ...

    async def replace_verification(self, verification: NewVerification) -> None: ...

    async def count_verdicts(self, increments: Mapping[str, int]) -> None: ...

    async def verdict_counts(self) -> dict[str, int]: ...

    async def verification(self, declaration_id: str) -> Verification | None: ...


class Arrivals(Protocol):
    """Arrivals the border registered, and passport declarations waiting for theirs."""

    async def add(self, events: list[Envelope[ArrivalRegistered]]) -> set[str]:
        """Store the arrivals; the subject ids that got a new one."""
        ...

    async def of(self, subject_ids: list[str]) -> dict[str, list[Arrival]]: ...

    async def registered_elsewhere(self, passport: str, nationality: str) -> bool:
        """Whether this passport number arrived under another nationality."""
        ...

    async def wait(self, source: Envelope[DeclarationSubmitted], decide_at: datetime) -> None:
        """Hold a passport declaration for its arrival (a replay leaves the first hold)."""
        ...

    async def waiting_for(self, subject_ids: set[str]) -> list[HeldDeclaration]: ...

    async def due(self, now: datetime) -> list[HeldDeclaration]:
        """Held past their grace and not decided yet."""
        ...

    async def mark_decided(self, declaration_id: str) -> None: ...

    async def release(self, declaration_id: str) -> None: ...


class Outbox(Protocol):
    """The relay that publishes what a write put into its document's outbox."""

    def wake(self, *ids: str) -> None:
        """Publish now what these documents hold (by `_id`), not at the next sweep."""
        ...
