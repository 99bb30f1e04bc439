"""The declaration service's collections (the only module that touches the driver).

- `declarations`: one document per declaration, with its outbox;
- `verdicts`: the identity verdict of a declaration (same `_id`);
- `vehicles`: one document per green-lane vehicle declaration, with its outbox;
- `zones`: the view of `zone.level_changed`, one document per ward;
- `quarantines`: the view of `quarantine.*`, one document per subject, its orders
  merged by quarantine id (an order and its release meet in either order).

Each document has one writer after its insert. FerretDB 1.24 applies an update
as read-modify-write of the whole document, so two concurrent updates of one
document lose one of them (measured: 199 of 200 pairs); the verdict therefore
lives beside the declaration, never in it, where the outbox relay's marks
would overwrite it.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterable
from datetime import date, datetime, time

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import (
    ArrivalRegistered,
    DeclarationSubmitted,
    VehicleDeclared,
)
from libs.contracts.vietnam_time import VN_TZ
from libs.runtime.group_commit import GroupCommit
from libs.runtime.mongo import DUPLICATE_KEY, SAFE_BULK, Document, insert_unordered, upsert_if_later
from libs.runtime.outbox import create_outbox_index, new_outbox, outbox_entry
from libs.runtime.retention import day_of
from services.declaration.domain import Status


def declaration_document(event: Envelope[DeclarationSubmitted], fingerprint: str | None = None,
                         language: str | None = None,
                         submitted_with: str | None = None,
                         also: Envelope[ArrivalRegistered] | None = None) -> Document:
    """The declaration and its `declaration.submitted`, to be written in one insert;
    `fingerprint` is the request's when it came with an idempotency key, `language` the
    page's (messages to the person are written in it), `submitted_with` the declaration a
    dependant's was made with (messages reach a dependant without a phone through it);
    `also`: the arrival a manifest row registers, published with it."""
    p = event.payload
    return {
        "_id": p.declaration_id,
        "subject_id": p.subject_id,
        "submitted_at": event.occurred_at,
        "valid_until": p.valid_until,
        "day": day_of(p.valid_until),  # its retention runs from the end of its validity
        "declaration": p.model_dump(mode="json"),
        **({"request_fingerprint": fingerprint} if fingerprint else {}),
        **({"language": language} if language else {}),
        **({"submitted_with": submitted_with} if submitted_with else {}),
        **new_outbox(outbox_entry(event, key=p.subject_id),
                     *([outbox_entry(also, key=p.subject_id)] if also else [])),
    }


class DeclarationStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.declarations = db["declarations"]
        self.verdicts = db["verdicts"]
        self.vehicles = db["vehicles"]
        self.zones = db["zones"]
        self.quarantines = db["quarantines"]
        # Concurrent submissions share one insert command (libs/runtime/group_commit.py).
        self._inserts = GroupCommit(self._insert_groups, window_s=0.002, max_batch=SAFE_BULK)

    async def create_indexes(self) -> None:
        await create_outbox_index(self.declarations)
        await create_outbox_index(self.vehicles)
        await self.declarations.create_index("subject_id")
        for purged in (self.declarations, self.vehicles, self.quarantines):
            await purged.create_index("day")

    async def add(self, events: Iterable[Envelope[DeclarationSubmitted]],
                  fingerprint: str | None = None, language: str | None = None,
                  family: bool = False,
                  arrivals: dict[str, Envelope[ArrivalRegistered]] | None = None) -> set[int]:
        """Insert declarations; return the positions of those already there (natural or
        keyed ids). `family`: one form's submitter, then their dependants; `arrivals`: by
        declaration id, the arrivals a manifest registers with them."""
        batch, arrivals = list(events), arrivals or {}
        first = batch[0].payload.declaration_id if family and batch else None
        documents = [declaration_document(event, fingerprint, language,
                                          first if position else None,
                                          arrivals.get(event.payload.declaration_id))
                     for position, event in enumerate(batch)]
        if not documents:
            return set()
        return await self._inserts.submit(documents)

    async def _insert_groups(self, groups: list[list[Document]]) -> list[set[int] | BaseException]:
        """Each group's documents in one unordered insert with the others' (a chunk of
        `SAFE_BULK` per command); per group, the positions already stored — or the error
        that failed one of its documents (that request fails alone)."""
        owners = [(g, position) for g, group in enumerate(groups) for position in range(len(group))]
        results: list[set[int] | BaseException] = [set() for _ in groups]
        refused = await insert_unordered(self.declarations, [d for group in groups for d in group])
        for index, (code, error) in refused.items():
            g, position = owners[index]
            found = results[g]
            if code != DUPLICATE_KEY:
                results[g] = error
            elif isinstance(found, set):
                found.add(position)
        return results

    async def latest_of(self, subject_id: str) -> Document | None:
        """The person's latest declaration (indexed on MongoDB; a scan on FerretDB v1, which
        only reveals pay: a person asked about by staff, now and then)."""
        found = await self.declarations.find({"subject_id": subject_id}, {"outbox": 0}).sort(
            "submitted_at", -1).limit(1).to_list()
        return found[0] if found else None

    async def fingerprints(self, declaration_ids: list[str]) -> dict[str, str | None]:
        """The request fingerprint each of these declarations was stored with (one
        lookup by `_id` each: FerretDB 1.24 answers an `_id $in` by a full scan)."""
        found = {}
        for declaration_id in declaration_ids:
            doc = await self.declarations.find_one({"_id": declaration_id},
                                                   {"request_fingerprint": 1})
            if doc is not None:
                found[declaration_id] = doc.get("request_fingerprint")
        return found

    async def get(self, declaration_id: str) -> Document | None:
        """The declaration with its `status` and `reasons` (pending until a verdict)."""
        doc = await self.declarations.find_one({"_id": declaration_id}, {"outbox": 0})
        if doc is None:
            return None
        return _with_verdict(doc, await self.verdicts.find_one({"_id": declaration_id}))

    async def apply_verdict(self, declaration_id: str, subject_id: str, status: Status,
                            reasons: list[str], key: str) -> bool:
        """Store the identity verdict unless a later one (by `key`) is stored: replays,
        redeliveries and late duplicates are no-ops; True when it changed something."""
        declared = await self.declarations.find_one({"_id": declaration_id}, {"subject_id": 1})
        if declared is None or declared["subject_id"] != subject_id:
            return False
        return await upsert_if_later(self.verdicts, declaration_id, key,
                                      {"status": status.value, "reasons": reasons})

    async def verdict_key(self, declaration_id: str) -> str | None:
        """The order key of the verdict stored for a declaration (the event it came from)."""
        verdict = await self.verdicts.find_one({"_id": declaration_id}, {"key": 1})
        return verdict.get("key") if verdict else None

    async def set_zone(self, ward_code: str, level: int, effective_at: datetime, key: str) -> bool:
        """Store a ward's level unless a later change is stored; True when it changed."""
        return await upsert_if_later(self.zones, ward_code, key,
                                      {"level": level, "effective_at": effective_at})

    async def zone_levels(self, ward_codes: Iterable[str]) -> dict[str, int]:
        docs = await self.zones.find({"_id": {"$in": list(set(ward_codes))}}).to_list()
        return {doc["_id"]: int(doc["level"]) for doc in docs}

    async def put_quarantine(self, subject_id: str, quarantine_id: str, fields: Document) -> None:
        """Merged per quarantine id; a redelivery sets the same fields again. `until` (the
        latest end) is what its retention, and the hold on the person's declarations, run
        from. One writer: this service's consumer, in partition order."""
        key = "orders." + hashlib.sha256(quarantine_id.encode()).hexdigest()[:24]
        update = {"$set": {f"{key}.{name}": value for name, value in fields.items()}}
        try:
            await self.quarantines.update_one({"_id": subject_id}, update, upsert=True)
        except DuplicateKeyError:  # two first upserts raced: the document exists now
            await self.quarantines.update_one({"_id": subject_id}, update)
        ends = [o["end"] for o in await self.quarantines_of(subject_id) if "end" in o]
        if ends:
            until = datetime.combine(date.fromisoformat(max(ends)), time(0), VN_TZ)
            await self.quarantines.update_one({"_id": subject_id}, {"$set": {
                "until": until, "day": day_of(until)}})

    async def held(self, subject_id: str, cutoff: datetime) -> bool:
        """The person's declarations are kept past their window while a quarantine of theirs
        is (DESIGN.md §5: extended by the epidemiologists' orders)."""
        doc = await self.quarantines.find_one({"_id": subject_id}, {"until": 1})
        return doc is not None and "until" in doc and doc["until"] >= cutoff

    async def quarantined_on(self, day: date, page: int = 500) -> AsyncIterator[Document]:
        """The people with an order not over by `day`, page by page (a scan on FerretDB v1:
        the collection holds the orders of the retention window only)."""
        after = ""
        since = datetime.combine(day, time(0), VN_TZ)
        while docs := await self.quarantines.find(
                {"until": {"$gt": since}, "_id": {"$gt": after}}).sort("_id", 1).limit(
                page).to_list():
            for doc in docs:
                yield doc
            after = docs[-1]["_id"]

    async def quarantines_of(self, subject_id: str) -> list[Document]:
        doc = await self.quarantines.find_one({"_id": subject_id}) or {}
        return list(doc.get("orders", {}).values())

    async def add_vehicle(self, event: Envelope[VehicleDeclared]) -> None:
        p = event.payload
        await self.vehicles.insert_one({
            "_id": p.vehicle_declaration_id,
            "plate": p.plate,
            "submitted_at": event.occurred_at,
            "valid_until": p.valid_until,
            "day": day_of(p.valid_until),
            "vehicle": p.model_dump(mode="json"),
            **new_outbox(outbox_entry(event, key=p.plate)),
        })

    async def get_vehicle(self, vehicle_id: str) -> Document | None:
        return await self.vehicles.find_one({"_id": vehicle_id}, {"outbox": 0})

    async def statuses(self, declaration_ids: list[str]) -> dict[str, Document]:
        """`status` and `valid_until` of several declarations, by id."""
        docs = await self.declarations.find(
            {"_id": {"$in": declaration_ids}}, {"valid_until": 1}).to_list()
        verdicts = {v["_id"]: v for v in
                    await self.verdicts.find({"_id": {"$in": declaration_ids}}).to_list()}
        return {doc["_id"]: _with_verdict(doc, verdicts.get(doc["_id"])) for doc in docs}


def _with_verdict(doc: Document, verdict: Document | None) -> Document:
    return {**doc, "status": verdict["status"] if verdict else Status.pending.value,
            "reasons": verdict["reasons"] if verdict else []}
