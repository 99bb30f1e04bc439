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
from libs.runtime.openapi import beyond_schema, responses
from services.declaration import rules
from services.declaration.context import Context
from services.declaration.csv_rows import Manifest
from services.declaration.domain import arrival_event, submitted_events
from services.declaration.examples import FORM_EXAMPLES
from services.declaration.form import FORM_RULES, PaperForm, Text, Ward, declared_links
from services.declaration.imports import CsvFormat, CsvProblem, plan, read_rows
from services.declaration.validation import TranslatedErrorsRoute, invalid_input
from services.declaration.views import Submitted, submitted

Officer = Annotated[Principal, require(Role.officer, Role.admin)]
Paper = Annotated[PaperForm, Body(openapi_examples=FORM_EXAMPLES)]
# The manifest's query parameters, checked together by ManifestQuery (every error at once).
ManifestText = Annotated[PlainText | None, Query(max_length=40)]
# A CSV file: its schema names no JSON type (any text is a file; what is wrong in it is
# reported, below), so that no JSON "of the wrong type" stands for text on the wire.
CSV_BODY = {"requestBody": {"required": True, "content": {"text/csv": {"schema": {
    "description": "UTF-8, a header row, then one form (or passenger) a row",
    "example": "full_name,date_of_birth,gender,national_id,phone,permanent_ward,current_ward,"
               "origin_ward,destination_ward,departure_date,transport_mode,consent\r\n"}}}}}
IMPORT_RULES = responses(
    beyond_schema(status=400, csv_empty="a file without a row", csv_encoding="a file that is not UTF-8",
                  csv_malformed="a file that does not read as CSV",
                  csv_columns="a header that is not the format's columns",
                  csv_too_many_rows="more rows than one import takes"),
    beyond_schema(
        missing="with `format=manifest`: mode, number, arrival_date, entry_ward or "
                "country_of_departure not given",
        literal_error="with `format=manifest`: a mode other than plane or ship",
        string_pattern_mismatch="with `format=manifest`: a country_of_departure that is not "
                                "two capital letters",
        string_too_long="with `format=manifest`: a port_of_departure over 60 characters",
        date_from_datetime_parsing="with `format=manifest`: an arrival_date that is no date",
        date_from_datetime_inexact="with `format=manifest`: an arrival_date with a time",
        date_parsing="with `format=manifest`: an arrival_date that is no date",
        ward_format="with `format=manifest`: an entry_ward that is not a ward code",
        ward_unknown="with `format=manifest`: an entry_ward that is no current ward",
        flight_number_required="with `format=manifest&mode=plane`: no number",
        flight_number_format="with `format=manifest&mode=plane`: a number that is not a "
                             "flight number",
        transport_number_length="with `format=manifest&mode=ship`: a number over 30 "
                                "characters",
        departure_past="with `format=manifest`: an arrival_date before today",
        departure_too_far=f"with `format=manifest`: an arrival_date more than "
                          f"{rules.MAX_DAYS_AHEAD} days ahead"))


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
    country_of_departure: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    port_of_departure: Annotated[Text | None, Field(max_length=60)] = None

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
    return Manifest(meta.mode, meta.number, meta.arrival_date, meta.entry_ward,
                    meta.country_of_departure, meta.port_of_departure)


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

    @router.post("/paper", status_code=201, response_model=Submitted,
                 responses=responses(beyond_schema(FORM_RULES), declared_links(201)))
    async def paper(form: Paper, who: Officer) -> Submitted:
        """A paper form typed in by an officer, who is recorded as `entered_by`."""
        events = submitted_events(form, channel=Channel.paper,
                                  secret=ctx.settings.subject_secret_bytes,
                                  validity_hours=ctx.settings.validity_hours,
                                  entered_by=who.subject, correlation_id=correlation_id.get(),
                                  natural=True)
        duplicates = await ctx.store.add(events, family=True)
        ctx.declarations_relay.wake(*(e.payload.declaration_id for e in events))
        return submitted(events, duplicates, ctx.citizen_token)

    @router.post("/import", response_model=ImportReport, openapi_extra=CSV_BODY,
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
            rows = read_rows(await request.body(), format)
        except CsvProblem as problem:
            raise ApiError(400, problem.code, problem.vi, problem.en,
                           {"columns": problem.columns} if problem.columns else None) from None
        result = plan(rows, format, manifest, vn_today())
        lines, events = _events(ctx, result.forms, who)
        arrivals = {e.payload.declaration_id: arrival_event(e, manifest) for e in events} \
            if manifest else {}
        duplicates = await ctx.store.add(events, arrivals=arrivals)
        ctx.declarations_relay.wake(*(e.payload.declaration_id for e in events))
        imported = [ImportedRow(line=line, declaration_id=event.payload.declaration_id,
                                duplicate=i in duplicates)
                    for i, (line, event) in enumerate(zip(lines, events, strict=True))]
        return ImportReport(format=format, rows=len(rows), created=len(events) - len(duplicates),
                            duplicates=len(duplicates), rejected=len(result.errors),
                            declarations=imported, errors=result.errors)

    return router
