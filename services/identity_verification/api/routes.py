"""HTTP routes: resident lookup for officers; registry import, stats and verdicts.

Each route calls one use case and maps the domain's exceptions to `ApiError`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from libs.contracts.values import Identifier
from libs.runtime.auth import Principal, Role, require
from libs.runtime.errors import ApiError, valid_national_id
from libs.runtime.openapi import beyond_schema, responses
from services.identity_verification.api.models import Lookup, MaskedResident, Stats, Verification
from services.identity_verification.domain.errors import (
    BadHeader,
    EmptyImport,
    ResidentNotFound,
    VerificationNotFound,
)
from services.identity_verification.domain.import_rows import Format, ImportReport
from services.identity_verification.domain.residents import mask_id, mask_name
from services.identity_verification.service.importing import import_rows, lines_of
from services.identity_verification.service.lookups import Lookups
from services.identity_verification.service.ports import Registry, Verifications
from services.identity_verification.settings import Settings

Officer = Annotated[Principal, require(Role.officer, Role.admin)]
Admin = Annotated[Principal, require(Role.admin)]

_MEDIA_TYPES = {"application/x-ndjson": Format.ndjson, "application/jsonl": Format.ndjson,
                "application/ndjson": Format.ndjson, "text/csv": Format.csv}

# A file of rows: any text is taken, and a row that is not a resident comes back in the
# answer by line number; so the body's schema names no JSON type (schemathesis would
# otherwise send, as a "wrong type", JSON that is text all the same on the wire).
IMPORT_BODY = {"requestBody": {"required": True, "content": {
    media: {"schema": {"description": "NDJSON: one resident a line; CSV: a header, then one "
                                      "resident a line"}}
    for media in ("application/x-ndjson", "text/csv")}}}


def build_router(registry: Registry, verifications: Verifications,
                 settings: Settings) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["identity"])
    lookups = Lookups(registry, verifications)

    @router.post("/residents/lookup", response_model=MaskedResident, responses={
        404: {"description": "nobody in the registry has this number (resident_not_found)"}})
    async def lookup(body: Lookup, who: Officer) -> MaskedResident:
        """A resident by CCCD or old CMND, with the name and number masked. The number
        travels in the body: a URL would leave it in proxies' and browsers' logs."""
        key = valid_national_id(body.national_id)
        try:
            resident = await lookups.resident(key)
        except ResidentNotFound:
            raise ApiError(404, "resident_not_found", "Không có trong cơ sở dữ liệu dân cư",
                           "Not in the population registry") from None
        return MaskedResident(
            national_id=mask_id(resident.national_id), full_name=mask_name(resident.full_name),
            birth_year=resident.date_of_birth.year, gender=resident.gender,
            permanent_ward=resident.permanent_ward,
            permanent_ward_name=_ward_name(resident.permanent_ward), status=resident.status,
            matched_by="cmnd" if len(key) == 9 else "cccd")

    @router.post("/residents/import", response_model=ImportReport, openapi_extra=IMPORT_BODY,
                 responses=responses({415: {"description": "neither NDJSON nor CSV"}},
                                     beyond_schema(
                                         empty_import="a body without a single row",
                                         csv_header_invalid="CSV whose first line is not a "
                                                            "header of the registry's columns")))
    async def import_residents(request: Request, who: Admin,
                               format: Annotated[Format | None, Query()] = None) -> ImportReport:
        """Import registry rows (NDJSON or CSV, streamed); bad rows come back by line number."""
        fmt = format or _format_of(request.headers.get("content-type", ""))
        try:
            return await import_rows(registry, fmt, settings.import_batch,
                                          lines_of(request.stream()))
        except BadHeader as exc:
            raise ApiError(422, "csv_header_invalid", "Dòng tiêu đề CSV không hợp lệ", str(exc),
                           {"header": [{"code": "invalid", "message": str(exc)}]}) from None
        except EmptyImport:
            raise ApiError(422, "empty_import", "Không có dòng dữ liệu nào",
                           "The body holds no rows") from None

    @router.get("/stats", response_model=Stats)
    async def stats(who: Admin) -> Stats:
        """Registry size and verdict totals."""
        totals = await lookups.stats()
        return Stats(residents=totals.residents, cmnd_aliases=totals.cmnd_aliases,
                     partitions=totals.partitions, verifications=totals.verifications)

    @router.get("/verifications/{declaration_id}", response_model=Verification)
    async def verification(declaration_id: Identifier, who: Officer) -> Verification:
        """The verdict on one declaration."""
        try:
            found = await lookups.verification(declaration_id)
        except VerificationNotFound:
            raise ApiError(404, "verification_not_found", "Tờ khai chưa được xác minh",
                           "This declaration has not been verified (yet)") from None
        return Verification(declaration_id=found.declaration_id, outcome=found.outcome.value,
                            reasons=found.reasons, flags=found.flags,
                            registered_permanent_ward=found.registered_permanent_ward)

    return router


def _format_of(content_type: str) -> Format:
    media = content_type.split(";")[0].strip().lower()
    if media not in _MEDIA_TYPES:
        raise ApiError(415, "unsupported_media_type", "Chỉ nhận NDJSON hoặc CSV",
                       "Send application/x-ndjson or text/csv (or ?format=ndjson|csv)",
                       {"content-type": [{"code": "unsupported", "message": media or "missing"}]})
    return _MEDIA_TYPES[media]


def _ward_name(code: str) -> str:
    from vietnam_provinces import Ward, WardCode

    return str(Ward.from_code(WardCode(int(code))).name)
