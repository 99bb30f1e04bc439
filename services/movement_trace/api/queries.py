"""Epidemiologists' routes: timeline, visits, contacts, and their exports.

Every call needs the `epidemiologist` role and a purpose, and is audited
(and published as `trace.accessed`) before it is answered. (No `from __future__ import annotations` here: the
per-router dependency aliases below are local, and FastAPI resolves string
annotations only against module globals.)
"""


from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel

from libs.contracts.values import Identifier, passport_subject_id
from libs.runtime.auth import Epidemiologist
from libs.runtime.errors import ApiError
from libs.runtime.openapi import Responses, beyond_schema, link, links, responses
from services.movement_trace.api import exports
from services.movement_trace.api.common import (
    From,
    Purpose,
    SubjectParam,
    To,
    span,
    subject_of,
    time_range,
)
from services.movement_trace.api.models import NationalIdIn, Subject
from services.movement_trace.domain.answers import Contacts, Timeline, Visits
from services.movement_trace.service.auditing import Auditor
from services.movement_trace.service.queries import TraceQueries
from services.movement_trace.settings import Settings

Format = Annotated[Literal["csv", "json", "geojson"], Query(description="file format")]
MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json",
         "geojson": "application/geo+json"}
DOWNLOAD: Responses = {200: {"description": "a file in the chosen format",
                  "content": {media.split(";")[0]: {} for media in MEDIA.values()}}}
RANGE = {"range_invalid": "`from` not before `to` (`to` is now when not given)",
         "range_too_long": "`from` to `to` longer than the query allows (the timeline 62 days, "
                           "visits 7, contacts 28, by default)"}
QUERY = beyond_schema(RANGE)
EXPORT = responses(DOWNLOAD, beyond_schema(RANGE, no_coordinates="`format=geojson` but for a "
                                           "timeline with coordinates"))


@dataclass(frozen=True)
class Ask:
    """A parsed question: whom or where, and when."""

    target: str
    start: datetime
    end: datetime
    window_minutes: int = 0
    degree: int = 1


def build_router(queries: TraceQueries, auditor: Auditor, settings: Settings) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["trace"])
    day = timedelta(days=1)

    def timeline_ask(subject_id: SubjectParam, start: From = None, end: To = None) -> Ask:
        return Ask(subject_id, *time_range(start, end, settings.retention.window,
                                        settings.timeline_max_days * day))

    def visits_ask(checkpoint_id: Annotated[Identifier, Query(min_length=1, max_length=100)],
                   start: From = None, end: To = None) -> Ask:
        return Ask(checkpoint_id, *time_range(start, end, day, settings.visits_max_days * day))

    def contacts_ask(subject_id: SubjectParam, start: From = None, end: To = None,
                     days: Annotated[int | None, Query(ge=1, le=28, description="look-back when "
                                                       "'from' is not given")] = None,
                     window_minutes: Annotated[int | None, Query(ge=0, le=240)] = None,
                     degree: Annotated[int, Query(ge=1, le=2)] = 1) -> Ask:
        back = (days or settings.contact_days) * day
        window = settings.contact_window_minutes if window_minutes is None else window_minutes
        return Ask(subject_id, *time_range(start, end, back, 28 * day), window, degree)

    async def timeline_of(ask: Ask, who: Epidemiologist, purpose: str, label: str) -> Timeline:
        await auditor.record(who, purpose, f"{label} subject={ask.target} "
                             f"{span(ask.start, ask.end)}", subject_id=ask.target)
        return await queries.timeline(ask.target, ask.start, ask.end)

    async def visits_of(ask: Ask, who: Epidemiologist, purpose: str, label: str) -> Visits:
        await auditor.record(who, purpose, f"{label} checkpoint={ask.target} "
                             f"{span(ask.start, ask.end)}")
        return await queries.visits(ask.target, ask.start, ask.end)

    async def contacts_of(ask: Ask, who: Epidemiologist, purpose: str, label: str) -> Contacts:
        await auditor.record(who, purpose, f"{label} subject={ask.target} {span(ask.start, ask.end)}"
                             f" window={ask.window_minutes} degree={ask.degree}",
                             subject_id=ask.target)
        return await queries.contacts(ask.target, ask.start, ask.end, ask.window_minutes, ask.degree)

    TimelineAsk = Annotated[Ask, Depends(timeline_ask)]
    VisitsAsk = Annotated[Ask, Depends(visits_ask)]
    ContactsAsk = Annotated[Ask, Depends(contacts_ask)]

    named = "$response.body#/subject_id"
    subject_links = links(200, **{
        name: link(path, "GET", f"the person's {what}", subject_id=named)
        for name, path, what in (("Timeline", "/v1/timeline", "movements"),
                                 ("Contacts", "/v1/contacts", "contacts"),
                                 ("Quarantines", "/v1/quarantines", "quarantine orders"))})

    @router.post("/subjects", response_model=Subject, responses=subject_links)
    async def subject(body: NationalIdIn, _: Epidemiologist) -> Subject:
        """The pseudonymous subject id of a CCCD or CMND, to name the person in the
        queries below: the number itself then never appears in a URL. Not audited: the
        pseudonym says nothing about anyone's movements; each query that uses it is."""
        if body.passport and body.nationality:
            return Subject(subject_id=passport_subject_id(settings.subject_secret_bytes,
                                                          body.nationality, body.passport))
        return Subject(subject_id=subject_of(settings, body.national_id or ""))

    @router.get("/timeline", response_model=Timeline, responses=QUERY)
    async def timeline(who: Epidemiologist, purpose: Purpose, ask: TimelineAsk) -> Timeline:
        """Movements of one person between two times (default: the retention period)."""
        return await timeline_of(ask, who, purpose, "timeline")

    @router.get("/visits", response_model=Visits, responses=QUERY)
    async def visits(who: Epidemiologist, purpose: Purpose, ask: VisitsAsk) -> Visits:
        """Everyone at a checkpoint or venue in a time window (default: the last 24 h)."""
        return await visits_of(ask, who, purpose, "visits")

    @router.get("/contacts", response_model=Contacts, responses=QUERY)
    async def contacts(who: Epidemiologist, purpose: Purpose, ask: ContactsAsk) -> Contacts:
        """People who met the person (degree 1) and, on request, whom those met (degree 2)."""
        return await contacts_of(ask, who, purpose, "contacts")

    @router.get("/timeline/export", responses=EXPORT)
    async def timeline_export(who: Epidemiologist, purpose: Purpose, ask: TimelineAsk,
                              format: Format = "csv") -> Response:
        """The timeline as CSV, JSON or GeoJSON (GeoJSON needs movements with coordinates)."""
        answer = await timeline_of(ask, who, purpose, f"export timeline format={format}")
        return _download(answer, format, f"timeline-{ask.target[:12]}")

    @router.get("/visits/export", responses=EXPORT)
    async def visits_export(who: Epidemiologist, purpose: Purpose, ask: VisitsAsk,
                            format: Format = "csv") -> Response:
        """Visits to a checkpoint as CSV or JSON."""
        answer = await visits_of(ask, who, purpose, f"export visits format={format}")
        return _download(answer, format, f"visits-{ask.target}")

    @router.get("/contacts/export", responses=EXPORT)
    async def contacts_export(who: Epidemiologist, purpose: Purpose, ask: ContactsAsk,
                              format: Format = "csv") -> Response:
        """Contacts as CSV (one row per exposure) or JSON."""
        answer = await contacts_of(ask, who, purpose, f"export contacts format={format}")
        return _download(answer, format, f"contacts-{ask.target[:12]}")

    return router


def _no_geojson(en: str) -> ApiError:
    return ApiError(422, "no_coordinates", "Không có tọa độ để xuất GeoJSON", en,
                    {"format": [{"code": "no_coordinates", "message": en}]})


def _download(answer: BaseModel, format: str, stem: str) -> Response:
    if format == "csv":
        body = exports.to_csv(answer)
    elif format == "json":
        body = exports.to_json(answer)
    elif not isinstance(answer, Timeline):
        raise _no_geojson("GeoJSON is offered for timelines only")
    else:
        try:
            body = exports.to_geojson(answer)
        except exports.NoCoordinates as exc:
            raise _no_geojson(str(exc)) from None
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in stem)
    return Response(body, media_type=MEDIA[format],
                    headers={"content-disposition": f'attachment; filename="{safe}.{format}"'})
