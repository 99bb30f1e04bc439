"""The ward officials' inbox: list with filters and paging, counts per day, acknowledge."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Query

from libs.contracts.events.notification import NotifyReason
from libs.contracts.values import Day, Identifier, PlainText
from libs.runtime.auth import WardOfficial
from libs.runtime.errors import ApiError
from libs.runtime.openapi import beyond_schema
from services.ward_notification.api.models import AckRequest, AckResult, NotificationOut, Page
from services.ward_notification.api.scope import WardsQuery, wards_for
from services.ward_notification.domain.errors import (
    CursorInvalid,
    NotificationNotFound,
    RangeInvalid,
    RangeTooLong,
)
from services.ward_notification.domain.notifications import MAX_DAYS
from services.ward_notification.domain.records import DayCount, StoredNotification
from services.ward_notification.service.inbox import Inbox

T = TypeVar("T")

From = Annotated[Day | None, Query(alias="from", description="first local day (YYYY-MM-DD)")]
To = Annotated[Day | None, Query(alias="to", description="last local day, inclusive")]


RANGE = {"range_invalid": "`from` after `to` (`to` is today when not given)",
         "range_too_long": f"`from` to `to` longer than {MAX_DAYS} days (`from` is a week "
                           "before `to` when not given)"}


async def in_range(answer: Awaitable[T]) -> T:
    """The use case's answer, its day range's refusals as 422s."""
    try:
        return await answer
    except RangeInvalid:
        raise ApiError(422, "range_invalid", "Ngày bắt đầu sau ngày kết thúc",
                       "'from' is after 'to'",
                       {"from": [{"code": "after_to", "message": ""}]}) from None
    except RangeTooLong:
        raise ApiError(422, "range_too_long", f"Khoảng ngày tối đa {MAX_DAYS} ngày",
                       f"At most {MAX_DAYS} days at a time", {"from": [
                           {"code": "range_too_long", "message": f"max {MAX_DAYS} days"}]}) from None


async def found(answer: Awaitable[StoredNotification]) -> NotificationOut:
    try:
        return NotificationOut.of(await answer)
    except NotificationNotFound:
        # Another ward's notification is "not found" too: its existence is not the
        # caller's business.
        raise ApiError(404, "notification_not_found", "Không tìm thấy thông báo",
                       "No such notification in your wards") from None


def build_router(notifications: Inbox) -> APIRouter:
    router = APIRouter(prefix="/v1/notifications", tags=["inbox"])

    @router.get("", response_model=Page, responses=beyond_schema(
        RANGE, cursor_invalid="a `cursor` that is not a `next_cursor` this service gave"))
    async def inbox(who: WardOfficial, wards: WardsQuery = None, first: From = None,
                    last: To = None, unread: bool | None = None, reason: NotifyReason | None = None,
                    limit: Annotated[int, Query(ge=1, le=200)] = 50,
                    cursor: Annotated[PlainText | None, Query(max_length=200)] = None) -> Page:
        """Notifications of the caller's wards, newest first."""
        chosen = wards_for(who, wards)
        try:
            items, next_cursor = await in_range(notifications.page(
                chosen, first, last, unread, reason, cursor, limit))
        except CursorInvalid:
            raise ApiError(422, "cursor_invalid", "Con trỏ trang không hợp lệ",
                           "The paging cursor is not valid", {"cursor": [
                               {"code": "invalid", "message": "use next_cursor as given"}]}
                           ) from None
        return Page(items=[NotificationOut.of(n) for n in items], next_cursor=next_cursor)

    @router.get("/counts", response_model=list[DayCount], responses=beyond_schema(RANGE))
    async def counts(who: WardOfficial, wards: WardsQuery = None, first: From = None,
                     last: To = None) -> list[DayCount]:
        """Notifications per ward and local day: total, unread, by reason."""
        return await in_range(notifications.counts(wards_for(who, wards), first, last))

    @router.get("/{notification_id}", response_model=NotificationOut)
    async def one(notification_id: Identifier, who: WardOfficial) -> NotificationOut:
        """One notification of the caller's wards."""
        return await found(notifications.one(notification_id, who.may_see))

    @router.post("/ack", response_model=AckResult)
    async def acknowledge(body: AckRequest, who: WardOfficial) -> AckResult:
        """Acknowledge one or many notifications (up to 200); repeating it changes nothing."""
        now, before, missing = await notifications.acknowledge(body.ids, who.subject, who.may_see)
        return AckResult(acknowledged=now, already=before, not_found=missing)

    @router.post("/{notification_id}/ack", response_model=NotificationOut)
    async def acknowledge_one(notification_id: Identifier, who: WardOfficial) -> NotificationOut:
        """Acknowledge one notification."""
        return await found(notifications.acknowledge_one(notification_id, who.subject, who.may_see))

    return router
