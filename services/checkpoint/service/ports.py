"""What the use cases need from the outside, as protocols: `store/` implements them on
PyMongo, tests/support/fakes/checkpoint.py in memory (so the service tier has unit tests)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from libs.runtime.qr_tokens import QrClaims
from services.checkpoint.domain.records import (
    Checkpoint,
    CheckpointFilter,
    Declaration,
    OpenStay,
    Passage,
    QuarantineOrder,
    QuarantineRelease,
    Refusal,
    Scan,
    Standing,
    VehicleDeclaration,
    Verdict,
    ZoneChange,
)


class Registry(Protocol):
    """The checkpoint registry, read on every scan."""

    async def put(self, checkpoint: Checkpoint) -> bool:
        """Create or replace; True when it was created."""
        ...

    async def get(self, checkpoint_id: str) -> Checkpoint | None: ...

    async def many(self, ids: list[str]) -> list[Checkpoint]:
        """Those of `ids` that exist, in the order asked."""
        ...

    async def find(self, filters: CheckpointFilter, limit: int, offset: int
                   ) -> tuple[int, list[Checkpoint]]:
        """(how many match, one page of them by id)."""
        ...


class Views(Protocol):
    """This service's views of other services' events: declarations with their verdicts,
    zone levels, people's quarantines and refusals here, green-lane vehicles."""

    async def put_declaration(self, declaration: Declaration) -> None:
        """Declaration facts never change: a redelivery changes nothing."""
        ...

    async def put_verdict(self, verdict: Verdict) -> bool:
        """Keep the verdict with the later `key`; True when this one was stored."""
        ...

    async def declaration(self, declaration_id: str) -> Declaration | None:
        """With its verdict (`pending` until one arrives)."""
        ...

    async def declarations_by_lookup(self, key: str) -> list[Declaration]: ...

    async def declarations_by_ids(self, ids: list[str]) -> dict[str, Declaration]: ...

    async def add_zone_change(self, ward_code: str, change: ZoneChange) -> None:
        """A redelivered change is kept once."""
        ...

    async def zone_changes_of(self, ward_code: str) -> list[ZoneChange]: ...

    async def put_quarantine_order(self, subject_id: str, order: QuarantineOrder,
                                   relevant_until: datetime) -> None: ...

    async def put_quarantine_release(self, subject_id: str, release: QuarantineRelease,
                                     relevant_until: datetime) -> None:
        """Kept even before the order arrives: the order then finds it released."""
        ...

    async def note_refusal(self, subject_id: str, passage_id: str, refusal: Refusal) -> None:
        """Idempotent: keyed by the passage."""
        ...

    async def standing(self, subject_id: str) -> Standing:
        """The person's quarantines and refusals (newest first)."""
        ...

    async def put_vehicle(self, vehicle: VehicleDeclaration) -> None: ...

    async def vehicle(self, vehicle_id: str) -> VehicleDeclaration | None: ...


class Scans(Protocol):
    """What officers scanned, keyed by the scanner's scan id, with its events' outbox."""

    async def add_scan(self, scan: Scan) -> tuple[Scan, bool]:
        """(the scan as stored: this one or the earlier one of that id, True when new)."""
        ...

    async def scan(self, scan_id: str) -> Scan | None: ...

    async def refresh_scan(self, scan: Scan) -> None:
        """Replace the stored scan of that id (a retry: what the officer now sees counts)."""
        ...


class Passages(Protocol):
    """One passage per decision, keyed by the scan (or the stay a check-out closes)."""

    async def add_passage(self, passage: Passage) -> tuple[Passage, bool]:
        """(the stored passage, True when this call created it)."""
        ...

    async def passage(self, passage_id: str) -> Passage | None: ...


class Stays(Protocol):
    """The open venue stays, one per person."""

    async def stay(self, subject_id: str) -> OpenStay | None: ...

    async def open_stay(self, stay: OpenStay, replacing: str | None) -> bool:
        """Insert a stay, or replace the open stay `replacing`; False if someone was faster."""
        ...

    async def close_stay(self, subject_id: str, stay_id: str) -> bool: ...

    async def due_stays(self, now: datetime, limit: int) -> list[OpenStay]: ...


class Outbox(Protocol):
    """The relay that publishes what a write put into its document's outbox."""

    def wake(self, *ids: str) -> None:
        """Publish now what these documents hold (by `_id`), not at the next sweep."""
        ...


class TokenVerifier(Protocol):
    """Checks a QR token offline against the issuer's public keys (service/qr_keys.py)."""

    async def verify(self, token: str, now: datetime | None = None) -> QrClaims:
        """Raises QrTokenError for a token that does not verify, KeysUnavailable when no key
        could be fetched yet."""
        ...
