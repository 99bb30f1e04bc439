"""The ward officials' inbox: list with filters and paging, counts per day, acknowledge."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from libs.contracts.envelope import utcnow
from libs.contracts.events.notification import NotifyReason
from libs.contracts.values import Day, Identifier, PlainText
from libs.contracts.vietnam_time import vn_day
from libs.runtime.errors import ApiError
from libs.runtime.mongo import Document
from libs.runtime.openapi import beyond_schema
from services.ward_notification.domain import days_between, ward_day
from services.ward_notification.schemas import NotificationOut
from services.ward_notification.scope import WardOfficial, WardsQuery, wards_for
from services.ward_notification.store import NotificationStore

MAX_DAYS = 31
DEFAULT_DAYS = 7


class Page(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None = Field(None, description="pass as `cursor` for the next page")


class AckRequest(BaseModel):
    ids: list[Identifier] = Field(min_length=1, max_length=200)


class AckResult(BaseModel):
    acknowledged: list[str] = Field(description="acknowledged now")
    already: list[str] = Field(description="were acknowledged before")
    not_found: list[str] = Field(description="unknown, or of a ward outside the token")


class DayCount(BaseModel):
    day: str
    ward_code: str
    total: int
    unread: int
    by_reason: dict[str, int]


From = Annotated[Day | None, Query(alias="from", description="first local day (YYYY-MM-DD)")]
To = Annotated[Day | None, Query(alias="to", description="last local day, inclusive")]


RANGE = {"range_invalid": "`from` after `to` (`to` is today when not given)",
         "range_too_long": f"`from` to `to` longer than {MAX_DAYS} days (`from` is a week "
                           "before `to` when not given)"}


def day_keys(wards: list[str], first: date | None, last: date | None) -> list[str]:
    last = last or vn_day(utcnow())
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise ApiError(422, "range_invalid", "Ngày bắt đầu sau ngày kết thúc",
                       "'from' is after 'to'", {"from": [{"code": "after_to", "message": ""}]})
    if (last - first).days >= MAX_DAYS:
        raise ApiError(422, "range_too_long", f"Khoảng ngày tối đa {MAX_DAYS} ngày",
                       f"At most {MAX_DAYS} days at a time", {"from": [
                           {"code": "range_too_long", "message": f"max {MAX_DAYS} days"}]})
    return [ward_day(w, d) for w in wards for d in days_between(first, last)]


def encode_cursor(doc: Document) -> str:
    raw = json.dumps([doc["created_at"].isoformat(), doc["_id"]]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        at, last_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return datetime.fromisoformat(at), str(last_id)
    except (ValueError, TypeError):
        raise ApiError(422, "cursor_invalid", "Con trỏ trang không hợp lệ",
                       "The paging cursor is not valid", {"cursor": [
                           {"code": "invalid", "message": "use next_cursor as given"}]}) from None


def build_router(store: NotificationStore) -> APIRouter:
    router = APIRouter(prefix="/v1/notifications", tags=["inbox"])

    @router.get("", response_model=Page, responses=beyond_schema(
        RANGE, cursor_invalid="a `cursor` that is not a `next_cursor` this service gave"))
    async def inbox(who: WardOfficial, wards: WardsQuery = None, first: From = None,
                    last: To = None, unread: bool | None = None, reason: NotifyReason | None = None,
                    limit: Annotated[int, Query(ge=1, le=200)] = 50,
                    cursor: Annotated[PlainText | None, Query(max_length=200)] = None) -> Page:
        """Notifications of the caller's wards, newest first."""
        keys = day_keys(wards_for(who, wards), first, last)
        filters: Document = {}
        if unread is not None:
            filters["read"] = not unread
        if reason is not None:
            filters["reason"] = reason.value
        after = decode_cursor(cursor) if cursor else None
        docs = await store.page(keys, filters, after, limit + 1)
        items = [NotificationOut.of(d) for d in docs[:limit]]
        return Page(items=items, next_cursor=encode_cursor(docs[limit - 1])
                    if len(docs) > limit else None)

    @router.get("/counts", response_model=list[DayCount], responses=beyond_schema(RANGE))
    async def counts(who: WardOfficial, wards: WardsQuery = None, first: From = None,
                     last: To = None) -> list[DayCount]:
        """Notifications per ward and local day: total, unread, by reason."""
        rows: dict[str, DayCount] = {}
        for group in await store.counts(day_keys(wards_for(who, wards), first, last)):
            key = group["_id"]
            ward, _, day = key["ward_day"].partition(":")
            row = rows.setdefault(key["ward_day"], DayCount(
                day=day, ward_code=ward, total=0, unread=0, by_reason={}))
            row.total += group["n"]
            row.unread += 0 if key["read"] else group["n"]
            row.by_reason[key["reason"]] = row.by_reason.get(key["reason"], 0) + group["n"]
        return sorted(rows.values(), key=lambda r: (r.day, r.ward_code), reverse=True)

    @router.get("/{notification_id}", response_model=NotificationOut)
    async def one(notification_id: Identifier, who: WardOfficial) -> NotificationOut:
        """One notification of the caller's wards."""
        doc = await store.get(notification_id)
        if doc is None or not who.may_see(doc["ward_code"]):
            raise _not_found()
        return NotificationOut.of(doc)

    @router.post("/ack", response_model=AckResult)
    async def acknowledge(body: AckRequest, who: WardOfficial) -> AckResult:
        """Acknowledge one or many notifications (up to 200); repeating it changes nothing."""
        ids = list(dict.fromkeys(body.ids))
        visible = {d["_id"]: d for d in await store.many(ids) if who.may_see(d["ward_code"])}
        unread = [i for i in ids if i in visible and not visible[i]["read"]]
        if unread:
            await store.acknowledge(unread, who.subject, utcnow())
        return AckResult(acknowledged=unread,
                         already=[i for i in ids if i in visible and visible[i]["read"]],
                         not_found=[i for i in ids if i not in visible])

    @router.post("/{notification_id}/ack", response_model=NotificationOut)
    async def acknowledge_one(notification_id: Identifier, who: WardOfficial) -> NotificationOut:
        """Acknowledge one notification."""
        doc = await store.get(notification_id)
        if doc is None or not who.may_see(doc["ward_code"]):
            raise _not_found()
        if not doc["read"]:
            await store.acknowledge([notification_id], who.subject, utcnow())
            doc = await store.get(notification_id) or doc
        return NotificationOut.of(doc)

    return router


def _not_found() -> ApiError:
    # Another ward's notification is "not found" too: its existence is not the caller's business.
    return ApiError(404, "notification_not_found", "Không tìm thấy thông báo",
                    "No such notification in your wards")
