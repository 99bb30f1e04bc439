"""The dashboard's counters on the real store (store/tallies.py): after redelivered
batches, a batch repeated inside itself, two writers of one generation at once, many
writes at once from one writer and a writer dying between the insert and the count,
every Viet Nam day's counters equal a recount from the movements; the purge takes a
past day's counters; the dashboard's read is answered from indexes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure

from libs.contracts.envelope import utcnow
from libs.contracts.vietnam_time import vn_day
from libs.runtime.mongo import insert_new
from services.movement_trace.domain.dashboard import Tally, tally
from services.movement_trace.domain.movements import Movement, MovementKind
from services.movement_trace.settings import Settings
from services.movement_trace.store.cases import CaseStore
from services.movement_trace.store.layout import from_document, to_document
from services.movement_trace.store.purge import purge_once
from services.movement_trace.store.tallies import counted_only
from services.movement_trace.store.trace import TraceStore
from tests.conftest import ServerSlice

# Counted by Viet Nam day around now: which movements share a day turns with the hour.
pytestmark = pytest.mark.calendar
Db = AsyncDatabase[dict[str, Any]]
NOW = datetime.now(UTC).replace(microsecond=0)
KINDS = (MovementKind.passed, MovementKind.refused, MovementKind.identity_verified,
         MovementKind.followed_up, MovementKind.declared)
WARDS = ("00070", "26506", None)


def movement(n: int, hours_ago: float) -> Movement:
    """The n-th movement: kinds, wards and hours in turn (some not counted, some with no
    ward), `hours_ago` before now."""
    kind = KINDS[n % len(KINDS)]
    presence = kind in (MovementKind.passed, MovementKind.refused)
    return Movement(source_event_id=f"ev-{n}", subject_id=f"{n % 7:064x}",
                    at=NOW - timedelta(hours=hours_ago), kind=kind, ward_code=WARDS[n % 3],
                    checkpoint_id="cp-tally" if presence else None,
                    direction="through" if presence else None)


def spread(first: int, last: int) -> list[Movement]:
    """Movements `first`..`last`-1 over the last four days, two an hour or so."""
    return [movement(n, (n * 0.47) % 96) for n in range(first, last)]


@pytest.fixture
async def db(env: ServerSlice) -> AsyncIterator[Db]:
    async with AsyncMongoClient[dict[str, Any]](env.servers.mongo_url, tz_aware=True) as client:
        found = client[env.db_name("tallies")]
        await TraceStore(found).create_indexes()
        try:
            yield found
        finally:
            await client.drop_database(found.name)


def days_around() -> list[date]:
    return [vn_day(NOW) - timedelta(days=n) for n in range(6, -2, -1)]


async def recount(db: Db) -> dict[date, Tally]:
    """The dashboard's tallies counted from every stored movement (the old way)."""
    return tally([from_document(d) for d in await db["movements"].find().to_list()])


async def delivered(store: TraceStore, batch: list[Movement]) -> int:
    """`add_many`, redelivered while it fails, as the consumer does: two writers upserting
    a bucket that does not exist yet at once can fail one of them (FerretDB answers the
    losing upsert with a duplicate key, which pymongo cannot read: KeyError 'nModified')."""
    for _ in range(4):
        try:
            return await store.add_many(batch)
        except (KeyError, OperationFailure):
            continue
    return await store.add_many(batch)


async def test_counters_equal_a_recount_after_redeliveries_and_two_writers(db: Db) -> None:
    live, rebuild = TraceStore(db), TraceStore(db)  # two writers of generation 0
    first = spread(0, 300)
    assert await live.add_many(first) == 300
    # Redelivered whole, in other batches, repeated inside a batch, and by two writers at
    # once with the new ones overlapping: each movement counted by whoever inserted it.
    assert await live.add_many(first[100:200] + first[150:160]) == 0
    # The writer forgets what its documents hold (as after a failed write): it reads back.
    (await live.active()).tallies._held.clear()
    overlap = spread(300, 500)
    new = await asyncio.gather(delivered(live, overlap[:150]), delivered(rebuild, overlap[50:]),
                               *(delivered(live, [m]) for m in overlap[40:60]))
    assert sum(new) == 200
    # Many writes at once from one writer on the same days' documents.
    assert sum(await asyncio.gather(*(delivered(live, spread(n, n + 10))
                                      for n in range(500, 700, 10)))) == 200

    expected = await recount(db)
    assert sum(t.rows.total() for t in expected.values()) == 700 * 4 // 5  # declarations aside
    assert await live.day_tallies(days_around()) == {
        d: t for d, t in expected.items() if d in days_around()}
    assert not await db["tallies"].count_documents({"open": {"$ne": {}}})  # all folded


async def test_a_writer_dying_between_the_insert_and_the_count_loses_and_adds_nothing(
        db: Db) -> None:
    store = TraceStore(db)
    view, batch = await store.active(), spread(0, 60)
    # Died after the insert (step 2), and another after opening only (step 1).
    counted = counted_only(batch[:40])
    inserted = view.tallies.new_piece()
    await view.tallies.open(inserted, counted)
    ids = {m.source_event_id for m in counted}
    await insert_new(view.movements, [{**to_document(m), "tally": inserted}
                                      if m.source_event_id in ids else to_document(m)
                                      for m in batch[:40]])
    # The open piece also lists a movement never inserted, of a day nothing else is on
    # (5 days ago): that day counts nothing, at whatever hour the test runs.
    never_inserted = movement(1000, hours_ago=120)
    await view.tallies.open(view.tallies.new_piece(), counted_only([*batch[30:], never_inserted]))
    assert vn_day(never_inserted.at) in days_around()
    assert await store.day_tallies(days_around()) == await recount(db)  # counted live
    # The redelivery: the first 40 are not new any more, the other 20 are.
    assert await TraceStore(db).add_many(batch) == 20
    assert await store.day_tallies(days_around()) == await recount(db)
    assert await db["tallies"].count_documents({"open": {"$ne": {}}})  # the dead pieces


async def test_the_purge_takes_a_past_days_counters(db: Db, env: ServerSlice) -> None:
    store = TraceStore(db)
    await store.add_many(spread(0, 400))
    before = {d["_id"]: d["day"] for d in await db["tallies"].find({}, {"day": 1}).to_list()}
    # 28 days after two days ago, midday: that day is the cutoff's; the ones before go.
    later = NOW - timedelta(days=2) + timedelta(days=28)
    cutoff = later - timedelta(days=28)
    deleted = await purge_once(store, CaseStore(db), env.settings(Settings), now=later)
    after = {d["_id"]: d["day"] for d in await db["tallies"].find({}, {"day": 1}).to_list()}
    gone = {k for k, day in before.items() if date.fromisoformat(day) < vn_day(cutoff)}
    assert gone and set(after) == set(before) - gone
    assert deleted["tallies"] == len(gone)
    # The dashboard's window at that time: the cutoff's day counted from what is left.
    purged = TraceStore(db, window=utcnow() - cutoff)  # reads hide what the purge took
    expected = await recount(db)
    assert await purged.day_tallies(days_around()) == {
        d: t for d, t in expected.items() if d >= vn_day(cutoff)}


async def test_the_dashboards_reads_are_answered_from_indexes(db: Db) -> None:
    await TraceStore(db).add_many(spread(0, 50))
    days = [d.isoformat() for d in days_around()]
    plans = [await db.command("explain", {"find": "tallies", "filter": {"day": {"$in": days}}}),
             await db.command("explain", {"find": "movements",
                                          "filter": {"_id": {"$in": ["ev-1", "ev-2"]}}})]
    for explained, index in zip(plans, ("day", "_id"), strict=True):
        plan = str(explained["queryPlanner"])
        if "ferretdbVersion" in explained.get("serverInfo", {}):
            assert "USING INDEX" in plan and f"_{index}_" in plan, plan
        else:
            assert any(stage in plan for stage in ("IXSCAN", "IDHACK", "EXPRESS")), plan
