"""Epidemiologists' casework routes: confirm an F0, see its proposed F1, order and
release quarantines, and the daily counts.

Like every trace query, each call needs the `epidemiologist` role and a purpose
and is audited (`trace.accessed`) before it is acted on. (No `from __future__
import annotations`: FastAPI resolves the dependency aliases at import.)
"""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from libs.contracts.events.trace import QuarantineReason
from libs.contracts.values import Identifier
from libs.runtime.errors import ApiError
from libs.runtime.openapi import beyond_schema, link, links, responses
from services.movement_trace.api.common import (
    Auditor,
    Epidemiologist,
    Purpose,
    SubjectParam,
    resolve_subject,
)
from services.movement_trace.api.models import (
    BulkOrderIn,
    Case,
    CaseIn,
    CaseStats,
    ContactOrderIn,
    OrdersOut,
    Proposal,
    Proposed,
    QuarantineOut,
    ReleaseIn,
    SuspectedList,
)
from services.movement_trace.api.models import Terms as TermsIn
from services.movement_trace.domain import quarantine_rules as rules
from services.movement_trace.service.casework import Casework, Order, Terms
from services.movement_trace.settings import Settings

START = {"start_out_of_range": "a `start` more than the quarantine length (14 days by default) "
                               "from today"}
CONFIRM = beyond_schema(date_in_future="a `positive_test_date` after today",
                        date_too_old="a `positive_test_date` before the movements kept "
                                     "(the retention window)")
ORDER_CONTACTS = beyond_schema(START, not_a_contact="`subject_ids` not among the case's "
                               "proposed contacts", ward_unknown="a contact whose ward of stay "
                               "neither the trace nor `ward_codes` knows")
ORDER_MANY = beyond_schema(START, too_many="more people (`declaration_ids` and `subject_ids` "
                           "together) than one call may order (quarantine_max_batch)")


def _invalid(field: str, code: str, vi: str, en: str, detail: object = None) -> ApiError:
    return ApiError(422, code, vi, en, {field: [{"code": code, "message": en,
                                                 **({"items": detail} if detail else {})}]})


def build_router(desk: Casework, auditor: Auditor, settings: Settings) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["cases and quarantine"])

    def terms(body: TermsIn, who: Epidemiologist) -> Terms:
        start = body.start or desk.today()
        if abs((start - desk.today()).days) > settings.quarantine_days:
            raise _invalid("start", "start_out_of_range", "Ngày bắt đầu quá xa hôm nay",
                           f"The start must be within {settings.quarantine_days} days of today")
        return Terms(start, body.days or settings.quarantine_days, body.place, who.subject)

    async def proposal_of(case: dict[str, object], created: bool) -> Proposal:
        contacts = await desk.proposal(case)
        ids = [c.subject_id for c in contacts.contacts]
        wards = await desk.store.wards_of(ids)
        ordered = {o["subject_id"]: o["_id"] for s in ids for o in await desk.store.orders_of(s)
                   if o.get("case_id") == case["_id"]}
        return Proposal(case=Case.model_validate(case), created=created,
                        contacts=contacts, proposed=[Proposed(
                            subject_id=c.subject_id, first_exposure=c.first_exposure,
                            exposures=c.exposures, ward_code=wards.get(c.subject_id),
                            quarantine_id=ordered.get(c.subject_id)) for c in contacts.contacts])

    async def case_or_404(case_id: str) -> dict[str, object]:
        case = await desk.store.case(case_id)
        if case is None:
            raise ApiError(404, "case_not_found", "Không tìm thấy ca bệnh", "No such case")
        return case

    case_links = links(201, GetProposal=link(
        "/v1/cases/{case_id}/proposal", "GET", "the case's proposed contacts again",
        case_id="$response.body#/case/case_id"), OrderContacts=link(
        "/v1/cases/{case_id}/quarantines", "POST", "quarantine the case's contacts",
        case_id="$response.body#/case/case_id"))

    @router.post("/cases", status_code=201, response_model=Proposal,
                 responses=responses(CONFIRM, case_links))
    async def confirm(body: CaseIn, who: Epidemiologist) -> Proposal:
        """Mark a person as a confirmed case (F0) → `case.confirmed`; answers the proposed
        F1: their degree-1 contacts from `contact_days` before the test until now."""
        subject = resolve_subject(settings, body.subject_id, body.national_id)
        if body.positive_test_date > desk.today():
            raise _invalid("positive_test_date", "date_in_future", "Ngày xét nghiệm ở tương lai",
                           "The test date is in the future")
        if body.positive_test_date < desk.today() - settings.retention.window:
            raise _invalid("positive_test_date", "date_too_old", "Ngày xét nghiệm quá cũ",
                           "The test date is older than the movements kept")
        await auditor.record(who, body.purpose, f"case.confirm subject={subject} "
                             f"positive_test_date={body.positive_test_date}", subject_id=subject)
        case, created = await desk.confirm(subject, body.positive_test_date, who.subject)
        return await proposal_of(case, created)

    @router.get("/cases/{case_id}/proposal", response_model=Proposal)
    async def proposal(case_id: Identifier, who: Epidemiologist, purpose: Purpose) -> Proposal:
        """The case's proposed F1 again, with the orders already given for it."""
        case = await case_or_404(case_id)
        await auditor.record(who, purpose, f"case.proposal case={case_id}")
        return await proposal_of(case, False)

    @router.post("/cases/{case_id}/quarantines", status_code=201, response_model=OrdersOut,
                 responses=ORDER_CONTACTS)
    async def order_contacts(case_id: Identifier, body: ContactOrderIn,
                             who: Epidemiologist) -> OrdersOut:
        """Confirm all (no `subject_ids`) or some of the proposed F1 → one
        `quarantine.ordered` each (reason `contact`, with the exposures as evidence)."""
        case = await case_or_404(case_id)
        agreed = terms(body, who)
        await auditor.record(who, body.purpose, f"quarantine.order case={case_id} "
                             f"subjects={','.join(body.subject_ids or ['all'])}")
        contacts = (await desk.proposal(case)).contacts
        chosen = body.subject_ids if body.subject_ids is not None else [
            c.subject_id for c in contacts]
        if strangers := rules.unknown(chosen, contacts):
            raise _invalid("subject_ids", "not_a_contact", "Không phải người tiếp xúc đề xuất",
                           "Not among the proposed contacts", strangers)
        wards = {**await desk.store.wards_of(chosen), **body.ward_codes}
        if missing := [s for s in chosen if s not in wards]:
            raise _invalid("ward_codes", "ward_unknown", "Chưa biết nơi lưu trú, cần ward_codes",
                           "Ward of stay unknown: give it in ward_codes", missing)
        evidence = {c.subject_id: rules.evidence_of(c) for c in contacts}
        done = await desk.order([Order(s, wards[s], QuarantineReason.contact, evidence[s],
                                       case_id) for s in dict.fromkeys(chosen)], agreed)
        return OrdersOut(ordered=[QuarantineOut.of(doc, created) for doc, created in done])

    release_link = links(201, Release=link(
        "/v1/quarantines/{quarantine_id}/release", "POST", "release the first order early",
        quarantine_id="$response.body#/ordered/0/quarantine_id"))

    @router.post("/quarantines", status_code=201, response_model=OrdersOut,
                 responses=responses(ORDER_MANY, release_link))
    async def order_many(body: BulkOrderIn, who: Epidemiologist) -> OrdersOut:
        """Bulk orders for arrivals from abroad (e.g. the declaration ids an arrivals
        manifest import returned) or people living in a red zone; unknown ids are listed."""
        agreed = terms(body, who)
        if len(body.declaration_ids) + len(body.subject_ids) > settings.quarantine_max_batch:
            raise _invalid("declaration_ids", "too_many", "Quá nhiều người trong một lệnh",
                           f"At most {settings.quarantine_max_batch} people per call")
        await auditor.record(who, body.purpose, f"quarantine.bulk reason={body.reason} "
                             f"declarations={len(body.declaration_ids)} "
                             f"subjects={len(body.subject_ids)}")
        declared = await desk.store.declarations(body.declaration_ids)
        unknown = [d for d in body.declaration_ids if d not in declared]
        subjects = [s.lower() for s in body.subject_ids]
        wards = {**({s: body.ward_code for s in subjects} if body.ward_code else {}),
                 **await desk.store.wards_of(subjects),
                 **{d["subject_id"]: d["ward_code"] for d in declared.values()}}
        unknown += [s for s in subjects if s not in wards]
        people = dict.fromkeys([d["subject_id"] for d in declared.values()] +
                               [s for s in subjects if s in wards])
        evidence = {d["subject_id"]: [f"declaration={d['_id']} channel={d['channel']}"]
                    for d in declared.values()}
        done = await desk.order([Order(s, wards[s], QuarantineReason(body.reason),
                                       evidence.get(s, [])) for s in people], agreed)
        return OrdersOut(ordered=[QuarantineOut.of(doc, c) for doc, c in done], unknown=unknown)

    @router.get("/quarantines", response_model=list[QuarantineOut])
    async def of_person(who: Epidemiologist, purpose: Purpose,
                        subject_id: SubjectParam) -> list[QuarantineOut]:
        """One person's quarantine orders, with their releases."""
        await auditor.record(who, purpose, f"quarantines subject={subject_id}",
                             subject_id=subject_id)
        orders = await desk.with_status(await desk.store.orders_of(subject_id))
        return [QuarantineOut.of(o) for o in sorted(orders, key=lambda o: o["start"])]

    @router.post("/quarantines/{quarantine_id}/release", response_model=QuarantineOut)
    async def release(quarantine_id: Identifier, body: ReleaseIn, who: Epidemiologist) -> QuarantineOut:
        """Release before the end date → `quarantine.released` (early); a second call
        answers the first release."""
        order = await desk.store.order(quarantine_id)
        if order is None:
            raise ApiError(404, "quarantine_not_found", "Không tìm thấy lệnh cách ly",
                           "No such quarantine order")
        await auditor.record(who, body.purpose, f"quarantine.release id={quarantine_id}")
        found, _ = await desk.release(order, who.subject)
        return QuarantineOut.of({**order, "release": found})

    @router.get("/cases/stats", response_model=CaseStats)
    async def stats(who: Epidemiologist, purpose: Purpose,
                    days: Annotated[int, Query(ge=1, le=60)] = 14) -> CaseStats:
        """Active quarantines today, and new F0, F1, arrivals and red-zone orders per day."""
        await auditor.record(who, purpose, f"cases.stats days={days}")
        today = desk.today()
        orders = await desk.store.all_orders()
        releases = await desk.store.released([o["_id"] for o in orders])
        window = [today - timedelta(days=n) for n in range(days)]
        suspects = await desk.store.suspects_on([d.isoformat() for d in window])
        per_day = rules.daily_counts([c["confirmed_day"] for c in await desk.store.case_days()],
                                     orders, window, suspects)
        return CaseStats(today=today, per_day=per_day, active_quarantines=rules.active_count(
            orders, {k: r["at"] for k, r in releases.items()}, today))

    @router.get("/cases/suspected", response_model=SuspectedList)
    async def suspected(who: Epidemiologist, purpose: Purpose,
                        days: Annotated[int, Query(ge=1, le=28)] = 14) -> SuspectedList:
        """People suspected from a follow-up: symptoms or fever (at or above the threshold)
        reported at a visit or call during their quarantine, with each report as evidence,
        over the last `days` Viet Nam days. Confirm one as a case with POST /v1/cases."""
        await auditor.record(who, purpose, f"cases.suspected days={days}")
        today = desk.today()
        reports = await desk.store.suspects_on(
            [(today - timedelta(days=n)).isoformat() for n in range(days)])
        subjects = sorted({r["subject_id"] for r in reports})
        orders = await desk.store.orders(sorted({r["quarantine_id"] for r in reports}))
        people = rules.suspected_people(reports, orders, await desk.store.cases_of(subjects))
        return SuspectedList.model_validate({"today": today, "days": days,
                                             "fever_c": settings.fever_c, "suspected": people})

    return router
