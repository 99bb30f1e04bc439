"""Webhook subscriptions, their delivery log and the small delivery queue.

`deliveries` is the log (one document per subscription × notification, id
`<webhook>:<notification>`, so fan-out is idempotent); `delivery_queue` holds
only what still has to be tried, so the worker's poll scans a small
collection. A queue item is claimed with a lease, so several replicas can run
the worker without sending one delivery twice at the same time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo import DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from libs.runtime.mongo import Document, insert_once
from libs.runtime.retention import day_of, purge_by_day

PENDING, DELIVERED, FAILED, PAUSED, CANCELLED = (
    "pending", "delivered", "failed", "paused", "cancelled")


class WebhookStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.webhooks = db["webhooks"]
        self.deliveries = db["webhook_deliveries"]
        self.queue = db["delivery_queue"]

    async def create_indexes(self) -> None:
        await self.webhooks.create_index("ward_code")
        await self.deliveries.create_index([("webhook_id", 1), ("created_at", DESCENDING)])
        await self.deliveries.create_index("day")
        await self.queue.create_index("webhook_id")

    # --- subscriptions ---

    async def add(self, webhook: Document) -> None:
        await self.webhooks.insert_one(webhook)

    async def get(self, webhook_id: str) -> Document | None:
        return await self.webhooks.find_one({"_id": webhook_id})

    async def for_wards(self, wards: list[str] | None) -> list[Document]:
        query = {} if wards is None else {"ward_code": {"$in": wards}}
        return await self.webhooks.find(query).sort("created_at", 1).to_list()

    async def count_for_ward(self, ward_code: str) -> int:
        return await self.webhooks.count_documents({"ward_code": ward_code})

    async def set_enabled(self, webhook_id: str, enabled: bool, now: datetime,
                          reason: str | None = None) -> None:
        fields: Document = ({"enabled": True, "consecutive_failures": 0, "disabled_at": None,
                             "disabled_reason": None} if enabled else
                            {"enabled": False, "disabled_at": now, "disabled_reason": reason})
        await self.webhooks.update_one({"_id": webhook_id}, {"$set": fields})

    async def delete(self, webhook_id: str) -> None:
        await self.webhooks.delete_one({"_id": webhook_id})
        await self.queue.delete_many({"webhook_id": webhook_id})
        await self.deliveries.update_many(
            {"webhook_id": webhook_id, "state": {"$in": [PENDING, PAUSED]}},
            {"$set": {"state": CANCELLED}})

    async def record_outcome(self, webhook_id: str, ok: bool, now: datetime) -> Document | None:
        """Count consecutive failures (reset by a success); returns the updated subscription."""
        update = ({"$set": {"consecutive_failures": 0, "last_success_at": now}} if ok else
                  {"$inc": {"consecutive_failures": 1}, "$set": {"last_failure_at": now}})
        return await self.webhooks.find_one_and_update(
            {"_id": webhook_id}, update, return_document=ReturnDocument.AFTER)

    # --- deliveries (the log) ---

    async def enqueue(self, delivery: Document, enabled: bool, now: datetime) -> None:
        """Log a delivery and queue it; a repeat of the same delivery changes nothing."""
        delivery["state"] = PENDING if enabled else PAUSED
        delivery["day"] = day_of(delivery["created_at"])  # for the retention purge
        if not await insert_once(self.deliveries, delivery):
            existing = await self.deliveries.find_one({"_id": delivery["_id"]}, {"state": 1})
            if existing is None or existing["state"] != PENDING:
                return
        if enabled:
            await self._queue(delivery["_id"], delivery["webhook_id"], now)

    async def _queue(self, delivery_id: str, webhook_id: str, now: datetime) -> None:
        await insert_once(self.queue, {"_id": delivery_id, "webhook_id": webhook_id,
                                       "next_attempt_at": now, "lease_until": now})

    async def delivery(self, delivery_id: str) -> Document | None:
        return await self.deliveries.find_one({"_id": delivery_id})

    async def log(self, webhook_id: str, state: str | None, limit: int) -> list[Document]:
        query: Document = {"webhook_id": webhook_id}
        if state is not None:
            query["state"] = state
        cursor = self.deliveries.find(query, {"body": 0}).sort("created_at", DESCENDING)
        return await cursor.limit(limit).to_list()

    async def attempted(self, delivery_id: str, attempt: Document,
                        fields: dict[str, Any]) -> None:
        await self.deliveries.update_one(
            {"_id": delivery_id},
            {"$push": {"log": attempt}, "$inc": {"attempts": 1}, "$set": fields})

    async def pause_all(self, webhook_id: str) -> None:
        await self.queue.delete_many({"webhook_id": webhook_id})
        await self.deliveries.update_many({"webhook_id": webhook_id, "state": PENDING},
                                          {"$set": {"state": PAUSED}})

    async def resume_all(self, webhook_id: str, now: datetime) -> int:
        """Queue the paused deliveries again, each with a fresh retry budget."""
        await self.deliveries.update_many({"webhook_id": webhook_id, "state": PAUSED},
                                          {"$set": {"state": PENDING, "attempts": 0}})
        waiting = await self.deliveries.find({"webhook_id": webhook_id, "state": PENDING},
                                             {"_id": 1}).to_list()
        for doc in waiting:
            await self._queue(doc["_id"], webhook_id, now)
        return len(waiting)

    # --- the queue ---

    async def due(self, now: datetime, limit: int) -> list[str]:
        cursor = self.queue.find({"next_attempt_at": {"$lte": now}, "lease_until": {"$lte": now}},
                                 {"_id": 1}).limit(limit)
        return [doc["_id"] for doc in await cursor.to_list()]

    async def claim(self, delivery_id: str, now: datetime, lease: timedelta) -> bool:
        claimed = await self.queue.find_one_and_update(
            {"_id": delivery_id, "lease_until": {"$lte": now}},
            {"$set": {"lease_until": now + lease}})
        return claimed is not None

    async def retry_at(self, delivery_id: str, when: datetime) -> None:
        await self.queue.update_one({"_id": delivery_id},
                                    {"$set": {"next_attempt_at": when, "lease_until": when}})

    async def dequeue(self, delivery_id: str) -> None:
        await self.queue.delete_one({"_id": delivery_id})

    async def purge(self, cutoff: datetime) -> int:
        done = {"state": {"$in": [DELIVERED, FAILED, CANCELLED]}}
        return len(await purge_by_day(self.deliveries, "created_at", cutoff, done))
