"""Officers' routes: a paper form typed in, and CSV imports of paper forms or manifests.

Officer-entered declarations get ids derived from what was declared
(domain.declarations.natural_id), so typing the same form twice or uploading the same
file again creates nothing new: those rows come back marked `duplicate`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Request
from pydantic import BaseModel, Field, ValidationError, ValidationInfo, field_validator

from libs.contracts.values import Day, PlainText
from libs.contracts.vietnam_time import vn_today
from libs.runtime.auth import Officer
from libs.runtime.errors import ApiError
from libs.runtime.openapi import beyond_schema, responses
from services.declaration.api.bodies import entry, submitted
from services.declaration.api.deps import Deps
from services.declaration.api.examples import FORM_EXAMPLES
from services.declaration.api.models import Entry, ImportedRow, ImportReport, Submitted
from services.declaration.api.openapi_extras import CSV_BODY, IMPORT_RULES, declared_links
from services.declaration.api.validation import TranslatedErrorsRoute, invalid_input
from services.declaration.domain import form_rules
from services.declaration.domain.csv_import import CsvFormat
from services.declaration.domain.csv_rows import Manifest
from services.declaration.domain.errors import CsvProblem
from services.declaration.domain.form import FORM_RULES, PaperForm, Text, Ward

Paper = Annotated[PaperForm, Body(openapi_examples=FORM_EXAMPLES)]
# The manifest's query parameters, checked together by ManifestQuery (every error at once).
ManifestText = Annotated[PlainText | None, Query(max_length=40)]


class ManifestQuery(BaseModel):
    mode: Literal["plane", "ship"]
    number: Text
    arrival_date: date
    entry_ward: Ward
    country_of_departure: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    port_of_departure: Annotated[Text | None, Field(max_length=60)] = None

    @field_validator("number")
    @classmethod
    def _number(cls, value: str, info: ValidationInfo) -> str:
        return form_rules.transport_number(info.data.get("mode", ""), value) or value

    @field_validator("arrival_date")
    @classmethod
    def _arrival(cls, value: date, info: ValidationInfo) -> date:
        return form_rules.departure(value, form_rules.today_of(info))


def _manifest(fmt: CsvFormat, query: dict[str, str | None]) -> Manifest | None:
    if fmt != CsvFormat.manifest:
        return None
    try:
        meta = ManifestQuery.model_validate({k: v for k, v in query.items() if v is not None})
    except ValidationError as error:
        raise invalid_input(error.errors()) from None
    return Manifest(meta.mode, meta.number, meta.arrival_date, meta.entry_ward,
                    meta.country_of_departure, meta.port_of_departure)


def build_router(ctx: Deps) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["officers"], route_class=TranslatedErrorsRoute)

    @router.post("/declarations/paper", status_code=201, response_model=Submitted,
                 responses=responses(beyond_schema(FORM_RULES), declared_links(201)))
    async def paper(form: Paper, who: Officer) -> Submitted:
        """A paper form typed in by an officer, who is recorded as `entered_by`."""
        done = await ctx.submitting.enter_paper(form, who.subject)
        return submitted(done.events, done.duplicates, ctx.citizen_token)

    @router.post("/declarations/import", response_model=ImportReport, openapi_extra=CSV_BODY,
                 responses=IMPORT_RULES)
    async def import_csv(request: Request, who: Officer,
                         format: Annotated[CsvFormat, Query()] = CsvFormat.paper,
                         mode: ManifestText = None, number: ManifestText = None,
                         arrival_date: ManifestText = None,
                         entry_ward: ManifestText = None,
                         country_of_departure: ManifestText = None,
                         port_of_departure: ManifestText = None) -> ImportReport:
        """Import a CSV (UTF-8, header row) of paper forms, or an arrivals manifest of a
        flight or ship (`format=manifest&mode=plane&number=VN213&arrival_date=…&entry_ward=…
        &country_of_departure=KR&port_of_departure=ICN`): each passenger is also registered as
        an arrival (`arrival.registered`), what passport holders are verified against.
        Good rows become declarations, bad rows are reported by line; re-uploads add nothing."""
        manifest = _manifest(format, {"mode": mode, "number": number,
                                      "arrival_date": arrival_date, "entry_ward": entry_ward,
                                      "country_of_departure": country_of_departure,
                                      "port_of_departure": port_of_departure})
        try:
            done = await ctx.submitting.import_file(await request.body(), format, manifest,
                                                    who.subject, vn_today())
        except CsvProblem as problem:
            raise ApiError(400, problem.code, problem.vi, problem.en,
                           {"columns": problem.columns} if problem.columns else None) from None
        imported = [ImportedRow(line=line, declaration_id=event.payload.declaration_id,
                                duplicate=i in done.duplicates)
                    for i, (line, event) in enumerate(zip(done.lines, done.events, strict=True))]
        return ImportReport(format=format, rows=done.rows,
                            created=len(done.events) - len(done.duplicates),
                            duplicates=len(done.duplicates), rejected=len(done.errors),
                            declarations=imported, errors=done.errors)

    @router.get("/entries", response_model=list[Entry])
    async def entries(who: Officer, day: Annotated[Day | None, Query(
            description="a Viet Nam day (default: today)", examples=["2025-11-20"])] = None
                      ) -> list[Entry]:
        """The declarations the signed-in officer entered on a day (typed in from paper or
        imported), newest first, names and numbers masked: the officer's own list of the
        shift (at most 500)."""
        found = await ctx.lookups.entered_by(who.subject, day or vn_today())
        return [entry(stored) for stored in found]

    return router
