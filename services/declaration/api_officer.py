"""Officers' routes: a paper form typed in, and CSV imports of paper forms or manifests.

Officer-entered declarations get ids derived from what was declared
(domain.natural_id), so typing the same form twice or uploading the same
file again creates nothing new: those rows come back marked `duplicate`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from pydantic import BaseModel, Field, ValidationError, ValidationInfo, field_validator

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import Channel, DeclarationSubmitted
from libs.contracts.values import PlainText
from libs.contracts.vietnam_time import vn_today
from libs.runtime.auth import Principal, Role, require
from libs.runtime.errors import ApiError
from libs.runtime.logs import correlation_id
from services.declaration import rules
from services.declaration.context import Context
from services.declaration.csv_rows import Manifest
from services.declaration.domain import submitted_events
from services.declaration.examples import FORM_EXAMPLES
from services.declaration.form import PaperForm, Text, Ward
from services.declaration.imports import CsvFormat, CsvProblem, plan, read_rows
from services.declaration.validation import TranslatedErrorsRoute, invalid_input
from services.declaration.views import Submitted, submitted

Officer = Annotated[Principal, require(Role.officer, Role.admin)]
Paper = Annotated[PaperForm, Body(openapi_examples=FORM_EXAMPLES)]
# The manifest's query parameters, checked together by ManifestQuery (every error at once).
ManifestText = Annotated[PlainText | None, Query(max_length=40)]
CSV_BODY = {"requestBody": {"required": True, "content": {"text/csv": {"schema": {
    "type": "string", "example": "full_name,date_of_birth,gender,national_id,…"}}}}}


class ImportedRow(BaseModel):
    line: int = Field(examples=[2])
    declaration_id: str
    duplicate: bool = Field(description="already imported (same person, same trip)")


class ImportReport(BaseModel):
    format: CsvFormat
    rows: int = Field(examples=[3])
    created: int = Field(examples=[1])
    duplicates: int = Field(examples=[1])
    rejected: int = Field(examples=[1])
    declarations: list[ImportedRow]
    errors: list[dict[str, Any]] = Field(
        description="bad rows: line number and errors by column",
        examples=[[{"line": 4, "fields": {"national_id": [{"code": "national_id_format",
                                                           "message": {"vi": "…", "en": "…"}}]}}]])


class ManifestQuery(BaseModel):
    mode: Literal["plane", "ship"]
    number: Text
    arrival_date: date
    entry_ward: Ward

    @field_validator("number")
    @classmethod
    def _number(cls, value: str, info: ValidationInfo) -> str:
        return rules.transport_number(info.data.get("mode", ""), value) or value

    @field_validator("arrival_date")
    @classmethod
    def _arrival(cls, value: date, info: ValidationInfo) -> date:
        return rules.departure(value, rules.today_of(info))


def _manifest(fmt: CsvFormat, query: dict[str, Any]) -> Manifest | None:
    if fmt != CsvFormat.manifest:
        return None
    try:
        meta = ManifestQuery.model_validate({k: v for k, v in query.items() if v is not None})
    except ValidationError as error:
        raise invalid_input(error.errors()) from None
    return Manifest(meta.mode, meta.number, meta.arrival_date, meta.entry_ward)


def _events(ctx: Context, forms: list[tuple[int, PaperForm]],
            who: Principal) -> tuple[list[int], list[Envelope[DeclarationSubmitted]]]:
    lines, events = [], []
    for line, form in forms:
        for event in submitted_events(
                form, channel=Channel.import_, secret=ctx.settings.subject_secret_bytes,
                validity_hours=ctx.settings.validity_hours, entered_by=who.subject,
                correlation_id=correlation_id.get(), natural=True):
            lines.append(line)
            events.append(event)
    return lines, events


def build_router(ctx: Context) -> APIRouter:
    router = APIRouter(prefix="/v1/declarations", tags=["officers"],
                       route_class=TranslatedErrorsRoute)

    @router.post("/paper", status_code=201, response_model=Submitted)
    async def paper(form: Paper, who: Officer) -> Submitted:
        """A paper form typed in by an officer, who is recorded as `entered_by`."""
        events = submitted_events(form, channel=Channel.paper,
                                  secret=ctx.settings.subject_secret_bytes,
                                  validity_hours=ctx.settings.validity_hours,
                                  entered_by=who.subject, correlation_id=correlation_id.get(),
                                  natural=True)
        duplicates = await ctx.store.add(events)
        ctx.declarations_relay.wake(*(e.payload.declaration_id for e in events))
        return submitted(events, duplicates, ctx.citizen_token)

    @router.post("/import", response_model=ImportReport, openapi_extra=CSV_BODY)
    async def import_csv(request: Request, who: Officer,
                         format: Annotated[CsvFormat, Query()] = CsvFormat.paper,
                         mode: ManifestText = None, number: ManifestText = None,
                         arrival_date: ManifestText = None,
                         entry_ward: ManifestText = None) -> ImportReport:
        """Import a CSV (UTF-8, header row) of paper forms, or an arrivals manifest of a
        flight or ship (`format=manifest&mode=plane&number=VN213&arrival_date=…&entry_ward=…`).
        Good rows become declarations, bad rows are reported by line; re-uploads add nothing."""
        manifest = _manifest(format, {"mode": mode, "number": number,
                                      "arrival_date": arrival_date, "entry_ward": entry_ward})
        try:
            rows = read_rows(await request.body(), format)
        except CsvProblem as problem:
            raise ApiError(400, problem.code, problem.vi, problem.en,
                           {"columns": problem.columns} if problem.columns else None) from None
        result = plan(rows, format, manifest, vn_today())
        lines, events = _events(ctx, result.forms, who)
        duplicates = await ctx.store.add(events)
        ctx.declarations_relay.wake(*(e.payload.declaration_id for e in events))
        imported = [ImportedRow(line=line, declaration_id=event.payload.declaration_id,
                                duplicate=i in duplicates)
                    for i, (line, event) in enumerate(zip(lines, events, strict=True))]
        return ImportReport(format=format, rows=len(rows), created=len(events) - len(duplicates),
                            duplicates=len(duplicates), rejected=len(result.errors),
                            declarations=imported, errors=result.errors)

    return router
