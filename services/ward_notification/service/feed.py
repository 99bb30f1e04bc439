"""The live feed behind `GET /v1/feed` (Server-Sent Events), without change streams.

A notification, once stored, is *announced*: its id is added to the feed
document of (ward, time bucket of the announce). Every replica's stream polls
the documents of its wards for the current bucket and a few before it (an
announce may land a little late: clock skew, a slow write), by `_id` — the
only lookup FerretDB v1 pushes down — and sends what it has not sent yet.
The SSE `id` is the bucket, so a reconnecting browser's `Last-Event-ID`
resumes from there (at most `feed_max_replay_s` back). Delivery is
at-least-once: a client drops repeats by notification id.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass

from libs.contracts.envelope import utcnow
from services.ward_notification.domain.notifications import feed_bucket
from services.ward_notification.domain.records import StoredNotification
from services.ward_notification.service.ports import Notifications
from services.ward_notification.settings import Settings


@dataclass(frozen=True)
class Ready:
    """The stream's first item: which wards it follows."""

    wards: list[str]


@dataclass(frozen=True)
class Announced:
    """A notification announced in `bucket` (the SSE id a reconnect resumes from)."""

    bucket: int
    notification: StoredNotification


def _honour_cancellation() -> None:
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def resume_bucket(last_event_id: str | None, now_bucket: int, settings: Settings) -> int:
    """First bucket to read: a little back from now, or where the client left off."""
    start = now_bucket - settings.feed_lookback_buckets * settings.feed_bucket_s
    if last_event_id is None or not last_event_id.strip().isdigit():
        return start
    oldest = now_bucket - settings.feed_max_replay_s
    return max(min(int(last_event_id), start), oldest - oldest % settings.feed_bucket_s)


class Feed:
    def __init__(self, store: Notifications, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    async def stream(self, wards: list[str], last_event_id: str | None
                     ) -> AsyncGenerator[Ready | Announced, None]:
        s = self.settings
        loop = asyncio.get_running_loop()
        closes_at = loop.time() + s.feed_max_connection_s
        start = resume_bucket(last_event_id, feed_bucket(utcnow(), s.feed_bucket_s), s)
        sent: dict[int, set[str]] = {}
        yield Ready(wards)
        while loop.time() < closes_at:
            _honour_cancellation()
            now_bucket = feed_bucket(utcnow(), s.feed_bucket_s)
            for bucket in range(start, now_bucket + 1, s.feed_bucket_s):
                async for event in self._bucket_events(wards, bucket, sent.setdefault(bucket, set())):
                    yield event
            start = now_bucket - s.feed_lookback_buckets * s.feed_bucket_s
            sent = {b: ids for b, ids in sent.items() if b >= start}
            await asyncio.sleep(s.feed_poll_s)

    async def _bucket_events(self, wards: list[str], bucket: int, sent: set[str]
                             ) -> AsyncIterator[Announced]:
        for ward in wards:
            for notification_id in await self.store.bucket(ward, bucket):
                if notification_id in sent:
                    continue
                stored = await self.store.get(notification_id)
                sent.add(notification_id)
                if stored is not None:  # purged meanwhile
                    yield Announced(bucket, stored)
