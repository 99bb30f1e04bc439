"""Notifications, the declaration view, parked events and the feed buckets.

FerretDB v1 pushes down only `{_id: value}` filters, so the paths polled all
the time (the live feed) are `_id` lookups; the inbox uses equality on
`ward_day` keys, which MongoDB serves from an index.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import cast

from pymongo import ASCENDING, DESCENDING, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from libs.contracts.envelope import parse_event
from libs.contracts.events.notification import NotifyReason
from libs.contracts.vietnam_time import vn_day
from libs.runtime.mongo import Document, bulk_write_chunked, insert_new, insert_once
from libs.runtime.outbox import WITHOUT_OUTBOX, create_outbox_index, new_outbox, outbox_entry
from libs.runtime.retention import PUBLISHED, day_of, purge_by_day
from services.ward_notification.domain.notifications import (
    DeclarationView,
    Notification,
    ward_notified,
)
from services.ward_notification.domain.records import (
    DayGroup,
    DependentEvent,
    ParkedEvent,
    StoredNotification,
)

# --- the equality keys that stand in for range queries on FerretDB ---

def ward_day(ward_code: str, day: date) -> str:
    return f"{ward_code}:{day.isoformat()}"


def feed_key(ward_code: str, bucket: int) -> str:
    return f"{ward_code}:{bucket}"


def _notification(doc: Document) -> StoredNotification:
    return StoredNotification.model_validate({**doc, "id": doc["_id"]})


def notification_document(n: Notification, now: datetime) -> Document:
    """The notification and its `ward.notified` event, to be written in one insert."""
    event = ward_notified(n)
    day = vn_day(now)
    doc: Document = {
        "_id": n.notification_id, "ward_code": n.ward_code, "subject_id": n.subject_id,
        "declaration_id": n.declaration_id, "reason": n.reason.value,
        "cause": n.cause.value if n.cause else None, "detail": n.detail,
        "facts": [{"fact_id": n.fact_id, "at": now, "detail": n.detail}],
        "created_at": now, "day": day.isoformat(), "ward_day": ward_day(n.ward_code, day),
        "read": False, "acknowledged_at": None, "acknowledged_by": None,
        **new_outbox(outbox_entry(event, key=n.ward_code)),
    }
    return doc


FACT_ATTEMPTS = 5


class NotificationStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.notifications = db["notifications"]
        self.views = db["declaration_view"]
        self.parked = db["parked_events"]
        self.feed = db["feed_buckets"]

    async def create_indexes(self) -> None:
        await create_outbox_index(self.notifications)
        await self.notifications.create_index([("ward_day", ASCENDING), ("created_at", DESCENDING)])
        await self.parked.create_index("declaration_id")
        for purged in (self.notifications, self.views, self.parked):
            await purged.create_index("day")

    # --- the declaration view, and events waiting for their declaration ---

    async def save_view(self, view: DeclarationView, now: datetime) -> bool:
        return bool(await self.save_views([view], now))

    async def save_views(self, views: list[DeclarationView], now: datetime) -> set[str]:
        return await insert_new(self.views, [
            {"_id": v.declaration_id, **v.model_dump(mode="json"), "received_at": now,
             "day": day_of(now)}
            for v in views])

    async def view(self, declaration_id: str) -> DeclarationView | None:
        doc = await self.views.find_one({"_id": declaration_id})
        return DeclarationView.model_validate(doc) if doc else None

    async def park(self, event: DependentEvent, now: datetime) -> None:
        await insert_once(self.parked, {
            "_id": event.event_id, "declaration_id": event.payload.declaration_id,
            "type": event.type, "value": event.model_dump_json(), "parked_at": now,
            "day": day_of(now)})

    async def parked_for(self, declaration_ids: list[str]) -> list[ParkedEvent]:
        # Not an `_id` filter: FerretDB v1 reads the collection, which holds only the few
        # events still waiting for their declaration; once per batch of declarations.
        # In the order they were parked: a notification's facts keep their arrival order.
        docs = await self.parked.find({"declaration_id": {"$in": declaration_ids}}).sort(
            [("parked_at", 1), ("_id", 1)]).to_list()
        return [ParkedEvent(event_id=d["_id"], declaration_id=d["declaration_id"],
                            event=cast(DependentEvent, parse_event(d["value"])))
                for d in docs]

    async def unpark(self, event_id: str) -> None:
        await self.parked.delete_one({"_id": event_id})

    # --- notifications ---

    async def add_many(self, ns: list[Notification], now: datetime) -> set[str]:
        """Insert with their outbox entries; returns the ids that were new."""
        return await insert_new(self.notifications, [notification_document(n, now) for n in ns])

    async def add_fact(self, n: Notification, now: datetime) -> bool:
        """A later fact for an existing notification (a second checkpoint), recorded once.

        Read, then write by `_id` alone: a filter on `facts.fact_id` too would make FerretDB
        v1 read the whole collection. Facts of one notification come from one consumer, but
        the outbox relay may mark the same document meanwhile, and FerretDB v1 then keeps
        only one of the two updates: the fact is read back and written again if lost."""
        pushed = 0
        while True:
            doc = await self.notifications.find_one({"_id": n.notification_id},
                                                    {"facts.fact_id": 1})
            if doc is None or any(f["fact_id"] == n.fact_id for f in doc["facts"]):
                return pushed > 0  # there: written just now, or by an earlier delivery
            if pushed == FACT_ATTEMPTS:
                raise RuntimeError(f"fact {n.fact_id} of {n.notification_id} kept being lost")
            await self.notifications.update_one({"_id": n.notification_id}, {"$push": {
                "facts": {"fact_id": n.fact_id, "at": now, "detail": n.detail}}})
            pushed += 1

    async def get(self, notification_id: str) -> StoredNotification | None:
        doc = await self.notifications.find_one({"_id": notification_id}, WITHOUT_OUTBOX)
        return _notification(doc) if doc else None

    async def many(self, ids: list[str]) -> list[StoredNotification]:
        docs = await self.notifications.find({"_id": {"$in": ids}}, WITHOUT_OUTBOX).to_list()
        return [_notification(d) for d in docs]

    async def page(self, wards: list[str], days: list[date], unread: bool | None,
                   reason: NotifyReason | None, after: tuple[datetime, str] | None,
                   limit: int) -> list[StoredNotification]:
        """Newest first, after the (created_at, id) of the last one of the previous page."""
        query: Document = {"ward_day": {"$in": [ward_day(w, d) for w in wards for d in days]}}
        if unread is not None:
            query["read"] = not unread
        if reason is not None:
            query["reason"] = reason.value
        if after is not None:
            at, last_id = after
            query["$or"] = [{"created_at": {"$lt": at}},
                            {"created_at": at, "_id": {"$lt": last_id}}]
        cursor = self.notifications.find(query, WITHOUT_OUTBOX).sort(
            [("created_at", DESCENDING), ("_id", DESCENDING)]).limit(limit)
        return [_notification(d) for d in await cursor.to_list()]

    async def acknowledge(self, ids: list[str], by: str, now: datetime) -> int:
        result = await self.notifications.update_many(
            {"_id": {"$in": ids}, "read": False},
            {"$set": {"read": True, "acknowledged_at": now, "acknowledged_by": by}})
        return result.modified_count

    async def counts(self, wards: list[str], days: list[date]) -> list[DayGroup]:
        # FerretDB's $group knows only $sum and $count: enough for these counts.
        keys = [ward_day(w, d) for w in wards for d in days]
        pipeline: list[Document] = [
            {"$match": {"ward_day": {"$in": keys}}},
            {"$group": {"_id": {"ward_day": "$ward_day", "reason": "$reason", "read": "$read"},
                        "n": {"$sum": 1}}}]
        groups = await (await self.notifications.aggregate(pipeline)).to_list()
        return [DayGroup(ward_code=g["_id"]["ward_day"].partition(":")[0],
                         day=g["_id"]["ward_day"].partition(":")[2], reason=g["_id"]["reason"],
                         read=bool(g["_id"]["read"]), count=g["n"]) for g in groups]

    async def arrivals(self, ward_code: str, days: list[date]) -> int:
        """Arrivals declared for this ward on these days."""
        return await self.notifications.count_documents(
            {"ward_day": {"$in": [ward_day(ward_code, d) for d in days]},
             "reason": NotifyReason.arriving.value})

    # --- the live feed: one small document per (ward, time bucket) ---

    async def announce(self, bucket: int, notifications: list[tuple[str, str]]) -> None:
        """Put (ward code, notification id) pairs into the ward's feed bucket."""
        by_ward: dict[str, list[str]] = {}
        for ward_code, notification_id in notifications:
            by_ward.setdefault(ward_code, []).append(notification_id)
        await bulk_write_chunked(self.feed, [UpdateOne(
            {"_id": feed_key(ward_code, bucket)},
            {"$addToSet": {"items": {"$each": ids}},
             "$setOnInsert": {"bucket": bucket, "ward_code": ward_code}}, upsert=True)
            for ward_code, ids in by_ward.items()])

    async def bucket(self, ward_code: str, bucket: int) -> list[str]:
        doc = await self.feed.find_one({"_id": feed_key(ward_code, bucket)})
        return list(doc["items"]) if doc else []

    # --- retention (DESIGN §5): a periodic job, as FerretDB has no TTL indexes ---

    async def purge(self, now: datetime, retention: timedelta, feed_keep_s: int) -> dict[str, int]:
        """Notifications (once published), declaration views and parked events the window
        after their time, by day and in chunks; feed buckets (ids only) after an hour."""
        cutoff = now - retention
        feed = await self.feed.delete_many({"bucket": {"$lt": int(now.timestamp()) - feed_keep_s}})
        return {
            "notifications": len(await purge_by_day(self.notifications, "created_at", cutoff,
                                                    PUBLISHED)),
            "declaration_view": len(await purge_by_day(self.views, "received_at", cutoff)),
            "parked_events": len(await purge_by_day(self.parked, "parked_at", cutoff)),
            "feed_buckets": feed.deleted_count,
        }
