"""How long personal data lives, and how purges delete it (DESIGN.md §5, docs/retention.md).

One window for personal data (`KHAIBAO_RETENTION_DAYS`, 28 days): a record goes
that long after it stopped being needed — an event's data after the event, a
declaration after its validity, a quarantine after its end. A longer one for the
audit of who looked at whom (`KHAIBAO_AUDIT_RETENTION_DAYS`). The event log
follows the same policy (topic retention): a topic keeps records as long as the
longest-lived record derived from them, so replaying it rebuilds exactly what the
window keeps, and nothing the purges removed stays behind in Kafka.

Purges are bounded work on every store: each document carries the Viet Nam day of
the time its retention runs from (`day`); a purge asks for one day at a time by
equality on that indexed field (FerretDB answers it from the index with the
project's pushdown patch, MongoDB always), re-checks the precise time, and deletes
by `_id`, a chunk per command: each command is bounded, whatever the store's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pymongo import DeleteOne
from pymongo.asynchronous.collection import AsyncCollection

from libs.contracts import topics
from libs.contracts.vietnam_time import vn_day
from libs.runtime.mongo import SAFE_BULK, Document

# A declaration may be made 14 days before departure and lasts 72 h from its start: its
# event stays in the log as long as the declaration itself is kept.
DECLARATION_LIFE = timedelta(days=17)
AUDIT_TOPICS = frozenset({topics.TRACE_ACCESSED, topics.PERSON_REVEALED})
# How far back a purge looks for days it has not done (a service down for weeks).
CATCH_UP_DAYS = 60
CHUNK = 1000
# Documents whose events the relay has published (or that never had any): only those go.
PUBLISHED = {"outbox_pending": {"$ne": True}}


@dataclass(frozen=True)
class Retention:
    window: timedelta
    audit: timedelta
    declaration_life: timedelta = DECLARATION_LIFE

    def topic_retention(self, topic: str) -> timedelta:
        """How long a topic (or its dead letters) keeps records."""
        base = topic.removesuffix(topics.DLQ_SUFFIX)
        return self.audit if base in AUDIT_TOPICS else self.window + self.declaration_life

    def topic_configs(self, topic: str) -> dict[str, str]:
        """Kafka's configs for it: delete by age, in segments of at most a day (or a tenth of
        the retention) so that a record outlives it by at most that much."""
        keep = self.topic_retention(topic)
        segment = min(timedelta(days=1), keep / 10)
        return {"retention.ms": str(int(keep.total_seconds() * 1000)),
                "segment.ms": str(max(int(segment.total_seconds() * 1000), 1000)),
                "cleanup.policy": "delete"}


def days_to_purge(cutoff: datetime) -> list[date]:
    """The Viet Nam days whose documents may hold something older than `cutoff`."""
    last = vn_day(cutoff)
    return [last - timedelta(days=n) for n in range(CATCH_UP_DAYS, -1, -1)]


def day_of(moment: datetime) -> str:
    """The `day` a document is filed under for its purge: the Viet Nam day of the time its
    retention runs from."""
    return vn_day(moment).isoformat()


async def delete_ids(collection: AsyncCollection[Document], ids: list[Any]) -> int:
    """By `_id`, a few per command (FerretDB v1 deadlocks on 100 statements in one)."""
    deleted = 0
    for first in range(0, len(ids), SAFE_BULK):
        result = await collection.bulk_write(
            [DeleteOne({"_id": i}) for i in ids[first:first + SAFE_BULK]], ordered=False)
        deleted += result.deleted_count
    return deleted


async def purge_by_day(collection: AsyncCollection[Document], time_field: str, cutoff: datetime,
                       extra: Document | None = None) -> list[Any]:
    """Delete the documents whose `time_field` is before `cutoff`, asking day by day by
    equality on their indexed `day` and deleting `CHUNK` at a time; the deleted `_id`s."""
    deleted: list[Any] = []
    for day in days_to_purge(cutoff):
        query = {"day": day.isoformat(), time_field: {"$lt": cutoff}, **(extra or {})}
        while ids := [d["_id"] for d in
                      await collection.find(query, {"_id": 1}).limit(CHUNK).to_list()]:
            if not await delete_ids(collection, ids):
                break  # deleted meanwhile by another replica's purge
            deleted += ids
    return deleted
