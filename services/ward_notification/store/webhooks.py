"""Webhook subscriptions, their delivery log and the small delivery queue.

`deliveries` is the log (one document per subscription × notification, id
`<webhook>:<notification>`, so fan-out is idempotent); `delivery_queue` holds
only what still has to be tried, so the worker's poll scans a small
collection. A queue item is claimed with a lease, so several replicas can run
the worker without sending one delivery twice at the same time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pymongo import DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from libs.runtime.mongo import Document, insert_once
from libs.runtime.retention import day_of, purge_by_day
from services.ward_notification.domain.records import (
    CANCELLED,
    DELIVERED,
    FAILED,
    PAUSED,
    PENDING,
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    NewDelivery,
    Webhook,
)


def _webhook(doc: Document) -> Webhook:
    return Webhook.model_validate({**doc, "id": doc["_id"]})


def _delivery(doc: Document) -> Delivery:
    return Delivery.model_validate({**doc, "id": doc["_id"]})


def _attempt(attempt: DeliveryAttempt) -> Document:
    return {"at": attempt.at, "status": attempt.status, "error": attempt.error, "ms": attempt.ms}


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

    async def add(self, webhook: Webhook) -> None:
        doc: Document = {"_id": webhook.id, "ward_code": webhook.ward_code, "url": webhook.url,
                         "description": webhook.description, "secret": webhook.secret,
                         "enabled": webhook.enabled,
                         "consecutive_failures": webhook.consecutive_failures,
                         "created_at": webhook.created_at, "created_by": webhook.created_by}
        await self.webhooks.insert_one(doc)

    async def get(self, webhook_id: str) -> Webhook | None:
        doc = await self.webhooks.find_one({"_id": webhook_id})
        return _webhook(doc) if doc else None

    async def for_wards(self, wards: list[str] | None) -> list[Webhook]:
        query = {} if wards is None else {"ward_code": {"$in": wards}}
        return [_webhook(d) for d in
                await self.webhooks.find(query).sort("created_at", 1).to_list()]

    async def count_for_ward(self, ward_code: str) -> int:
        return await self.webhooks.count_documents({"ward_code": ward_code})

    async def set_enabled(self, webhook_id: str, enabled: bool, now: datetime,
                          reason: str | None = None) -> None:
        fields: Document = ({"enabled": True, "consecutive_failures": 0, "disabled_at": None,
                             "disabled_reason": None} if enabled else
                            {"enabled": False, "disabled_at": now, "disabled_reason": reason})
        await self.webhooks.update_one({"_id": webhook_id}, {"$set": fields})

    async def set_secret(self, webhook_id: str, secret: str, now: datetime, by: str) -> None:
        await self.webhooks.update_one({"_id": webhook_id}, {"$set": {
            "secret": secret, "secret_rotated_at": now, "secret_rotated_by": by}})

    async def delete(self, webhook_id: str) -> None:
        await self.webhooks.delete_one({"_id": webhook_id})
        await self.queue.delete_many({"webhook_id": webhook_id})
        await self.deliveries.update_many(
            {"webhook_id": webhook_id, "state": {"$in": [PENDING, PAUSED]}},
            {"$set": {"state": CANCELLED}})

    async def record_outcome(self, webhook_id: str, ok: bool, now: datetime) -> Webhook | None:
        """Count consecutive failures (reset by a success); returns the updated subscription."""
        update = ({"$set": {"consecutive_failures": 0, "last_success_at": now}} if ok else
                  {"$inc": {"consecutive_failures": 1}, "$set": {"last_failure_at": now}})
        doc = await self.webhooks.find_one_and_update(
            {"_id": webhook_id}, update, return_document=ReturnDocument.AFTER)
        return _webhook(doc) if doc else None

    # --- deliveries (the log) ---

    async def enqueue(self, delivery: NewDelivery, enabled: bool, now: datetime) -> None:
        """Log a delivery and queue it; a repeat of the same delivery changes nothing."""
        doc: Document = {
            "_id": delivery.id, "webhook_id": delivery.webhook_id,
            "ward_code": delivery.ward_code, "notification_id": delivery.notification_id,
            "notified_at": delivery.notified_at, "body": delivery.body, "attempts": 0,
            "log": [], "created_at": delivery.created_at,
            "state": PENDING if enabled else PAUSED,
            "day": day_of(delivery.created_at)}  # for the retention purge
        if not await insert_once(self.deliveries, doc):
            existing = await self.deliveries.find_one({"_id": delivery.id}, {"state": 1})
            if existing is None or existing["state"] != PENDING:
                return
        if enabled:
            await self._queue(delivery.id, delivery.webhook_id, now)

    async def _queue(self, delivery_id: str, webhook_id: str, now: datetime) -> None:
        await insert_once(self.queue, {"_id": delivery_id, "webhook_id": webhook_id,
                                       "next_attempt_at": now, "lease_until": now})

    async def delivery(self, delivery_id: str) -> Delivery | None:
        doc = await self.deliveries.find_one({"_id": delivery_id})
        return _delivery(doc) if doc else None

    async def log(self, webhook_id: str, state: DeliveryState | None,
                  limit: int) -> list[Delivery]:
        query: Document = {"webhook_id": webhook_id}
        if state is not None:
            query["state"] = state
        cursor = self.deliveries.find(query, {"body": 0}).sort("created_at", DESCENDING)
        return [_delivery(d) for d in await cursor.limit(limit).to_list()]

    async def delivered(self, delivery_id: str, attempt: DeliveryAttempt,
                        latency_ms: float) -> None:
        """The attempt that succeeded: the delivery is done."""
        await self._attempted(delivery_id, attempt, {
            "state": DELIVERED, "delivered_at": attempt.at, "latency_ms": latency_ms,
            "last_status": attempt.status})

    async def failed(self, delivery_id: str, attempt: DeliveryAttempt, gave_up: bool) -> None:
        """An attempt that failed; the last one the delivery gets when `gave_up`."""
        fields: Document = {"last_status": attempt.status, "last_error": attempt.error}
        await self._attempted(delivery_id, attempt,
                              {**fields, "state": FAILED} if gave_up else fields)

    async def _attempted(self, delivery_id: str, attempt: DeliveryAttempt,
                         fields: Document) -> None:
        await self.deliveries.update_one(
            {"_id": delivery_id},
            {"$push": {"log": _attempt(attempt)}, "$inc": {"attempts": 1}, "$set": fields})

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
