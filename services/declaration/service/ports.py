"""What the use cases need from the outside, as protocols: `store/` implements them on
PyMongo, tests/support/fakes/declaration.py in memory (so the service tier has unit tests)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Protocol

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import (
    ArrivalRegistered,
    DeclarationSubmitted,
    PersonRevealed,
    VehicleDeclared,
)
from services.declaration.domain.declarations import Status
from services.declaration.domain.keys import KeyInfo
from services.declaration.domain.records import (
    Access,
    Declaration,
    Grant,
    GrantKey,
    Quarantined,
    QuarantineOrder,
    Standing,
    Vehicle,
)


class DeclarationReader(Protocol):
    """Stored declarations, as the routes and the messages to citizens read them."""

    async def get(self, declaration_id: str) -> Declaration | None: ...

    async def latest_of(self, subject_id: str) -> Declaration | None:
        """The person's latest declaration."""
        ...

    async def statuses(self, declaration_ids: list[str]) -> dict[str, Standing]: ...

    async def entered_by(self, officer: str, since: datetime, until: datetime,
                         limit: int) -> list[Declaration]:
        """What `officer` entered from `since` until before `until`, newest first."""
        ...

    async def verdict_key(self, declaration_id: str) -> str | None:
        """The order key of the verdict stored for a declaration (the event it came from)."""
        ...


class Declarations(DeclarationReader, Protocol):
    """One document per declaration with its `declaration.submitted`, and its verdict."""

    async def add(self, events: Iterable[Envelope[DeclarationSubmitted]],
                  fingerprint: str | None = None, language: str | None = None,
                  family: bool = False,
                  arrivals: Mapping[str, Envelope[ArrivalRegistered]] | None = None) -> set[int]:
        """Store the declarations (each with its event, and the arrival `arrivals` names for
        it); the positions of those already stored. `family`: a submitter, then dependants."""
        ...

    async def fingerprints(self, declaration_ids: list[str]) -> dict[str, str | None]:
        """The request fingerprint each of those stored was stored with."""
        ...

    async def apply_verdict(self, declaration_id: str, subject_id: str, status: Status,
                            reasons: list[str], key: str) -> bool:
        """Store a verdict unless a later one (by `key`) is; True when it changed something."""
        ...

    async def purge(self, cutoff: datetime, held: Callable[[str], Awaitable[bool]]) -> int:
        """Delete those whose validity ended before `cutoff`, but the people `held` keeps."""
        ...


class Expiring(Protocol):
    """A store whose records all go one window after the time each is filed under."""

    async def purge(self, cutoff: datetime) -> int:
        """Delete what is past `cutoff`; how many records went."""
        ...


class Vehicles(Expiring, Protocol):
    async def add_vehicle(self, event: Envelope[VehicleDeclared]) -> None: ...

    async def get_vehicle(self, vehicle_id: str) -> Vehicle | None: ...


class ZoneLevels(Protocol):
    """The epidemic level of each ward, the latest announced."""

    async def set_zone(self, ward_code: str, level: int, effective_at: datetime, key: str) -> bool:
        """Store a level unless a later change (by `key`) is stored; True when it changed."""
        ...

    async def zone_levels(self, ward_codes: Iterable[str]) -> dict[str, int]: ...


class QuarantineReader(Protocol):
    async def orders_of(self, subject_id: str) -> list[QuarantineOrder]: ...

    def quarantined_on(self, day: date) -> AsyncIterator[Quarantined]:
        """The people with an order not over by `day`."""
        ...


class Quarantines(QuarantineReader, Expiring, Protocol):
    """Quarantine orders and releases by person, merged by quarantine id."""

    async def order(self, subject_id: str, quarantine_id: str, start: date, end: date,
                    place: str, reason: str) -> None: ...

    async def release(self, subject_id: str, quarantine_id: str, released_on: date) -> None: ...

    async def held(self, subject_id: str, cutoff: datetime) -> bool:
        """Whether an order of the person runs past `cutoff`."""
        ...


class AccessLog(Protocol):
    """Who looked at whom: each trace query and reveal about a person."""

    async def add_access(self, subject_id: str, event_id: str, access: Access) -> None: ...

    async def accesses_of(self, subject_id: str) -> list[Access]:
        """Newest first."""
        ...


class Reveals(AccessLog, Protocol):
    """Grants (who may see whom), the audit of reveals, and who looked at whom."""

    async def grant(self, grant: Grant) -> None:
        """Record or bring forward a grant; an older event never moves it back."""
        ...

    async def grants_of(self, keys: list[GrantKey]) -> list[Grant]: ...

    async def record(self, event: Envelope[PersonRevealed]) -> None:
        """Store a reveal with its event (in its outbox)."""
        ...

    async def purge(self, cutoff: datetime, audit_cutoff: datetime) -> dict[str, int]: ...


class Outbox(Protocol):
    """The relay that publishes what a write put into its document's outbox."""

    def wake(self, *ids: str) -> None:
        """Publish now what these documents hold (by `_id`), not at the next sweep."""
        ...


class SigningKeys(Protocol):
    """The QR signing key file (services/declaration/keyring.py `KeyFile`). Blocking: a
    change waits for the file's lock, so use cases call it off the event loop."""

    def entries(self) -> list[KeyInfo]: ...

    def managed_by_operator(self) -> bool:
        """True when the file may not be changed here (a mounted secret)."""
        ...

    def rotate(self, by: str) -> KeyInfo:
        """A new active key; KeysManagedByOperator."""
        ...

    def retire(self, kid: str, by: str) -> KeyInfo:
        """KeyNotFound, ActiveKeyNotRetirable, KeyAlreadyRetired, KeysManagedByOperator."""
        ...
