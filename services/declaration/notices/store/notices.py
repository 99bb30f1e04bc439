"""`notices`: one document per message to a citizen, its own outbox and delivery log.

A message is queued by inserting its document (`state: pending`) under a key made of what
caused it, whom and which channel (rules.notice_id): a redelivered event, a replay or a
second run of the reminder job inserts nothing new. The sender claims due documents with a
lease (`due_at` moves forward, a `lease` token marks whose it is), sends, and records the
outcome in the same document: sent, tried again later (`due_at` after a backoff), or failed.
The address and the text are dropped from the document once it is sent or given up; what
stays is what was sent to whom (kind, pseudonym, declaration, masked address) and when.

One writer at a time per document after its insert: the sender holding the lease.
FerretDB 1.24 answers the due query from the `state` index (equality pushdown) and
filters `due_at` on what it returns: only pending messages are read.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from libs.runtime.mongo import Document, bulk_write_chunked, insert_new
from libs.runtime.retention import day_of, purge_by_day
from services.declaration.notices.domain.records import (
    Delivered,
    GaveUp,
    NewNotice,
    Notice,
    Outgoing,
    Result,
)

PENDING, SENT, FAILED = "pending", "sent", "failed"
CONTENT = ("to", "subject", "text", "lease")


def notice_document(notice: NewNotice) -> Document:
    return {"_id": notice.notice_id, "cause": notice.cause, "kind": notice.kind,
            "channel": notice.channel, "subject_id": notice.subject_id,
            "declaration_id": notice.declaration_id, "language": notice.language,
            "to": notice.to, "subject": notice.subject, "text": notice.text, "state": PENDING,
            "attempts": 0, "due_at": notice.created_at, "created_at": notice.created_at,
            "day": day_of(notice.created_at)}  # its retention runs from its creation


def notice_of(doc: Document) -> Notice:
    return Notice(notice_id=doc["_id"], kind=doc["kind"], channel=doc["channel"],
                  declaration_id=doc["declaration_id"], attempts=doc["attempts"],
                  outgoing=Outgoing(doc["_id"], doc["to"], doc.get("subject"), doc["text"],
                                    doc.get("language")))


class NoticeStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.notices = db["notices"]

    async def create_indexes(self) -> None:
        await self.notices.create_index("state")
        await self.notices.create_index("day")

    async def enqueue(self, notices: list[NewNotice]) -> int:
        """Queue messages; those already there (same key) stay as they are. How many are new."""
        if not notices:
            return 0
        return len(await insert_new(self.notices, [notice_document(n) for n in notices]))

    async def due(self, now: datetime, limit: int) -> list[str]:
        cursor = self.notices.find({"state": PENDING, "due_at": {"$lte": now}}, {"_id": 1})
        return [doc["_id"] for doc in await cursor.limit(limit).to_list()]

    async def claim(self, notice_ids: list[str], now: datetime, lease: timedelta) -> list[Notice]:
        """Those of these messages still due, now leased to the caller (two commands for a
        batch). Each claim writes a token of its own and reads back the messages holding it,
        so a message two senders raced for goes to one of them, even on a store that loses
        one of two concurrent updates of a document (FerretDB 1.24)."""
        token = uuid.uuid4().hex
        await self.notices.update_many(
            {"_id": {"$in": notice_ids}, "state": PENDING, "due_at": {"$lte": now}},
            {"$set": {"due_at": now + lease, "lease": token}})
        return [notice_of(doc) for doc in
                await self.notices.find({"_id": {"$in": notice_ids}, "lease": token}).to_list()]

    async def record(self, results: list[Result]) -> None:
        """What became of each message; one sent or given up also loses its address and text."""
        await bulk_write_chunked(self.notices, [UpdateOne({"_id": r.notice_id}, _update(r))
                                                for r in results])

    async def purge(self, cutoff: datetime) -> int:
        return len(await purge_by_day(self.notices, "created_at", cutoff))


def _update(result: Result) -> dict[str, Any]:
    if isinstance(result, Delivered):
        return {"$set": {"state": SENT, "sent_at": result.at, "attempts": result.attempts,
                         "to_hint": result.to_hint},
                "$unset": {name: "" for name in CONTENT}}
    if isinstance(result, GaveUp):
        return {"$set": {"state": FAILED, "failed_at": result.at, "attempts": result.attempts,
                         "last_error": result.error, "to_hint": result.to_hint},
                "$unset": {name: "" for name in CONTENT}}
    return {"$set": {"attempts": result.attempts, "last_error": result.error,
                     "due_at": result.due_at},
            "$unset": {"lease": ""}}
