"""`GET /v1/feed`: the live feed of new notifications, as Server-Sent Events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header
from fastapi.sse import EventSourceResponse, ServerSentEvent

from libs.contracts.values import PlainText
from libs.runtime.auth import WardOfficial
from services.ward_notification.api.models import NotificationOut
from services.ward_notification.api.scope import WardsQuery, wards_for
from services.ward_notification.service.feed import Announced, Feed, Ready


def chosen_wards(who: WardOfficial, wards: WardsQuery = None) -> list[str]:
    # A dependency, so that a refusal is a plain 4xx before the stream starts.
    return wards_for(who, wards)


Wards = Annotated[list[str], Depends(chosen_wards)]


def build_router(feed: Feed) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["feed"])

    @router.get("/feed", response_class=EventSourceResponse)
    async def live(wards: Wards,
                   last_event_id: Annotated[PlainText | None, Header(max_length=32)] = None
                   ) -> AsyncIterator[ServerSentEvent]:
        """New notifications of the caller's wards as they come (event `notification`).

        The first event is `ready`. Repeats are possible after a reconnect: drop them by id.
        """
        async for item in feed.stream(wards, last_event_id):
            yield _event(item)

    return router


def _event(item: Ready | Announced) -> ServerSentEvent:
    if isinstance(item, Ready):
        return ServerSentEvent(event="ready", data={"wards": item.wards}, retry=2000)
    return ServerSentEvent(event="notification", id=str(item.bucket),
                           data=NotificationOut.of(item.notification).model_dump(mode="json"))
