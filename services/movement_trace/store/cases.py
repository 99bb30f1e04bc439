"""Cases (F0), quarantine orders and releases, and where people stay.

- `cases`: one document per confirmed case, with its `case.confirmed` outbox;
- `quarantines`: one per order, with its `quarantine.ordered` outbox;
- `releases`: one per released order (same `_id`), with its `quarantine.released`;
- `stays`: per subject, the destination ward of their latest declaration;
- `declared`: per declaration id, its subject and destination ward;
- `suspects`: one per follow-up that reported symptoms or fever (`_id` = its event id):
  the people "suspected, from follow-up" an epidemiologist may confirm as cases.

An order and its release are separate documents on purpose: FerretDB v1 applies
an update as read-modify-write of the whole document, so a release written into
the order could be lost to the outbox relay marking the order published. Every
write is an insert keyed by a derived id, so a repeat changes nothing.
No names or national IDs: subject ids only (DESIGN.md §5).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import DeclarationSubmitted
from libs.contracts.events.notification import FollowupRecorded
from libs.contracts.events.trace import CaseConfirmed, QuarantineOrdered, QuarantineReleased
from libs.contracts.vietnam_time import VN_TZ, vn_day
from libs.runtime.mongo import SAFE_BULK, Document, insert_new, insert_once, upsert_many_if_later
from libs.runtime.outbox import WITHOUT_OUTBOX, create_outbox_index, new_outbox, outbox_entry
from libs.runtime.retention import day_of
from services.movement_trace.domain.followups import has_fever, is_suspected
from services.movement_trace.domain.movements import Movement
from services.movement_trace.domain.records import (
    ConfirmedCase,
    DeclaredTrip,
    QuarantineOrder,
    Release,
    SuspectReport,
)


class CaseStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.cases = db["cases"]
        self.quarantines = db["quarantines"]
        self.releases = db["releases"]
        self.stays = db["stays"]
        self.declared = db["declared"]
        self.suspects = db["suspects"]

    async def create_indexes(self) -> None:
        for outboxed in (self.cases, self.quarantines, self.releases):
            await create_outbox_index(outboxed)
        await self.quarantines.create_index([("subject_id", ASCENDING)])
        await self.quarantines.create_index([("end", ASCENDING)])
        # Every collection up front (see TraceStore.create_indexes: FerretDB v1 can deadlock
        # when a collection is created while queries on the database run).
        await self.stays.create_index([("ward_code", ASCENDING)])
        await self.declared.create_index([("subject_id", ASCENDING)])
        await self.cases.create_index([("subject_id", ASCENDING)])
        for purged in (self.cases, self.quarantines, self.stays, self.declared, self.suspects):
            await purged.create_index([("day", ASCENDING)])

    # --- what the consumer learns from declarations ---

    async def note_declarations(self, events: list[tuple[Envelope[DeclarationSubmitted], str]]
                                ) -> None:
        # A consumer's batch in two writes and a read, not three commands a declaration.
        declared: list[Document] = []
        stays: dict[str, tuple[str, Document]] = {}
        for event, key in events:
            p = event.payload
            ward = p.trip.destination_ward
            # Both kept as long as the declaration is (its validity, then the window).
            expiry = {"valid_until": p.valid_until, "day": day_of(p.valid_until)}
            declared.append({"_id": p.declaration_id, "subject_id": p.subject_id,
                             "ward_code": ward, "channel": p.channel.value, **expiry})
            if p.subject_id not in stays or stays[p.subject_id][0] < key:
                stays[p.subject_id] = (key, {"ward_code": ward,
                                             "declaration_id": p.declaration_id, **expiry})
        await insert_new(self.declared, declared)
        await upsert_many_if_later(self.stays, stays)

    async def note_suspects(self, followups: list[tuple[Envelope[FollowupRecorded], Movement]],
                            fever_c: float) -> int:
        """The follow-ups that reported symptoms or fever (symptom codes, never the words);
        keyed by event id, so a redelivery adds nothing. Returns how many were new."""
        docs = [{"_id": e.event_id, "subject_id": m.subject_id, "at": m.at, "day": day_of(m.at),
                 "quarantine_id": e.payload.quarantine_id, "ward_code": e.payload.ward_code,
                 "on": e.payload.on.isoformat() if e.payload.on else None,
                 "followup_day": e.payload.day, "reached": e.payload.reached,
                 "symptoms": m.symptoms or [], "temperature_c": m.temperature_c,
                 "fever": has_fever(m.temperature_c, m.symptoms or [], fever_c)}
                for e, m in followups
                if is_suspected(m.symptoms or [], m.temperature_c, fever_c)]
        return len(await insert_new(self.suspects, docs)) if docs else 0

    async def suspects_on(self, days: list[str]) -> list[SuspectReport]:
        """The suspected follow-ups of these Viet Nam days (equality on the indexed `day`)."""
        found: list[Document] = []
        for first in range(0, len(days), SAFE_BULK):
            found += await self.suspects.find({"day": {"$in": days[first:first + SAFE_BULK]}}
                                              ).to_list()
        return [SuspectReport.model_validate({**d, "id": d["_id"]}) for d in found]

    async def cases_of(self, subject_ids: list[str]) -> list[ConfirmedCase]:
        """The confirmed cases of these people (equality on the indexed `subject_id`)."""
        found: list[Document] = []
        for first in range(0, len(subject_ids), SAFE_BULK):
            found += await self.cases.find(
                {"subject_id": {"$in": subject_ids[first:first + SAFE_BULK]}},
                WITHOUT_OUTBOX).to_list()
        return [_case(d) for d in found]

    async def orders(self, quarantine_ids: list[str]) -> dict[str, QuarantineOrder]:
        docs = await self._by_ids(self.quarantines, quarantine_ids, WITHOUT_OUTBOX)
        return {d["_id"]: _order(d) for d in docs}

    async def wards_of(self, subject_ids: Iterable[str]) -> dict[str, str]:
        docs = await self._by_ids(self.stays, list(subject_ids), {"ward_code": 1})
        return {d["_id"]: d["ward_code"] for d in docs}

    async def declarations(self, declaration_ids: list[str]) -> dict[str, DeclaredTrip]:
        return {d["_id"]: DeclaredTrip.model_validate({**d, "declaration_id": d["_id"]})
                for d in await self._by_ids(self.declared, declaration_ids, None)}

    # --- cases, orders, releases: each written with its event in one insert ---

    async def add_case(self, event: Envelope[CaseConfirmed], confirmed_at: datetime,
                       window: tuple[datetime, datetime]) -> bool:
        p = event.payload
        return await insert_once(self.cases, {
            "_id": p.case_id, **p.model_dump(mode="json"), "confirmed_at": confirmed_at,
            "confirmed_day": vn_day(confirmed_at).isoformat(),
            "window_start": window[0], "window_end": window[1],
            "day": day_of(confirmed_at),
            **new_outbox(outbox_entry(event, key=p.subject_id))})

    async def case(self, case_id: str) -> ConfirmedCase | None:
        doc = await self.cases.find_one({"_id": case_id}, WITHOUT_OUTBOX)
        return None if doc is None else _case(doc)

    async def add_order(self, event: Envelope[QuarantineOrdered], ordered_at: datetime) -> bool:
        p = event.payload
        until = datetime.combine(p.end, time(0), VN_TZ)  # its retention runs from its end
        return await insert_once(self.quarantines, {
            "_id": p.quarantine_id, **p.model_dump(mode="json"), "ordered_at": ordered_at,
            "ordered_day": vn_day(ordered_at).isoformat(),
            "until": until, "day": day_of(until),
            **new_outbox(outbox_entry(event, key=p.subject_id))})

    async def add_release(self, event: Envelope[QuarantineReleased]) -> bool:
        p = event.payload
        return await insert_once(self.releases, {
            "_id": p.quarantine_id, **p.model_dump(mode="json"),
            **new_outbox(outbox_entry(event, key=p.subject_id))})

    async def order(self, quarantine_id: str) -> QuarantineOrder | None:
        doc = await self.quarantines.find_one({"_id": quarantine_id}, WITHOUT_OUTBOX)
        return None if doc is None else _order(doc)

    async def orders_of(self, subject_id: str) -> list[QuarantineOrder]:
        found = await self.quarantines.find({"subject_id": subject_id}, WITHOUT_OUTBOX).to_list()
        return [_order(d) for d in found]

    async def released(self, quarantine_ids: list[str]) -> dict[str, Release]:
        docs = await self._by_ids(self.releases, quarantine_ids, WITHOUT_OUTBOX)
        return {d["_id"]: Release.model_validate(d) for d in docs}

    async def ending_by(self, day: date) -> list[QuarantineOrder]:
        """Orders whose release day has come (a range filter: FerretDB scans, MongoDB
        uses the `end` index; run by the periodic job only)."""
        found = await self.quarantines.find({"end": {"$lte": day.isoformat()}},
                                            WITHOUT_OUTBOX).to_list()
        return [_order(d) for d in found]

    async def all_orders(self) -> list[QuarantineOrder]:
        return [_order(d) for d in await self.quarantines.find({}, WITHOUT_OUTBOX).to_list()]

    async def case_days(self) -> list[str]:
        """The Viet Nam day each case was confirmed (one entry per case)."""
        return [d["confirmed_day"] for d in
                await self.cases.find({}, {"confirmed_day": 1}).to_list()]

    async def cases_on(self, days: list[str]) -> list[ConfirmedCase]:
        # A case's `day` (its purge key) is the Viet Nam day it was confirmed: indexed.
        return [_case(d) for d in await self._on(self.cases, "day", days)]

    async def orders_on(self, days: list[str]) -> list[QuarantineOrder]:
        # An order's `day` is its end's (its retention): the day it was given is `ordered_day`.
        return [_order(d) for d in await self._on(self.quarantines, "ordered_day", days)]

    async def _on(self, collection: AsyncCollection[Document], field: str,
                  days: list[str]) -> list[Document]:
        found: list[Document] = []
        for first in range(0, len(days), SAFE_BULK):
            found += await collection.find({field: {"$in": days[first:first + SAFE_BULK]}},
                                           WITHOUT_OUTBOX).to_list()
        return found

    async def _by_ids(self, collection: AsyncCollection[Document], ids: list[str],
                      fields: Document | None) -> list[Document]:
        found: list[Document] = []
        for first in range(0, len(ids), SAFE_BULK):
            chunk = ids[first:first + SAFE_BULK]
            found += await collection.find({"_id": {"$in": chunk}}, fields).to_list()
        return found


def _case(doc: Document) -> ConfirmedCase:
    return ConfirmedCase.model_validate({**doc, "case_id": doc["_id"]})


def _order(doc: Document) -> QuarantineOrder:
    return QuarantineOrder.model_validate({**doc, "quarantine_id": doc["_id"]})
