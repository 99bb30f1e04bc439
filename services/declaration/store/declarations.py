"""The declarations and their identity verdicts (the only module that touches them).

- `declarations`: one document per declaration, with its outbox;
- `verdicts`: the identity verdict of a declaration (same `_id`).

Each document has one writer after its insert. FerretDB 1.24 applies an update
as read-modify-write of the whole document, so two concurrent updates of one
document lose one of them (measured: 199 of 200 pairs); the verdict therefore
lives beside the declaration, never in it, where the outbox relay's marks
would overwrite it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime

from pymongo.asynchronous.database import AsyncDatabase

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import ArrivalRegistered, DeclarationSubmitted
from libs.runtime.group_commit import GroupedInserts
from libs.runtime.mongo import Document, upsert_if_later
from libs.runtime.outbox import create_outbox_index, new_outbox, outbox_entry
from libs.runtime.retention import CHUNK, day_of, days_to_purge, delete_ids
from services.declaration.domain.declarations import Status
from services.declaration.domain.records import Declaration, Standing


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


def declaration_of(doc: Document, verdict: Document | None) -> Declaration:
    """The record of a stored declaration and its verdict (pending until there is one)."""
    return Declaration(
        declared=DeclarationSubmitted.model_validate(doc["declaration"]),
        submitted_at=doc["submitted_at"],
        status=Status(verdict["status"]) if verdict else Status.pending,
        reasons=list(verdict["reasons"]) if verdict else [],
        language=doc.get("language"), submitted_with=doc.get("submitted_with"))


class DeclarationStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.declarations = db["declarations"]
        self.verdicts = db["verdicts"]
        # Concurrent submissions share one insert command (libs/runtime/group_commit.py).
        self._inserts = GroupedInserts(self.declarations)

    async def create_indexes(self) -> None:
        await create_outbox_index(self.declarations)
        await self.declarations.create_index("subject_id")
        await self.declarations.create_index("day")
        # An officer's entries of a day (GET /v1/declarations/entered).
        await self.declarations.create_index([("declaration.entered_by", 1), ("submitted_at", -1)])

    async def add(self, events: Iterable[Envelope[DeclarationSubmitted]],
                  fingerprint: str | None = None, language: str | None = None,
                  family: bool = False,
                  arrivals: Mapping[str, Envelope[ArrivalRegistered]] | None = None) -> set[int]:
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
        return await self._inserts.insert_all(documents)

    async def latest_of(self, subject_id: str) -> Declaration | None:
        """The person's latest declaration (indexed on MongoDB; a scan on FerretDB v1, which
        only reveals and messages pay: a person asked about now and then)."""
        found = await self.declarations.find({"subject_id": subject_id}, {"outbox": 0}).sort(
            "submitted_at", -1).limit(1).to_list()
        if not found:
            return None
        return declaration_of(found[0], await self.verdicts.find_one({"_id": found[0]["_id"]}))

    async def entered_by(self, officer: str, since: datetime, until: datetime,
                         limit: int) -> list[Declaration]:
        """The declarations `officer` entered (paper or import) from `since` until before
        `until`, newest first, each with its verdict; at most `limit`."""
        docs = await self.declarations.find(
            {"declaration.entered_by": officer, "submitted_at": {"$gte": since, "$lt": until}},
            {"outbox": 0}).sort([("submitted_at", -1), ("_id", 1)]).limit(limit).to_list()
        ids = [doc["_id"] for doc in docs]
        verdicts = {v["_id"]: v for v in
                    await self.verdicts.find({"_id": {"$in": ids}}).to_list()} if ids else {}
        return [declaration_of(doc, verdicts.get(doc["_id"])) for doc in docs]

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

    async def get(self, declaration_id: str) -> Declaration | None:
        """The declaration with its verdict."""
        doc = await self.declarations.find_one({"_id": declaration_id}, {"outbox": 0})
        if doc is None:
            return None
        return declaration_of(doc, await self.verdicts.find_one({"_id": declaration_id}))

    async def statuses(self, declaration_ids: list[str]) -> dict[str, Standing]:
        """The stored status and the validity of several declarations, by id."""
        docs = await self.declarations.find(
            {"_id": {"$in": declaration_ids}}, {"valid_until": 1}).to_list()
        verdicts = {v["_id"]: v for v in
                    await self.verdicts.find({"_id": {"$in": declaration_ids}}).to_list()}
        return {doc["_id"]: Standing(Status(verdicts[doc["_id"]]["status"])
                                     if doc["_id"] in verdicts else Status.pending,
                                     doc["valid_until"])
                for doc in docs}

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

    async def purge(self, cutoff: datetime, held: Callable[[str], Awaitable[bool]]) -> int:
        """Delete the declarations (and their verdicts) whose validity ended before `cutoff`,
        but those of the people `held` says are kept; day by day, a chunk at a time."""
        deleted, holds = 0, dict[str, bool]()
        for day in days_to_purge(cutoff):
            kept: list[str] = []
            while docs := await self.declarations.find(
                    {"day": day.isoformat(), "valid_until": {"$lt": cutoff}, "_id": {"$nin": kept}},
                    {"subject_id": 1}).limit(CHUNK).to_list():
                for subject in {d["subject_id"] for d in docs} - holds.keys():
                    holds[subject] = await held(subject)
                kept += [d["_id"] for d in docs if holds[d["subject_id"]]]
                doomed = [d["_id"] for d in docs if not holds[d["subject_id"]]]
                if doomed:
                    deleted += await delete_ids(self.declarations, doomed)
                    await delete_ids(self.verdicts, doomed)
        return deleted
