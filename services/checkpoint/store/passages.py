"""Scans, passages (with their outbox) and open venue stays (only the driver here).

- `scans`: what an officer scanned, keyed by the client's scan id;
- `passages`: one document per decision, keyed by the scan id (a double tap is one
  passage) or by the stay it closes (automatic and move-on check-outs); it carries the
  events it causes in its outbox (DESIGN.md §5, no dual writes);
- `stays`: the *open* venue stays only, one per person (`_id` = subject id). A stay
  is deleted when it is closed, so the automatic check-out's `due_at <= now` scans
  only the people inside a venue right now, never the history.

Reads on the scan path are by `_id` (see store/writes.py for why).
"""

from __future__ import annotations

from datetime import datetime

from pymongo.asynchronous.database import AsyncDatabase

from libs.contracts.events.checkpoint import CheckpointKind, Direction, RefusalReason
from libs.runtime.group_commit import GroupedInserts
from libs.runtime.mongo import Document, insert_once
from libs.runtime.outbox import create_outbox_index, new_outbox, outbox_entry
from libs.runtime.retention import day_of
from services.checkpoint.domain.passage_events import Place, Traveller
from services.checkpoint.domain.recommendation import Decision
from services.checkpoint.domain.records import CrewRefusal, EventRef, OpenStay, Passage, Scan
from services.checkpoint.domain.venues import Stay


class PassageStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.scans = db["scans"]
        self.passages = db["passages"]
        self.stays = db["stays"]
        # Scans and decisions arriving together share one insert (group commit).
        self._scan_inserts = GroupedInserts(self.scans)
        self._passage_inserts = GroupedInserts(self.passages)

    async def create_indexes(self) -> None:
        await create_outbox_index(self.passages)
        await create_outbox_index(self.scans)
        await self.passages.create_index("day")
        await self.scans.create_index("day")

    async def add_scan(self, scan: Scan) -> tuple[Scan, bool]:
        """(the scan as stored: this one, or the one stored earlier under the same id;
        True when this one was stored)."""
        if await self._scan_inserts.insert_once(_scan_document(scan)):
            return scan, True
        earlier = await self.scans.find_one({"_id": scan.scan_id})
        assert earlier is not None, "a duplicate key means the scan exists"
        return _scan(earlier), False

    async def scan(self, scan_id: str) -> Scan | None:
        doc = await self.scans.find_one({"_id": scan_id})
        return None if doc is None else _scan(doc)

    async def refresh_scan(self, scan: Scan) -> None:
        await self.scans.replace_one({"_id": scan.scan_id}, _scan_document(scan))

    async def add_passage(self, passage: Passage) -> tuple[Passage, bool]:
        """(the stored passage, True when this call created it)."""
        if await self._passage_inserts.insert_once(_passage_document(passage)):
            return passage, True
        earlier = await self.passages.find_one({"_id": passage.passage_id}, {"outbox": 0})
        assert earlier is not None, "a duplicate key means the passage exists"
        return _passage(earlier), False

    async def passage(self, passage_id: str) -> Passage | None:
        doc = await self.passages.find_one({"_id": passage_id}, {"outbox": 0})
        return None if doc is None else _passage(doc)

    async def stay(self, subject_id: str) -> OpenStay | None:
        doc = await self.stays.find_one({"_id": subject_id})
        return None if doc is None else _open_stay(doc)

    async def open_stay(self, stay: OpenStay, replacing: str | None) -> bool:
        """Insert a stay, or replace the open stay `replacing`; False if someone was faster."""
        doc = _stay_document(stay)
        if replacing is None:
            return await insert_once(self.stays, doc)
        result = await self.stays.replace_one({"_id": doc["_id"], "stay_id": replacing}, doc)
        return result.matched_count == 1

    async def close_stay(self, subject_id: str, stay_id: str) -> bool:
        result = await self.stays.delete_one({"_id": subject_id, "stay_id": stay_id})
        return result.deleted_count == 1

    async def due_stays(self, now: datetime, limit: int) -> list[OpenStay]:
        docs = await self.stays.find({"due_at": {"$lte": now}}).limit(limit).to_list(limit)
        return [_open_stay(doc) for doc in docs]


def _travellers(travellers: list[Traveller]) -> list[Document]:
    return [{"declaration_id": t.declaration_id, "subject_id": t.subject_id} for t in travellers]


def _scan_document(scan: Scan) -> Document:
    doc: Document = {
        "_id": scan.scan_id, "checkpoint_id": scan.checkpoint_id, "officer_id": scan.officer_id,
        "at": scan.at, "via": scan.via, "may_pass": scan.may_pass,
        "recommended": scan.recommended.value, "day": day_of(scan.at), "kind": scan.kind,
        "target_id": scan.target_id}
    if scan.kind == "declaration":
        doc.update(issued_at=scan.issued_at, travellers=_travellers(scan.travellers),
                   suggested_refusal=scan.suggested_refusal.value
                   if scan.suggested_refusal else None)
    else:
        doc.update(plate=scan.plate, issued_at=scan.issued_at,
                   travellers=_travellers(scan.travellers),
                   crew_refusals=[{"declaration_id": r.traveller.declaration_id,
                                   "subject_id": r.traveller.subject_id,
                                   "reason": r.reason.value} for r in scan.crew_refusals])
    doc.update(new_outbox(*(outbox_entry(e, key=e.payload.subject_id) for e in scan.events)))
    return doc


def _scan(doc: Document) -> Scan:
    suggested = doc.get("suggested_refusal")
    return Scan(
        scan_id=doc["_id"], checkpoint_id=doc["checkpoint_id"], officer_id=doc["officer_id"],
        at=doc["at"], via=doc["via"], may_pass=doc["may_pass"],
        recommended=Decision(doc["recommended"]), kind=doc["kind"], target_id=doc["target_id"],
        issued_at=doc.get("issued_at"),
        travellers=[Traveller(t["declaration_id"], t["subject_id"]) for t in doc["travellers"]],
        suggested_refusal=RefusalReason(suggested) if suggested else None,
        plate=doc.get("plate"),
        crew_refusals=[CrewRefusal(Traveller(r["declaration_id"], r["subject_id"]),
                                   RefusalReason(r["reason"]))
                       for r in doc.get("crew_refusals", [])])


def _event_ref(ref: EventRef) -> Document:
    doc: Document = {"type": ref.type, "passage_id": ref.passage_id,
                     "declaration_id": ref.declaration_id}
    if ref.subject_id is not None:  # an officer's decision (see EventRef)
        doc.update(subject_id=ref.subject_id, reason=ref.reason)
    return doc


def _passage_document(p: Passage) -> Document:
    doc: Document = {
        "_id": p.passage_id, "checkpoint_id": p.place.checkpoint_id, "kind": p.place.kind.value,
        "ward_code": p.place.ward_code, "officer_id": p.officer_id, "decision": p.decision.value,
        "reason": p.reason, "direction": p.direction.value, "vehicle_plate": p.vehicle_plate,
        "at": p.at, "declaration_ids": [t.declaration_id for t in p.travellers],
        "subject_ids": [t.subject_id for t in p.travellers],
        "refused": p.decision != Decision.pass_, "source": p.source}
    if p.stay_id is not None:
        doc["stay_id"] = p.stay_id
    doc.update({"day": day_of(p.at), "recorded_at": p.recorded_at,
                "events": [_event_ref(r) for r in p.refs],
                **new_outbox(*(outbox_entry(e, key=e.payload.subject_id) for e in p.events))})
    return doc


def _passage(doc: Document) -> Passage:
    return Passage(
        passage_id=doc["_id"],
        place=Place(doc["checkpoint_id"], CheckpointKind(doc["kind"]), doc["ward_code"]),
        officer_id=doc["officer_id"], decision=Decision(doc["decision"]),
        reason=doc.get("reason"), direction=Direction(doc["direction"]),
        vehicle_plate=doc.get("vehicle_plate"), at=doc["at"],
        travellers=[Traveller(d, s) for d, s in zip(doc["declaration_ids"], doc["subject_ids"],
                                                     strict=True)],
        source=doc["source"], recorded_at=doc["recorded_at"], stay_id=doc.get("stay_id"),
        refs=[EventRef(type=e["type"], passage_id=e["passage_id"],
                       declaration_id=e["declaration_id"], subject_id=e.get("subject_id"),
                       reason=e.get("reason")) for e in doc["events"]])


def _place_document(place: Place) -> Document:
    return {"checkpoint_id": place.checkpoint_id, "kind": place.kind.value,
            "ward_code": place.ward_code, "latitude": place.latitude,
            "longitude": place.longitude}


def _stay_document(open_stay: OpenStay) -> Document:
    stay = open_stay.stay
    return {"_id": stay.subject_id, "stay_id": stay.stay_id,
            "declaration_id": stay.declaration_id, "checkpoint_id": stay.checkpoint_id,
            "since": stay.since, "due_at": stay.due_at, "place": _place_document(open_stay.place)}


def _open_stay(doc: Document) -> OpenStay:
    place = doc["place"]
    return OpenStay(
        Stay(doc["stay_id"], doc["_id"], doc["declaration_id"], doc["checkpoint_id"],
             doc["since"], doc["due_at"]),
        Place(place["checkpoint_id"], CheckpointKind(place["kind"]), place["ward_code"],
              place.get("latitude"), place.get("longitude")))
