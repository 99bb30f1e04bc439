"""The views this service builds from other services' events (only the driver here).

Every read on the scan path is by `_id`, and the common write is an insert
(see store/writes.py for the measurements behind this).

- `declarations`: masked identity, trip, flags, validity — written once;
- `verdicts`: the identity verdict per declaration, the later one (by its order key)
  winning; it may arrive before its declaration;
- `lookups`: keyed hash of (subject, date of birth) → the declaration ids;
- `zones`: per ward, every `zone.level_changed` it had;
- `people`: per subject, its quarantine orders and releases and its refusals here
  (one read for both on every scan);
- `vehicles`: green-lane vehicles and their crew — written once;
- `keys`: the last QR public keys fetched, for a restart while the issuer is down.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime

from pymongo.asynchronous.database import AsyncDatabase

from libs.runtime.mongo import Document, insert_once
from libs.runtime.retention import CHUNK, day_of, days_to_purge, delete_ids
from services.checkpoint.domain.records import (
    CrewEntry,
    Declaration,
    Jwks,
    QuarantineOrder,
    QuarantineRelease,
    QuarantineState,
    Refusal,
    Standing,
    VehicleDeclaration,
    Verdict,
    ZoneChange,
)
from services.checkpoint.store.writes import insert_or_read, safe_key, upsert


class ViewStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.declarations = db["declarations"]
        self.verdicts = db["verdicts"]
        self.lookups = db["lookups"]
        self.zones = db["zones"]
        self.people = db["people"]
        self.vehicles = db["vehicles"]
        self.keys = db["keys"]

    async def create_indexes(self) -> None:
        for collection in (self.declarations, self.verdicts, self.vehicles, self.people):
            await collection.create_index("day")

    async def put_declaration(self, declaration: Declaration) -> None:
        """Declaration facts never change: a redelivery is a duplicate insert, a no-op."""
        declaration_id, key = declaration.declaration_id, declaration.lookup_key
        await insert_once(self.declarations, _declaration_document(declaration))
        stored = await insert_or_read(self.lookups, {"_id": key, "declaration_ids": [declaration_id]})
        if stored is not None and declaration_id not in stored["declaration_ids"]:
            # The same person declared again: the rare update.
            await upsert(self.lookups, key, {"$addToSet": {"declaration_ids": declaration_id}})

    async def purge_declarations(self, cutoff: datetime) -> int:
        """Declarations the window after their validity, with their verdicts and their place
        in the lookup by (person, date of birth); by day, in chunks."""
        deleted = 0
        for day in days_to_purge(cutoff):
            query = {"day": day.isoformat(), "valid_until": {"$lt": cutoff}}
            while docs := await self.declarations.find(query, {"lookup_key": 1}).limit(
                    CHUNK).to_list():
                for doc in docs:
                    await self.lookups.update_one({"_id": doc["lookup_key"]},
                                                  {"$pull": {"declaration_ids": doc["_id"]}})
                    await self.lookups.delete_one({"_id": doc["lookup_key"],
                                                   "declaration_ids": {"$size": 0}})
                ids = [doc["_id"] for doc in docs]
                await delete_ids(self.verdicts, ids)
                if not (gone := await delete_ids(self.declarations, ids)):
                    break
                deleted += gone
        return deleted

    async def put_verdict(self, verdict: Verdict) -> bool:
        """Keep the verdict with the later `key`; True when this one was stored."""
        declaration_id = verdict.declaration_id
        doc = {"_id": declaration_id, "verdict": verdict.verdict,
               "rejection_reasons": list(verdict.rejection_reasons),
               "subject_id": verdict.subject_id, "key": verdict.key,
               "matters_until": verdict.matters_until, "day": day_of(verdict.matters_until)}
        for _ in range(3):  # another replica may change it between our read and write
            stored = await insert_or_read(self.verdicts, doc)
            if stored is None:
                return True
            if stored["key"] >= verdict.key:
                return False  # replayed, redelivered or superseded
            result = await self.verdicts.replace_one({"_id": declaration_id, "key": stored["key"]},
                                                     doc)
            if result.matched_count:
                return True
        return False

    async def declaration(self, declaration_id: str) -> Declaration | None:
        """The declaration with its verdict (`pending` until one arrives)."""
        doc, verdict = await asyncio.gather(
            self.declarations.find_one({"_id": declaration_id}),
            self.verdicts.find_one({"_id": declaration_id}))
        if doc is None:
            return None
        return _declaration(doc, verdict)

    async def declarations_by_lookup(self, key: str) -> list[Declaration]:
        found = await self.lookups.find_one({"_id": key})
        return list((await self.declarations_by_ids(found["declaration_ids"])).values()) \
            if found else []

    async def declarations_by_ids(self, ids: list[str]) -> dict[str, Declaration]:
        found = await asyncio.gather(*(self.declaration(one) for one in dict.fromkeys(ids)))
        return {d.declaration_id: d for d in found if d is not None}

    async def add_zone_change(self, ward_code: str, change: ZoneChange) -> None:
        """A redelivered change is the same subdocument: `$addToSet` keeps one."""
        await upsert(self.zones, ward_code, {"$addToSet": {"changes": {
            "event_id": change.event_id, "level": change.level,
            "effective_at": change.effective_at, "key": change.key}}})

    async def zone_changes_of(self, ward_code: str) -> list[ZoneChange]:
        doc = await self.zones.find_one({"_id": ward_code})
        return [ZoneChange(event_id=c["event_id"], level=int(c["level"]),
                           effective_at=c["effective_at"], key=str(c["key"]))
                for c in doc["changes"]] if doc else []

    async def put_quarantine_order(self, subject_id: str, order: QuarantineOrder,
                                   relevant_until: datetime) -> None:
        await self._merge_quarantine(subject_id, order.quarantine_id, {
            "quarantine_id": order.quarantine_id, "ordered": True,
            "start": order.start.isoformat(), "end": order.end.isoformat(),
            "place": order.place, "reason": order.reason}, relevant_until)

    async def put_quarantine_release(self, subject_id: str, release: QuarantineRelease,
                                     relevant_until: datetime) -> None:
        # Stored even before the order arrives: the order then finds it released.
        await self._merge_quarantine(subject_id, release.quarantine_id, {
            "quarantine_id": release.quarantine_id, "released_at": release.released_at,
            "early": release.early}, relevant_until)

    async def _merge_quarantine(self, subject_id: str, quarantine_id: str, fields: Document,
                                relevant_until: datetime) -> None:
        """Merged per quarantine id, so an order and its release meet in either order."""
        key = f"orders.{safe_key(quarantine_id)}"
        await upsert(self.people, subject_id, {
            "$set": {f"{key}.{name}": value for name, value in fields.items()},
            **_kept_until(relevant_until)})

    async def note_refusal(self, subject_id: str, passage_id: str, refusal: Refusal) -> None:
        """Idempotent: keyed by the passage, so a retry writes the same entry again."""
        await upsert(self.people, subject_id, {
            "$set": {f"refusals.{safe_key(passage_id)}": {
                "at": refusal.at, "checkpoint_id": refusal.checkpoint_id,
                "reason": refusal.reason}},
            **_kept_until(refusal.at)})

    async def standing(self, subject_id: str) -> Standing:
        """(quarantine orders, refusals newest first) of one person."""
        doc = await self.people.find_one({"_id": subject_id}) or {}
        refusals = sorted(doc.get("refusals", {}).values(), key=lambda r: r["at"], reverse=True)
        return Standing(
            quarantines=[_quarantine(q) for q in doc.get("orders", {}).values()],
            refusals=[Refusal(at=r["at"], checkpoint_id=r["checkpoint_id"],
                              reason=r.get("reason")) for r in refusals])

    async def put_vehicle(self, vehicle: VehicleDeclaration) -> None:
        await insert_once(self.vehicles, {
            "_id": vehicle.vehicle_declaration_id, "plate": vehicle.plate,
            "vehicle_type": vehicle.vehicle_type, "cargo": vehicle.cargo,
            "permit_number": vehicle.permit_number, "origin_ward": vehicle.origin_ward,
            "destination_ward": vehicle.destination_ward, "depot_ward": vehicle.depot_ward,
            "departure_date": vehicle.departure_date.isoformat(),
            "valid_until": vehicle.valid_until,
            "crew": [{"declaration_id": c.declaration_id, "subject_id": c.subject_id,
                      "role": c.role} for c in vehicle.crew],
            "day": day_of(vehicle.valid_until)})

    async def vehicle(self, vehicle_id: str) -> VehicleDeclaration | None:
        doc = await self.vehicles.find_one({"_id": vehicle_id})
        if doc is None:
            return None
        return VehicleDeclaration(
            vehicle_declaration_id=doc["_id"], plate=doc["plate"],
            vehicle_type=doc["vehicle_type"], cargo=doc["cargo"],
            permit_number=doc["permit_number"], origin_ward=doc["origin_ward"],
            destination_ward=doc["destination_ward"], depot_ward=doc["depot_ward"],
            departure_date=date.fromisoformat(doc["departure_date"]),
            valid_until=doc["valid_until"],
            crew=[CrewEntry(declaration_id=c["declaration_id"], subject_id=c["subject_id"],
                            role=c["role"]) for c in doc["crew"]])

    async def save_jwks(self, jwks: Jwks) -> None:
        await self.keys.replace_one({"_id": "jwks"}, {"_id": "jwks", "jwks": jwks}, upsert=True)

    async def load_jwks(self) -> Jwks | None:
        doc = await self.keys.find_one({"_id": "jwks"})
        return doc["jwks"] if doc else None


def _declaration_document(d: Declaration) -> Document:
    return {
        "_id": d.declaration_id, "subject_id": d.subject_id, "lookup_key": d.lookup_key,
        "masked_name": d.masked_name, "masked_document": d.masked_document,
        "channel": d.channel, "origin_ward": d.origin_ward,
        "destination_ward": d.destination_ward,
        "departure_date": d.departure_date.isoformat(),
        "transport_mode": d.transport_mode, "transport_number": d.transport_number,
        "symptoms": list(d.symptoms), "exposures": list(d.exposures),
        "vaccination_doses": d.vaccination_doses,
        "valid_until": d.valid_until, "submitted_at": d.submitted_at,
        "day": day_of(d.valid_until),
    }


def _declaration(doc: Document, verdict: Document | None) -> Declaration:
    return Declaration(
        declaration_id=doc["_id"], subject_id=doc["subject_id"], lookup_key=doc["lookup_key"],
        masked_name=doc["masked_name"], masked_document=doc["masked_document"],
        channel=doc["channel"], origin_ward=doc["origin_ward"],
        destination_ward=doc["destination_ward"],
        departure_date=date.fromisoformat(doc["departure_date"]),
        transport_mode=doc["transport_mode"], transport_number=doc.get("transport_number"),
        symptoms=list(doc["symptoms"]), exposures=list(doc["exposures"]),
        vaccination_doses=doc.get("vaccination_doses", 0), valid_until=doc["valid_until"],
        submitted_at=doc.get("submitted_at"),
        verdict=verdict["verdict"] if verdict else "pending",
        rejection_reasons=list(verdict["rejection_reasons"]) if verdict else [])


def _quarantine(doc: Document) -> QuarantineState:
    """An order's fields and its release's fields, merged in one subdocument."""
    order = QuarantineOrder(
        quarantine_id=doc["quarantine_id"], start=date.fromisoformat(str(doc["start"])),
        end=date.fromisoformat(str(doc["end"])), place=str(doc.get("place", "")),
        reason=str(doc.get("reason", ""))) if doc.get("ordered") else None
    return QuarantineState(quarantine_id=doc["quarantine_id"], order=order,
                           released_at=doc.get("released_at"))


def _kept_until(moment: datetime) -> Document:
    """A person's document is kept the window after its latest order or refusal: `$max` of the
    time and of its day (an ISO day grows with the time), so both only move forward."""
    return {"$max": {"last_at": moment, "day": day_of(moment)}}
