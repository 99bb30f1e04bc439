"""The epidemiologist's casework: confirm an F0, propose its F1, order and release
quarantines. Each step writes its document and event together (store_cases) and
wakes the relay that publishes it; the routes audit every call before it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from libs.contracts.envelope import Envelope
from libs.contracts.events.trace import (
    CaseConfirmed,
    QuarantineOrdered,
    QuarantinePlace,
    QuarantineReason,
    QuarantineReleased,
)
from libs.contracts.quarantine import quarantine_end
from libs.contracts.vietnam_time import VN_TZ, vn_day
from libs.runtime.jobs import every
from libs.runtime.logs import correlation_id
from libs.runtime.mongo import Document
from libs.runtime.outbox import OutboxRelay
from services.movement_trace.domain import quarantine_rules as rules
from services.movement_trace.domain.answers import Contacts
from services.movement_trace.service.queries import TraceQueries
from services.movement_trace.settings import Settings
from services.movement_trace.store.cases import CaseStore

PRODUCER = "movement-trace"


@dataclass(frozen=True)
class Order:
    """One person to quarantine, as decided by the epidemiologist."""

    subject_id: str
    ward_code: str
    reason: QuarantineReason
    evidence: list[str]
    case_id: str | None = None


@dataclass(frozen=True)
class Terms:
    start: date
    days: int
    place: QuarantinePlace
    by: str


@dataclass
class Relays:
    cases: OutboxRelay
    orders: OutboxRelay
    releases: OutboxRelay


class Casework:
    def __init__(self, store: CaseStore, queries: TraceQueries, relays: Relays,
                 settings: Settings, clock: Callable[[], datetime]) -> None:
        self.store, self.queries, self.relays = store, queries, relays
        self.settings, self.clock = settings, clock

    def today(self) -> date:
        return vn_day(self.clock())

    async def confirm(self, subject_id: str, test_date: date, by: str) -> tuple[Document, bool]:
        """The case (new or as confirmed before) and whether this call created it."""
        now = self.clock()
        start, end = rules.contact_window(test_date, self.settings.contact_days, now)
        ward = (await self.store.wards_of([subject_id])).get(subject_id)
        # The proposed F1 travel with the case: the declaration service lets the
        # epidemiologists see who they are, to call them before any order.
        proposed = await self.queries.contacts(subject_id, start, end,
                                               self.settings.contact_window_minutes, 1)
        payload = CaseConfirmed(subject_id=subject_id, positive_test_date=test_date,
                                confirmed_by=by, case_id=rules.case_id(subject_id, test_date),
                                ward_code=ward,
                                contacts=[c.subject_id for c in proposed.contacts])
        event = Envelope.wrap(payload, producer=PRODUCER, correlation_id=correlation_id.get())
        created = await self.store.add_case(event, {
            "confirmed_at": now, "confirmed_day": vn_day(now).isoformat(),
            "window_start": start, "window_end": end})
        self.relays.cases.wake()
        case = await self.store.case(payload.case_id or "")
        assert case is not None, "just written"
        return case, created

    async def proposal(self, case: Document) -> Contacts:
        """The F1 proposal: the contacts feature's degree-1 answer over the case's window."""
        return await self.queries.contacts(case["subject_id"], case["window_start"],
                                           case["window_end"],
                                           self.settings.contact_window_minutes, 1)

    async def order(self, orders: list[Order], terms: Terms) -> list[tuple[Document, bool]]:
        """Each order (new or as ordered before) and whether this call created it."""
        end = quarantine_end(terms.start, terms.days)
        now = self.clock()
        results = []
        for o in orders:
            qid = rules.quarantine_id(o.subject_id, o.reason.value, terms.start, o.case_id)
            payload = QuarantineOrdered(
                quarantine_id=qid, subject_id=o.subject_id, start=terms.start, end=end,
                place=terms.place, reason=o.reason, evidence=o.evidence, ward_code=o.ward_code,
                case_id=o.case_id, ordered_by=terms.by)
            event = Envelope.wrap(payload, producer=PRODUCER, correlation_id=correlation_id.get())
            created = await self.store.add_order(event, {
                "ordered_at": now, "ordered_day": vn_day(now).isoformat()})
            doc = await self.store.order(qid)
            assert doc is not None, "just written"
            results.append((doc, created))
        self.relays.orders.wake()
        return results

    async def release(self, order: Document, by: str | None) -> tuple[Document, bool]:
        """Early (by an epidemiologist, now) or at term (by the job, `by` None: at the
        start of the end date, whenever the job gets to it)."""
        at = self.clock() if by is not None else datetime.combine(
            date.fromisoformat(order["end"]), time(0), VN_TZ)
        payload = QuarantineReleased(quarantine_id=order["_id"], subject_id=order["subject_id"],
                                     at=at, early=by is not None, released_by=by)
        event = Envelope.wrap(payload, producer=PRODUCER, correlation_id=correlation_id.get())
        created = await self.store.add_release(event)
        self.relays.releases.wake()
        found = (await self.store.released([order["_id"]]))[order["_id"]]
        return found, created

    async def release_due(self) -> int:
        """Release at term every order whose end date has come; returns how many."""
        due = await self.store.ending_by(self.today())
        done = await self.store.released([d["_id"] for d in due])
        released = 0
        for order in (d for d in due if d["_id"] not in done):
            released += (await self.release(order, None))[1]
        return released

    async def with_status(self, orders: list[Document]) -> list[dict[str, Any]]:
        releases = await self.store.released([o["_id"] for o in orders])
        return [{**o, "release": releases.get(o["_id"])} for o in orders]


def release_job(desk: Casework, interval_s: float) -> Callable[[], Any]:
    """Releases at term, periodically: an order's release day is a date, no event marks it."""
    return every(interval_s, desk.release_due, "quarantines released at term")
