"""Epidemiologists' casework routes: confirm an F0, see its proposed F1, order and
release quarantines, and the daily counts.

Like every trace query, each call needs the `epidemiologist` role and a purpose
and is audited (`trace.accessed`) before it is acted on. (No `from __future__
import annotations`: FastAPI resolves the dependency aliases at import.)
"""

from typing import Annotated

from fastapi import APIRouter, Query

from libs.contracts.events.trace import QuarantineReason
from libs.contracts.values import Identifier
from libs.runtime.auth import Epidemiologist
from libs.runtime.errors import ApiError
from libs.runtime.openapi import beyond_schema, link, links, responses
from services.movement_trace.api.common import Purpose, SubjectParam, resolve_subject
from services.movement_trace.api.models import (
    BulkOrderIn,
    Case,
    CaseIn,
    CaseStats,
    ContactOrderIn,
    DayCounts,
    FollowupReport,
    OrdersOut,
    Proposal,
    Proposed,
    QuarantineOut,
    ReleaseIn,
    Suspected,
    SuspectedList,
)
from services.movement_trace.api.models import Terms as TermsIn
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
from services.movement_trace.domain.records import ConfirmedCase
from services.movement_trace.service import casework
from services.movement_trace.service.auditing import Auditor
from services.movement_trace.service.casework import Casework, Ordered, Terms
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


def _ordered(done: list[Ordered]) -> list[QuarantineOut]:
    return [QuarantineOut.of(o.order, o.created, o.release) for o in done]


def _proposal(found: casework.Proposal) -> Proposal:
    return Proposal(case=Case.of(found.case), created=found.created, contacts=found.contacts,
                    proposed=[Proposed(subject_id=p.contact.subject_id,
                                       first_exposure=p.contact.first_exposure,
                                       exposures=p.contact.exposures, ward_code=p.ward_code,
                                       quarantine_id=p.quarantine_id) for p in found.proposed])


def build_router(desk: Casework, auditor: Auditor, settings: Settings) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["cases and quarantine"])

    def terms(body: TermsIn, who: Epidemiologist) -> Terms:
        try:
            return desk.terms(body.start, body.days, body.place, who.subject)
        except StartOutOfRange as refused:
            raise _invalid("start", "start_out_of_range", "Ngày bắt đầu quá xa hôm nay",
                           f"The start must be within {refused.days} days of today") from None

    async def case_or_404(case_id: str) -> ConfirmedCase:
        try:
            return await desk.case(case_id)
        except CaseNotFound:
            raise ApiError(404, "case_not_found", "Không tìm thấy ca bệnh",
                           "No such case") from None

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
        try:
            desk.check_test_date(body.positive_test_date)
        except PositiveTestInFuture:
            raise _invalid("positive_test_date", "date_in_future", "Ngày xét nghiệm ở tương lai",
                           "The test date is in the future") from None
        except PositiveTestTooOld:
            raise _invalid("positive_test_date", "date_too_old", "Ngày xét nghiệm quá cũ",
                           "The test date is older than the movements kept") from None
        await auditor.record(who, body.purpose, f"case.confirm subject={subject} "
                             f"positive_test_date={body.positive_test_date}", subject_id=subject)
        return _proposal(await desk.confirm(subject, body.positive_test_date, who.subject))

    @router.get("/cases/{case_id}/proposal", response_model=Proposal)
    async def proposal(case_id: Identifier, who: Epidemiologist, purpose: Purpose) -> Proposal:
        """The case's proposed F1 again, with the orders already given for it."""
        case = await case_or_404(case_id)
        await auditor.record(who, purpose, f"case.proposal case={case_id}")
        return _proposal(await desk.proposal(case))

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
        try:
            done = await desk.order_contacts(case, body.subject_ids, body.ward_codes, agreed)
        except NotAContact as refused:
            raise _invalid("subject_ids", "not_a_contact", "Không phải người tiếp xúc đề xuất",
                           "Not among the proposed contacts", refused.subject_ids) from None
        except WardUnknown as refused:
            raise _invalid("ward_codes", "ward_unknown", "Chưa biết nơi lưu trú, cần ward_codes",
                           "Ward of stay unknown: give it in ward_codes",
                           refused.subject_ids) from None
        return OrdersOut(ordered=_ordered(done))

    release_link = links(201, Release=link(
        "/v1/quarantines/{quarantine_id}/release", "POST", "release the first order early",
        quarantine_id="$response.body#/ordered/0/quarantine_id"))

    @router.post("/quarantines", status_code=201, response_model=OrdersOut,
                 responses=responses(ORDER_MANY, release_link))
    async def order_many(body: BulkOrderIn, who: Epidemiologist) -> OrdersOut:
        """Bulk orders for arrivals from abroad (e.g. the declaration ids an arrivals
        manifest import returned) or people living in a red zone; unknown ids are listed."""
        agreed = terms(body, who)
        try:
            desk.check_batch(len(body.declaration_ids) + len(body.subject_ids))
        except TooMany as refused:
            raise _invalid("declaration_ids", "too_many", "Quá nhiều người trong một lệnh",
                           f"At most {refused.most} people per call") from None
        await auditor.record(who, body.purpose, f"quarantine.bulk reason={body.reason} "
                             f"declarations={len(body.declaration_ids)} "
                             f"subjects={len(body.subject_ids)}")
        done, unknown = await desk.order_many(QuarantineReason(body.reason), body.declaration_ids,
                                              body.subject_ids, body.ward_code, agreed)
        return OrdersOut(ordered=_ordered(done), unknown=unknown)

    @router.get("/quarantines", response_model=list[QuarantineOut])
    async def of_person(who: Epidemiologist, purpose: Purpose,
                        subject_id: SubjectParam) -> list[QuarantineOut]:
        """One person's quarantine orders, with their releases."""
        await auditor.record(who, purpose, f"quarantines subject={subject_id}",
                             subject_id=subject_id)
        return _ordered(await desk.orders_of(subject_id))

    @router.post("/quarantines/{quarantine_id}/release", response_model=QuarantineOut)
    async def release(quarantine_id: Identifier, body: ReleaseIn, who: Epidemiologist) -> QuarantineOut:
        """Release before the end date → `quarantine.released` (early); a second call
        answers the first release."""
        try:
            order = await desk.order_of(quarantine_id)
        except QuarantineNotFound:
            raise ApiError(404, "quarantine_not_found", "Không tìm thấy lệnh cách ly",
                           "No such quarantine order") from None
        await auditor.record(who, body.purpose, f"quarantine.release id={quarantine_id}")
        found, _ = await desk.release(order, who.subject)
        return QuarantineOut.of(order, release=found)

    @router.get("/cases/stats", response_model=CaseStats)
    async def stats(who: Epidemiologist, purpose: Purpose,
                    days: Annotated[int, Query(ge=1, le=60)] = 14) -> CaseStats:
        """Active quarantines today, and new F0, F1, arrivals and red-zone orders per day."""
        await auditor.record(who, purpose, f"cases.stats days={days}")
        found = await desk.stats(days)
        return CaseStats(today=found.today, active_quarantines=found.active_quarantines,
                         per_day=[DayCounts.model_validate(d, from_attributes=True)
                                  for d in found.per_day])

    @router.get("/cases/suspected", response_model=SuspectedList)
    async def suspected(who: Epidemiologist, purpose: Purpose,
                        days: Annotated[int, Query(ge=1, le=28)] = 14) -> SuspectedList:
        """People suspected from a follow-up: symptoms or fever (at or above the threshold)
        reported at a visit or call during their quarantine, with each report as evidence,
        over the last `days` Viet Nam days. Confirm one as a case with POST /v1/cases."""
        await auditor.record(who, purpose, f"cases.suspected days={days}")
        people = await desk.suspected(days)
        return SuspectedList(today=desk.today(), days=days, fever_c=settings.fever_c, suspected=[
            Suspected(subject_id=p.subject_id, ward_code=p.ward_code,
                      quarantine_id=p.quarantine_id, quarantine_reason=p.quarantine_reason,
                      source_case_id=p.source_case_id, first_reported=p.first_reported,
                      last_reported=p.last_reported, case_id=p.case_id,
                      reports=[FollowupReport.model_validate(r.model_dump()) for r in p.reports])
            for p in people])

    return router
