"""Epidemiologists' routes for arrivals from abroad: the marked countries, and the arrivals
proposed for a `reason=arrival` quarantine (ordered with `POST /v1/quarantines`).
(No `from __future__ import annotations`: FastAPI resolves the dependency aliases at import.)
"""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from libs.runtime.auth import Epidemiologist
from libs.runtime.errors import ApiError
from services.movement_trace.api.common import Purpose
from services.movement_trace.api.models import ArrivalProposal, Marked, MarkIn, ProposedArrival
from services.movement_trace.domain.errors import NotMarked
from services.movement_trace.service.arrivals import ArrivalDesk
from services.movement_trace.service.auditing import Auditor

CountryPath = Annotated[str, Path(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]


def build_router(desk: ArrivalDesk, auditor: Auditor) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["arrivals"])

    @router.get("/arrival-rules", response_model=list[Marked])
    async def rules(_: Epidemiologist) -> list[Marked]:
        """The countries whose arrivals are proposed for a quarantine."""
        return [Marked.of(m) for m in await desk.marked()]

    @router.put("/arrival-rules/{country}", response_model=Marked)
    async def mark(country: CountryPath, body: MarkIn, who: Epidemiologist) -> Marked:
        """Mark a country: its arrivals are proposed for a `reason=arrival` quarantine."""
        return Marked.of(await desk.mark(country, who.subject, body.purpose))

    @router.delete("/arrival-rules/{country}", status_code=204, responses={
        404: {"description": "the country was not marked"}})
    async def unmark(country: CountryPath, _: Epidemiologist) -> Response:
        """Unmark a country (orders already given stay)."""
        try:
            await desk.unmark(country)
        except NotMarked:
            raise ApiError(404, "not_marked", "Quốc gia này chưa được đánh dấu",
                           "This country is not marked") from None
        return Response(status_code=204)

    @router.get("/arrivals/proposed", response_model=ArrivalProposal)
    async def proposed(who: Epidemiologist, purpose: Purpose,
                       days: Annotated[int, Query(ge=1, le=28)] = 14) -> ArrivalProposal:
        """People who arrived from a marked country in the last `days` and have no arrival
        quarantine order yet, with the evidence (audited)."""
        await auditor.record(who, purpose, f"arrivals.proposed days={days}")
        marked, found = await desk.proposed(days)
        return ArrivalProposal(marked=marked, proposed=[ProposedArrival(
            subject_id=a.subject_id, arrival_date=a.arrival_date,
            country_of_departure=a.country, port_of_departure=a.port, transport=a.transport,
            entry_ward=a.entry_ward, destination_ward=a.destination_ward, evidence=a.evidence)
            for a in found])

    return router
