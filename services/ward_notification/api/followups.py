"""Daily follow-up of quarantined people, for the ward official of their ward of stay.
(No `from __future__ import annotations`: FastAPI resolves the dependency aliases at
import.)"""

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query

from libs.contracts.values import Day
from libs.runtime.auth import Principal, Role, WardOfficial, require
from libs.runtime.errors import ApiError
from libs.runtime.logs import correlation_id
from services.ward_notification.api.models import DueOut, FollowupCounts, FollowupIn, FollowupOut
from services.ward_notification.api.scope import WardsQuery, forbidden, wards_for
from services.ward_notification.domain.errors import (
    NotUnderQuarantine,
    QuarantineNotFound,
    WardForbidden,
)
from services.ward_notification.service.followups import FollowupDesk

# Counts carry no personal data: epidemiologists see them for any ward, or all wards.
CountReader = Annotated[Principal, require(Role.ward_official, Role.admin, Role.epidemiologist)]
DayQuery = Annotated[Day | None, Query(description="local day (default: today)")]


def build_router(desk: FollowupDesk) -> APIRouter:
    router = APIRouter(prefix="/v1/followups", tags=["follow-up"])

    @router.get("", response_model=list[DueOut])
    async def follow_up_list(who: WardOfficial, ward: WardsQuery = None,
                             day: DayQuery = None) -> list[DueOut]:
        """Everyone under quarantine in the ward(s) on the day: lost to follow-up first."""
        return [DueOut.of(d) for d in await desk.due(wards_for(who, ward), day)]

    @router.post("", status_code=201, response_model=FollowupOut, responses={
        404: {"description": "no such quarantine (quarantine_not_found)"},
        409: {"description": "not under quarantine today (not_under_quarantine)"}})
    async def record(body: FollowupIn, who: WardOfficial) -> FollowupOut:
        """A visit or call today (reached or not, symptoms, temperature) →
        `followup.recorded`. Only for a person under quarantine in the official's ward."""
        try:
            recorded = await desk.record(
                body.quarantine_id, body.reached, body.channel, body.symptoms,
                body.temperature_c, body.followup_id, who.subject, who.may_see,
                correlation_id.get())
        except QuarantineNotFound:
            raise ApiError(404, "quarantine_not_found", "Không tìm thấy người cách ly",
                           "No such quarantine here (yet)") from None
        except WardForbidden as denied:
            raise forbidden(denied) from None
        except NotUnderQuarantine:
            raise ApiError(409, "not_under_quarantine", "Người này không cách ly hôm nay",
                           "This person is not under quarantine today") from None
        return FollowupOut.of(recorded)

    @router.get("/stats", response_model=FollowupCounts)
    async def counts(who: CountReader, ward: WardsQuery = None,
                     day: DayQuery = None) -> FollowupCounts:
        """Active quarantines, follow-ups still due, lost to follow-up; new F0/F1 per day."""
        wards = None if who.role == Role.epidemiologist and not ward else wards_for(who, ward)
        return FollowupCounts(**asdict(await desk.counts(wards, day)))

    return router
