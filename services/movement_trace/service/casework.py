"""The epidemiologist's casework: confirm an F0, propose its F1, order and release
quarantines, count them. Each step writes its document and event together (the case
book) and wakes the relay that publishes it; the routes audit every call before it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

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
from libs.runtime.http import Hook
from libs.runtime.jobs import every
from libs.runtime.logs import correlation_id
from services.movement_trace.domain import quarantine_rules as rules
from services.movement_trace.domain.answers import Contacts
from services.movement_trace.domain.contacts import Contact
from services.movement_trace.domain.errors import (
    CaseNotFound,
    NotAContact,
    PositiveTestInFuture,
    PositiveTestTooOld,
    QuarantineNotFound,
    StartOutOfRange,
    TooMany,
    WardUnknown,
)
from services.movement_trace.domain.records import ConfirmedCase, QuarantineOrder, Release
from services.movement_trace.service.ports import CaseBook, Outbox
from services.movement_trace.service.queries import TraceQueries
from services.movement_trace.settings import Settings

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
    cases: Outbox
    orders: Outbox
    releases: Outbox


@dataclass(frozen=True)
class Ordered:
    """An order as it stands, its release if any, and whether this call gave it."""

    order: QuarantineOrder
    created: bool = False
    release: Release | None = None


@dataclass(frozen=True)
class ProposedContact:
    contact: Contact
    ward_code: str | None
    quarantine_id: str | None = None  # already ordered for this case


@dataclass(frozen=True)
class Proposal:
    case: ConfirmedCase
    created: bool
    contacts: Contacts
    proposed: list[ProposedContact]


@dataclass(frozen=True)
class Stats:
    today: date
    active_quarantines: int
    per_day: list[rules.DayCount]


class Casework:
    def __init__(self, store: CaseBook, queries: TraceQueries, relays: Relays,
                 settings: Settings, clock: Callable[[], datetime]) -> None:
        self.store, self.queries, self.relays = store, queries, relays
        self.settings, self.clock = settings, clock

    def today(self) -> date:
        return vn_day(self.clock())

    # --- checks the routes make before they audit the call ---

    def check_test_date(self, test_date: date) -> None:
        if test_date > self.today():
            raise PositiveTestInFuture
        if test_date < self.today() - self.settings.retention.window:
            raise PositiveTestTooOld

    def terms(self, start: date | None, days: int | None, place: QuarantinePlace,
              by: str) -> Terms:
        """The order's terms, the defaults filled in; a start too far from today is refused."""
        start = start or self.today()
        if abs((start - self.today()).days) > self.settings.quarantine_days:
            raise StartOutOfRange(self.settings.quarantine_days)
        return Terms(start, days or self.settings.quarantine_days, place, by)

    def check_batch(self, people: int) -> None:
        if people > self.settings.quarantine_max_batch:
            raise TooMany(self.settings.quarantine_max_batch)

    async def case(self, case_id: str) -> ConfirmedCase:
        case = await self.store.case(case_id)
        if case is None:
            raise CaseNotFound(case_id)
        return case

    async def order_of(self, quarantine_id: str) -> QuarantineOrder:
        order = await self.store.order(quarantine_id)
        if order is None:
            raise QuarantineNotFound(quarantine_id)
        return order

    # --- cases and their proposed contacts ---

    async def confirm(self, subject_id: str, test_date: date, by: str) -> Proposal:
        """The case (new or as confirmed before) with its proposed F1."""
        now = self.clock()
        start, end = rules.contact_window(test_date, self.settings.contact_days, now)
        ward = (await self.store.wards_of([subject_id])).get(subject_id)
        # The proposed F1 travel with the case: the declaration service lets the
        # epidemiologists see who they are, to call them before any order.
        proposed = await self._contacts(subject_id, start, end)
        payload = CaseConfirmed(subject_id=subject_id, positive_test_date=test_date,
                                confirmed_by=by, case_id=rules.case_id(subject_id, test_date),
                                ward_code=ward,
                                contacts=[c.subject_id for c in proposed.contacts])
        event = Envelope.wrap(payload, producer=PRODUCER, correlation_id=correlation_id.get())
        created = await self.store.add_case(event, now, (start, end))
        self.relays.cases.wake()
        case = await self.store.case(payload.case_id or "")
        assert case is not None, "just written"
        return await self.proposal(case, created)

    async def proposal(self, case: ConfirmedCase, created: bool = False) -> Proposal:
        """The F1 proposal: the contacts feature's degree-1 answer over the case's window,
        with each contact's ward of stay and the order already given for this case."""
        contacts = await self._contacts(case.subject_id, case.window_start, case.window_end)
        ids = [c.subject_id for c in contacts.contacts]
        wards = await self.store.wards_of(ids)
        ordered = {o.subject_id: o.quarantine_id for s in ids
                   for o in await self.store.orders_of(s) if o.case_id == case.case_id}
        return Proposal(case, created, contacts, [
            ProposedContact(c, wards.get(c.subject_id), ordered.get(c.subject_id))
            for c in contacts.contacts])

    async def _contacts(self, subject_id: str, start: datetime, end: datetime) -> Contacts:
        return await self.queries.contacts(subject_id, start, end,
                                           self.settings.contact_window_minutes, 1)

    # --- quarantine orders ---

    async def order_contacts(self, case: ConfirmedCase, chosen: list[str] | None,
                             ward_codes: dict[str, str], terms: Terms) -> list[Ordered]:
        """Quarantine all (`chosen` None) or some of the case's proposed contacts, with
        their exposures as evidence; `ward_codes` where the trace does not know the ward."""
        contacts = (await self._contacts(case.subject_id, case.window_start,
                                         case.window_end)).contacts
        subjects = chosen if chosen is not None else [c.subject_id for c in contacts]
        if strangers := rules.unknown(subjects, contacts):
            raise NotAContact(strangers)
        wards = {**await self.store.wards_of(subjects), **ward_codes}
        if missing := [s for s in subjects if s not in wards]:
            raise WardUnknown(missing)
        evidence = {c.subject_id: rules.evidence_of(c) for c in contacts}
        return await self.order([Order(s, wards[s], QuarantineReason.contact, evidence[s],
                                       case.case_id) for s in dict.fromkeys(subjects)], terms)

    async def order_many(self, reason: QuarantineReason, declaration_ids: list[str],
                         subject_ids: list[str], ward_code: str | None,
                         terms: Terms) -> tuple[list[Ordered], list[str]]:
        """Bulk orders for the people of these declarations and these subjects; the ids
        not known here (or whose ward nobody knows) are answered apart."""
        declared = await self.store.declarations(declaration_ids)
        unknown = [d for d in declaration_ids if d not in declared]
        subjects = [s.lower() for s in subject_ids]
        wards = {**({s: ward_code for s in subjects} if ward_code else {}),
                 **await self.store.wards_of(subjects),
                 **{d.subject_id: d.ward_code for d in declared.values()}}
        unknown += [s for s in subjects if s not in wards]
        people = dict.fromkeys([d.subject_id for d in declared.values()] +
                               [s for s in subjects if s in wards])
        evidence = {d.subject_id: [f"declaration={d.declaration_id} channel={d.channel}"]
                    for d in declared.values()}
        done = await self.order([Order(s, wards[s], reason, evidence.get(s, []))
                                 for s in people], terms)
        return done, unknown

    async def order(self, orders: list[Order], terms: Terms) -> list[Ordered]:
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
            created = await self.store.add_order(event, now)
            stored = await self.store.order(qid)
            assert stored is not None, "just written"
            results.append(Ordered(stored, created))
        self.relays.orders.wake()
        return results

    async def orders_of(self, subject_id: str) -> list[Ordered]:
        """One person's orders, with their releases, by start."""
        return sorted(await self.with_status(await self.store.orders_of(subject_id)),
                      key=lambda o: o.order.start)

    async def with_status(self, orders: Iterable[QuarantineOrder]) -> list[Ordered]:
        listed = list(orders)
        releases = await self.store.released([o.quarantine_id for o in listed])
        return [Ordered(o, release=releases.get(o.quarantine_id)) for o in listed]

    # --- releases ---

    async def release(self, order: QuarantineOrder, by: str | None) -> tuple[Release, bool]:
        """Early (by an epidemiologist, now) or at term (by the job, `by` None: at the
        start of the end date, whenever the job gets to it)."""
        at = self.clock() if by is not None else datetime.combine(order.end, time(0), VN_TZ)
        payload = QuarantineReleased(quarantine_id=order.quarantine_id,
                                     subject_id=order.subject_id,
                                     at=at, early=by is not None, released_by=by)
        event = Envelope.wrap(payload, producer=PRODUCER, correlation_id=correlation_id.get())
        created = await self.store.add_release(event)
        self.relays.releases.wake()
        found = (await self.store.released([order.quarantine_id]))[order.quarantine_id]
        return found, created

    async def release_due(self) -> int:
        """Release at term every order whose end date has come; returns how many."""
        due = await self.store.ending_by(self.today())
        done = await self.store.released([d.quarantine_id for d in due])
        released = 0
        for order in (d for d in due if d.quarantine_id not in done):
            released += (await self.release(order, None))[1]
        return released

    # --- counts and suspects ---

    async def stats(self, days: int) -> Stats:
        """Active quarantines today, and new F0, F1, arrival and red-zone orders and
        people suspected from a follow-up, per day over the last `days`."""
        today = self.today()
        orders = await self.store.all_orders()
        releases = await self.store.released([o.quarantine_id for o in orders])
        window = [today - timedelta(days=n) for n in range(days)]
        suspects = await self.store.suspects_on([d.isoformat() for d in window])
        per_day = rules.daily_counts(await self.store.case_days(), orders, window, suspects)
        return Stats(today, rules.active_count(
            orders, {k: r.at for k, r in releases.items()}, today), per_day)

    async def suspected(self, days: int) -> list[rules.SuspectedPerson]:
        """People suspected from a follow-up over the last `days` Viet Nam days."""
        today = self.today()
        reports = await self.store.suspects_on(
            [(today - timedelta(days=n)).isoformat() for n in range(days)])
        subjects = sorted({r.subject_id for r in reports})
        orders = await self.store.orders(sorted({r.quarantine_id for r in reports}))
        return rules.suspected_people(reports, orders, await self.store.cases_of(subjects))


def release_job(desk: Casework, interval_s: float) -> Hook:
    """Releases at term, periodically: an order's release day is a date, no event marks it."""
    return every(interval_s, desk.release_due, "quarantines released at term")
