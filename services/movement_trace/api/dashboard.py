"""The epidemiologists' dashboard: the trace's counts per province and Viet Nam day,
passages per hour. Like every trace query: the `epidemiologist` role, a purpose, audited.
(No `from __future__ import annotations`: FastAPI resolves the dependency aliases.)"""

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query

from libs.runtime.auth import Epidemiologist
from services.movement_trace.api.common import Purpose
from services.movement_trace.api.models import Dashboard, DashboardHour, DashboardRow
from services.movement_trace.domain.dashboard import COUNTS
from services.movement_trace.service.auditing import Auditor
from services.movement_trace.service.dashboard import Dashboard as DashboardDesk


def province_names(codes: set[int | None]) -> dict[str, str]:
    from vietnam_provinces import Province, ProvinceCode

    names = {}
    for code in (c for c in codes if c is not None):
        try:
            names[str(code)] = Province.from_code(ProvinceCode(code)).name
        except ValueError:  # a code the catalogue lacks: the page shows the number
            pass
    return names


def build_router(desk: DashboardDesk, auditor: Auditor) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["cases and quarantine"])

    @router.get("/dashboard", response_model=Dashboard)
    async def dashboard(who: Epidemiologist, purpose: Purpose,
                        days: Annotated[int, Query(ge=1, le=28)] = 14) -> Dashboard:
        """Cases, quarantine orders, follow-ups, arrivals (from marked countries too),
        identity verdicts and checkpoint passages per province and Viet Nam day over the
        last `days`; passages and refusals per province and hour over the last 24 hours."""
        await auditor.record(who, purpose, f"dashboard days={days}")
        found = await desk.figures(days)
        return Dashboard(today=found.today, days=found.days, hours=found.hours,
                         rows=[DashboardRow.model_validate(asdict(r)) for r in found.rows],
                         per_hour=[DashboardHour.model_validate(asdict(h))
                                   for h in found.per_hour],
                         totals={name: found.total(name) for name in COUNTS},
                         province_names=province_names({r.province_code for r in found.rows}
                                                       | {h.province_code for h in found.per_hour}))

    return router
