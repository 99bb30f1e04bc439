"""`GET /v1/feed`: the live feed of new notifications, as Server-Sent Events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header
from fastapi.sse import EventSourceResponse, ServerSentEvent

from libs.contracts.values import PlainText
from services.ward_notification.feed import Feed
from services.ward_notification.scope import WardOfficial, WardsQuery, wards_for


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
        async for event in feed.stream(wards, last_event_id):
            yield event

    return router
