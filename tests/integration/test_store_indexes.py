"""The services' hot queries on indexed fields other than `_id` are answered from the index.

FerretDB 1.24 (SQLite) answers only `{_id: value}` from an index, and reads the whole
collection for any other filter, unless the stack's patch is compiled in
(deploy/local/ferretdb/sqlite-index-pushdown.patch): equality on strings, ObjectIds and
booleans (`{f: v}`, `{f: {"$eq": v}}`, `{f: {"$in": [...]}}`) on `_id` and on indexed fields
is then pre-filtered in SQL on the index's own expression, and the handler applies the whole
filter to what comes back. Each service's indexes are made by its own `create_indexes`; the
filters below have the shapes its hot queries send (the method is named beside each). On
MongoDB the planner takes the same indexes (IXSCAN).

Not covered, as FerretDB still scans for them: ranges (`quarantines.end <= day`, the
webhook queue's due times), numbers (the checkpoint registry's `province_code`), and
fields that are in no index.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from libs.runtime.mongo import Document
from services.checkpoint.store.passages import PassageStore
from services.checkpoint.store.registry import CheckpointStore
from services.checkpoint.store.views import ViewStore
from services.declaration.notices.store.notices import NoticeStore
from services.declaration.store.declarations import DeclarationStore
from services.declaration.store.quarantines import QuarantineStore
from services.declaration.store.reveals import RevealStore
from services.declaration.store.vehicles import VehicleStore
from services.movement_trace.store.cases import CaseStore
from services.movement_trace.store.generation import GenerationStore
from services.ward_notification.store.followups import FollowupStore
from services.ward_notification.store.notifications import NotificationStore
from services.ward_notification.store.webhooks import WebhookStore
from services.ward_notification.store.zones import ZoneStore
from tests.conftest import ServerSlice

WARDS = ["79-26734", "79-26737"]
DAY = "2026-11-20"
NOW = datetime(2026, 12, 1, tzinfo=UTC)

# (service database, the store, the collection, the filter, where the query is made)
Pick = Callable[[Any], AsyncCollection[Document]]
HOT: list[tuple[str, Callable[[AsyncDatabase[Document]], Any], Pick, Document, str]] = [
    ("ward_notification", ZoneStore, lambda s: s.changes, {"ward_code": WARDS[0]},
     "ZoneStore.for_ward"),
    ("ward_notification", NotificationStore, lambda s: s.parked,
     {"declaration_id": {"$in": ["d-1", "d-2"]}}, "NotificationStore.parked_for"),
    ("ward_notification", NotificationStore, lambda s: s.notifications,
     {"ward_day": {"$in": [f"{w}|{DAY}" for w in WARDS]}, "reason": "arriving", "read": False},
     "NotificationStore.page / arrivals"),
    ("ward_notification", WebhookStore, lambda s: s.webhooks, {"ward_code": {"$in": WARDS}},
     "WebhookStore.for_wards"),
    ("ward_notification", WebhookStore, lambda s: s.webhooks, {"ward_code": WARDS[0]},
     "WebhookStore.count_for_ward"),
    ("ward_notification", WebhookStore, lambda s: s.queue, {"webhook_id": "wh-1"},
     "WebhookStore.delete / pause_all"),
    ("ward_notification", WebhookStore, lambda s: s.deliveries,
     {"webhook_id": "wh-1", "state": "pending"}, "WebhookStore.log / pause_all / resume_all"),
    ("ward_notification", FollowupStore, lambda s: s.quarantines, {"ward_code": {"$in": WARDS}},
     "FollowupStore.in_wards / order_days"),
    ("ward_notification", FollowupStore, lambda s: s.cases, {"ward_code": {"$in": WARDS}},
     "FollowupStore.case_days"),
    ("ward_notification", FollowupStore, lambda s: s.followups,
     {"quarantine_id": {"$in": ["q-1", "q-2"]}}, "FollowupStore.attempts"),
    ("ward_notification", FollowupStore, lambda s: s.followups,
     {"quarantine_id": "q-1", "outbox_pending": {"$ne": True}},
     "FollowupStore.recorded / purge"),
    ("movement_trace", CaseStore, lambda s: s.quarantines, {"subject_id": "079203001234"},
     "CaseStore.orders_of"),
    ("movement_trace", CaseStore, lambda s: s.suspects, {"day": {"$in": [DAY, "2026-11-21"]}},
     "CaseStore.suspects_on"),
    ("movement_trace", CaseStore, lambda s: s.cases, {"subject_id": {"$in": ["s-1", "s-2"]}},
     "CaseStore.cases_of"),
    ("declaration", DeclarationStore, lambda s: s.declarations, {"subject_id": "079203001234"},
     "DeclarationStore.latest_of"),
    ("declaration", NoticeStore, lambda s: s.notices, {"state": "pending", "due_at": {"$lte": NOW}},
     "NoticeStore.due"),
    ("checkpoint", CheckpointStore, lambda s: s.checkpoints, {"kind": "border"},
     "CheckpointStore.find (by kind)"),
    ("checkpoint", PassageStore, lambda s: s.passages, {"day": DAY, "outbox_pending": False},
     "PassageStore.purge"),
]

# Every store whose indexes are checked below; `day` (the retention purge, libs/runtime/
# retention.py) and `outbox_pending` (the outbox relay's sweep) are looked up on each
# collection that has them.
STORES: list[tuple[str, Callable[[AsyncDatabase[Document]], Any]]] = [
    ("ward_notification", ZoneStore), ("ward_notification", NotificationStore),
    ("ward_notification", WebhookStore), ("ward_notification", FollowupStore),
    ("movement_trace", CaseStore), ("movement_trace", lambda db: GenerationStore(db, 0)),
    ("declaration", DeclarationStore), ("declaration", VehicleStore),
    ("declaration", QuarantineStore), ("declaration", RevealStore), ("declaration", NoticeStore),
    ("checkpoint", CheckpointStore), ("checkpoint", PassageStore), ("checkpoint", ViewStore),
]


async def _uses_an_index(db: AsyncDatabase[Document], command: Document) -> tuple[bool, str]:
    explained = await db.command("explain", command)
    if "ferretdbVersion" in explained.get("serverInfo", {}):
        plan = str(explained["queryPlanner"])
        return "USING INDEX" in plan, plan
    return "IXSCAN" in str(explained), str(explained)


async def test_every_hot_query_on_an_indexed_field_uses_its_index(env: ServerSlice) -> None:
    client: AsyncMongoClient[Document]
    async with AsyncMongoClient(env.servers.mongo_url) as client:
        stores: dict[tuple[str, Any], Any] = {}
        for service, make in STORES:
            store = stores[service, make] = make(client[env.db_name(service)])
            await store.create_indexes()
        missed = []
        for service, make, pick, query, where in HOT:
            collection = pick(stores[service, make])
            ok, plan = await _uses_an_index(collection.database,
                                            {"find": collection.name, "filter": query})
            if not ok:
                missed.append(f"{where}: {query}\n    {plan}")
        # NotificationStore.counts: an aggregation whose first stage is the `$match`.
        notifications = stores["ward_notification", NotificationStore].notifications
        ok, plan = await _uses_an_index(notifications.database, {
            "aggregate": notifications.name, "cursor": {},
            "pipeline": [{"$match": {"ward_day": {"$in": [f"{WARDS[0]}|{DAY}"]}}},
                         {"$group": {"_id": "$reason", "n": {"$sum": 1}}}]})
        if not ok:
            missed.append(f"NotificationStore.counts\n    {plan}")

        swept = purged = 0
        for service in {service for service, _ in STORES}:
            db: AsyncDatabase[Document] = client[env.db_name(service)]
            for name in await db.list_collection_names():
                leading = {info["key"][0][0] for info in
                           (await db[name].index_information()).values()}
                for field, query in (
                        ("day", {"day": DAY, "valid_until": {"$lt": NOW},
                                 "outbox_pending": {"$ne": True}}),
                        ("outbox_pending", {"outbox_pending": True})):
                    if field not in leading:
                        continue
                    swept += field == "outbox_pending"
                    purged += field == "day"
                    ok, plan = await _uses_an_index(db, {"find": name, "filter": query})
                    if not ok:
                        missed.append(f"{service}.{name}: {query}\n    {plan}")
    assert swept and purged, (swept, purged)  # the loop found the indexes it looks for
    assert not missed, "\n".join(missed)


async def test_the_pushdown_returns_what_a_scan_returns(env: ServerSlice) -> None:
    """The same documents and filters on an indexed collection and an unindexed copy: the
    SQL pre-filter may only narrow what the handler filters, never drop a match."""
    oid = ObjectId()
    values: list[Any] = ["a<b>&c", 'q"uote', "back\\slash", "tiếng Việt", "line\u2028break",
                         "tab\tand\x01", "😀", "", "7", 7, 7.0, oid, str(oid), True, False,
                         None, {"nested": "a<b>&c"}, "x" * 3000]
    docs: list[Document] = [{"_id": i, "k": v, "other": i % 3} for i, v in enumerate(values)]
    docs += [{"_id": 100, "other": 1}, {"_id": 101, "k": "7", "other": 2}]  # no `k`; a twin
    filters: list[Document] = []
    for v in [*values, {"$eq": "tiếng Việt"}, {"$in": ["a<b>&c", "😀", "7", oid]},
              {"$in": [True, "7", 7]}, {"$in": []}]:
        filters += [{"k": v}, {"k": v, "other": 1}, {"k": v, "other": {"$gte": 1}},
                    {"other": {"$lte": 1}, "k": v}, {"k": v, "_id": {"$in": [3, 8, 101]}}]
    client: AsyncMongoClient[Document]
    async with AsyncMongoClient(env.servers.mongo_url) as client:
        db: AsyncDatabase[Document] = client[env.db_name("pushdown")]
        indexed, scanned = db["indexed"], db["scanned"]
        await indexed.create_index("k")
        await indexed.insert_many(docs)
        await scanned.insert_many(docs)
        differ = []
        for query in filters:
            got = sorted(d["_id"] for d in await indexed.find(query).to_list())
            want = sorted(d["_id"] for d in await scanned.find(query).to_list())
            counted = await indexed.count_documents(query)
            if got != want or counted != len(want):
                differ.append(f"{query!r:.120}: indexed {got} (count {counted}), scan {want}")
        ok, plan = await _uses_an_index(db, {"find": "indexed", "filter": {"k": "7", "other": 2}})
        assert ok, plan
        deleted = await indexed.delete_many({"k": "7", "other": {"$gte": 0}})
    assert not differ, "\n".join(differ)
    assert deleted.deleted_count == 2
