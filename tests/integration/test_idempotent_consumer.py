"""A redelivered event changes nothing: the movement is keyed by the event id."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient

from services.movement_trace.app import build as build_trace
from services.movement_trace.settings import Settings as TraceSettings
from tests.conftest import ServerSlice
from tests.support.apps import running
from tests.support.kafka import eventually
from tests.support.samples import submitted_envelope


async def test_redelivered_event_stores_one_movement(env: ServerSlice) -> None:
    settings = env.settings(TraceSettings)
    first, second = submitted_envelope("001085012345"), submitted_envelope("079090000123")
    # The same event three times (a producer retry, a replay), then another event as a marker.
    await env.publish(first, first, first, second)

    async with AsyncMongoClient[dict[str, Any]](env.servers.mongo_url) as client, \
            running(build_trace(settings)):
        movements = client[settings.mongo_db]["movements"]

        async def both_stored() -> bool:
            return await movements.count_documents({}) >= 2

        await eventually(both_stored)
        stored = await movements.find({}, {"_id": 1, "subject_id": 1}).to_list()
    assert sorted(doc["_id"] for doc in stored) == sorted([first.event_id, second.event_id])


async def test_restarted_consumer_resumes_without_duplicates(env: ServerSlice) -> None:
    settings = env.settings(TraceSettings)
    events = [submitted_envelope(f"0010850{i:05d}") for i in range(6)]
    async with AsyncMongoClient[dict[str, Any]](env.servers.mongo_url) as client:
        movements = client[settings.mongo_db]["movements"]
        for stored_after, batch in ((3, events[:3]), (6, events[3:])):
            await env.publish(*batch)
            # A fresh process each time: it resumes from the group's committed offsets.
            async with running(build_trace(settings)):
                async def caught_up(n: int = stored_after) -> bool:
                    return await movements.count_documents({}) >= n

                await eventually(caught_up)
        assert await movements.count_documents({}) == 6
