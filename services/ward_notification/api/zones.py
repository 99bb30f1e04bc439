"""Epidemic zone levels: set by the health authority, read by everyone."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from libs.contracts.values import WardCode
from libs.contracts.wards import ward_names
from libs.runtime.auth import Admin
from libs.runtime.errors import ApiError
from libs.runtime.logs import correlation_id
from libs.runtime.openapi import beyond_schema
from services.ward_notification.api.models import Arrivals, Change, LevelRequest, ZoneStatus
from services.ward_notification.domain import zones as rules
from services.ward_notification.domain.errors import EffectiveAtInvalid
from services.ward_notification.service.zones import ZoneLevels

Ward = Annotated[WardCode, Path(description="5-digit ward code")]


def build_router(zones: ZoneLevels) -> APIRouter:
    router = APIRouter(prefix="/v1/zones", tags=["zones"])

    @router.post("/{ward_code}/levels", status_code=201, response_model=Change,
                 responses=beyond_schema(effective_at_invalid="an `effective_at` more than a "
                                                              "year back or ahead of now"))
    async def set_level(ward_code: Ward, body: LevelRequest, who: Admin) -> Change:
        """Set a ward's zone level from a time on (health authority); publishes the change."""
        try:
            change = await zones.set_level(ward_code, body.level, body.effective_at, body.note,
                                           who.subject, correlation_id.get())
        except EffectiveAtInvalid as invalid:
            raise ApiError(422, "effective_at_invalid", "Thời điểm hiệu lực không hợp lệ",
                           invalid.problem, {"effective_at": [
                               {"code": "invalid", "message": invalid.problem}]}) from None
        return Change.of(change)

    @router.get("/{ward_code}", response_model=ZoneStatus)
    async def status(ward_code: Ward, days: Annotated[int | None, Query(ge=1, le=28)] = None,
                     history_limit: Annotated[int, Query(ge=1, le=200)] = 50) -> ZoneStatus:
        """Public: a ward's level now, its history, the next scheduled change, recent arrivals."""
        zone = await zones.overview(ward_code, days, history_limit)
        ward_name, province_name = ward_names(ward_code)
        current = zone.in_force
        return ZoneStatus(
            ward_code=ward_code, ward_name=ward_name, province_name=province_name,
            level=zone.level, level_name=zone.level.name,
            level_name_vi=rules.LEVEL_NAMES_VI[zone.level], declared=current is not None,
            since=current.effective_at if current else None,
            next=Change.of(zone.upcoming) if zone.upcoming else None,
            history=[Change.of(c) for c in zone.history],
            recent_arrivals=Arrivals(days=zone.arrivals_days, count=zone.arrivals))

    return router
