"""In-memory stand-ins for the ports of `services.checkpoint.service.ports`.

Each keeps what the real store keeps, in plain Python, and answers the same way
(a redelivered declaration is not stored twice, the later verdict wins, a scan id
stored before answers the earlier scan, a replace of a missing stay does nothing),
so a use case runs against it as against FerretDB; what they cannot show (indexes,
FerretDB's answers, concurrency) the integration tier proves on the real stores.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from services.checkpoint.domain.records import (
    Checkpoint,
    CheckpointFilter,
    Declaration,
    OpenStay,
    Passage,
    QuarantineOrder,
    QuarantineRelease,
    QuarantineState,
    Refusal,
    Scan,
    Standing,
    VehicleDeclaration,
    Verdict,
    ZoneChange,
)


@dataclass
class FakeRegistry:
    """`Registry`: checkpoints by id (no cache: a change shows at once)."""

    checkpoints: dict[str, Checkpoint] = field(default_factory=dict)

    async def put(self, checkpoint: Checkpoint) -> bool:
        created = checkpoint.checkpoint_id not in self.checkpoints
        self.checkpoints[checkpoint.checkpoint_id] = checkpoint
        return created

    async def get(self, checkpoint_id: str) -> Checkpoint | None:
        return self.checkpoints.get(checkpoint_id)

    async def many(self, ids: list[str]) -> list[Checkpoint]:
        return [self.checkpoints[i] for i in dict.fromkeys(ids) if i in self.checkpoints]

    async def find(self, filters: CheckpointFilter, limit: int, offset: int
                   ) -> tuple[int, list[Checkpoint]]:
        found = [c for _, c in sorted(self.checkpoints.items()) if filters.admits(c)]
        return len(found), found[offset:offset + limit]


@dataclass
class FakeViews:
    """`Views`: declarations and verdicts apart (a verdict may come first), the lookup by
    keyed hash, zone changes per ward, people's quarantines (merged per id) and refusals
    (keyed by passage), vehicles."""

    declarations: dict[str, Declaration] = field(default_factory=dict)
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    lookups: dict[str, list[str]] = field(default_factory=dict)
    zones: dict[str, list[ZoneChange]] = field(default_factory=dict)
    quarantines: dict[str, dict[str, QuarantineState]] = field(default_factory=dict)
    refusals: dict[str, dict[str, Refusal]] = field(default_factory=dict)
    vehicles: dict[str, VehicleDeclaration] = field(default_factory=dict)

    async def put_declaration(self, declaration: Declaration) -> None:
        self.declarations.setdefault(declaration.declaration_id, declaration)
        ids = self.lookups.setdefault(declaration.lookup_key, [])
        if declaration.declaration_id not in ids:
            ids.append(declaration.declaration_id)

    async def put_verdict(self, verdict: Verdict) -> bool:
        stored = self.verdicts.get(verdict.declaration_id)
        if stored is not None and stored.key >= verdict.key:
            return False
        self.verdicts[verdict.declaration_id] = verdict
        return True

    async def declaration(self, declaration_id: str) -> Declaration | None:
        found = self.declarations.get(declaration_id)
        if found is None:
            return None
        verdict = self.verdicts.get(declaration_id)
        if verdict is None:
            return found
        return replace(found, verdict=verdict.verdict,
                       rejection_reasons=list(verdict.rejection_reasons))

    async def declarations_by_lookup(self, key: str) -> list[Declaration]:
        return list((await self.declarations_by_ids(self.lookups.get(key, []))).values())

    async def declarations_by_ids(self, ids: list[str]) -> dict[str, Declaration]:
        found = {i: await self.declaration(i) for i in dict.fromkeys(ids)}
        return {i: d for i, d in found.items() if d is not None}

    async def add_zone_change(self, ward_code: str, change: ZoneChange) -> None:
        changes = self.zones.setdefault(ward_code, [])
        if change not in changes:
            changes.append(change)

    async def zone_changes_of(self, ward_code: str) -> list[ZoneChange]:
        return list(self.zones.get(ward_code, []))

    async def put_quarantine_order(self, subject_id: str, order: QuarantineOrder,
                                   relevant_until: datetime) -> None:
        held = self.quarantines.setdefault(subject_id, {})
        earlier = held.get(order.quarantine_id)
        held[order.quarantine_id] = QuarantineState(
            quarantine_id=order.quarantine_id, order=order,
            released_at=earlier.released_at if earlier else None)

    async def put_quarantine_release(self, subject_id: str, release: QuarantineRelease,
                                     relevant_until: datetime) -> None:
        held = self.quarantines.setdefault(subject_id, {})
        earlier = held.get(release.quarantine_id)
        held[release.quarantine_id] = QuarantineState(
            quarantine_id=release.quarantine_id, order=earlier.order if earlier else None,
            released_at=release.released_at)

    async def note_refusal(self, subject_id: str, passage_id: str, refusal: Refusal) -> None:
        self.refusals.setdefault(subject_id, {})[passage_id] = refusal

    async def standing(self, subject_id: str) -> Standing:
        refusals = sorted(self.refusals.get(subject_id, {}).values(), key=lambda r: r.at,
                          reverse=True)
        return Standing(list(self.quarantines.get(subject_id, {}).values()), refusals)

    async def put_vehicle(self, vehicle: VehicleDeclaration) -> None:
        self.vehicles.setdefault(vehicle.vehicle_declaration_id, vehicle)

    async def vehicle(self, vehicle_id: str) -> VehicleDeclaration | None:
        return self.vehicles.get(vehicle_id)


@dataclass
class FakeScans:
    """`Scans`: by scan id; a second scan under an id answers the first."""

    stored: dict[str, Scan] = field(default_factory=dict)

    async def add_scan(self, scan: Scan) -> tuple[Scan, bool]:
        if scan.scan_id in self.stored:
            return self.stored[scan.scan_id], False
        self.stored[scan.scan_id] = scan
        return scan, True

    async def scan(self, scan_id: str) -> Scan | None:
        return self.stored.get(scan_id)

    async def refresh_scan(self, scan: Scan) -> None:
        if scan.scan_id in self.stored:  # as `replace_one`: no upsert
            self.stored[scan.scan_id] = scan


@dataclass
class FakePassages:
    """`Passages`: by passage id; a second insert of an id answers the first."""

    stored: dict[str, Passage] = field(default_factory=dict)

    async def add_passage(self, passage: Passage) -> tuple[Passage, bool]:
        if passage.passage_id in self.stored:
            return self.stored[passage.passage_id], False
        self.stored[passage.passage_id] = passage
        return passage, True

    async def passage(self, passage_id: str) -> Passage | None:
        return self.stored.get(passage_id)


@dataclass
class FakeStays:
    """`Stays`: the open stay of each person; replaced or closed only by its stay id."""

    open: dict[str, OpenStay] = field(default_factory=dict)

    async def stay(self, subject_id: str) -> OpenStay | None:
        return self.open.get(subject_id)

    async def open_stay(self, stay: OpenStay, replacing: str | None) -> bool:
        subject = stay.stay.subject_id
        current = self.open.get(subject)
        if replacing is None:
            if current is not None:
                return False
        elif current is None or current.stay.stay_id != replacing:
            return False
        self.open[subject] = stay
        return True

    async def close_stay(self, subject_id: str, stay_id: str) -> bool:
        current = self.open.get(subject_id)
        if current is None or current.stay.stay_id != stay_id:
            return False
        del self.open[subject_id]
        return True

    async def due_stays(self, now: datetime, limit: int) -> list[OpenStay]:
        return [s for s in self.open.values() if s.stay.due_at <= now][:limit]


@dataclass
class FakeOutbox:
    """`Outbox`: remembers which documents the use cases asked to publish (a wake without
    ids, as after a check-out, is recorded as "*")."""

    woken: list[str] = field(default_factory=list)

    def wake(self, *ids: str) -> None:
        self.woken.extend(ids or ("*",))
