"""The outbox relay on the real Kafka and store: nothing lost, only pending entries re-sent."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from libs.contracts.envelope import Envelope, parse_event
from libs.contracts.events.notification import ZoneLevelChanged
from libs.contracts.topics import ZONE_LEVEL_CHANGED
from libs.runtime.kafka import make_broker
from libs.runtime.outbox import (
    OutboxRelay,
    append_to_outbox,
    create_outbox_index,
    new_outbox,
    outbox_entry,
)
from libs.runtime.settings import ServiceSettings
from services.identity_verification.store.relay import VerdictRelay
from tests.conftest import ServerSlice
from tests.support.kafka import read_topic


class RelayKilledAfterPublish(OutboxRelay):
    """Dies like a SIGKILL would: events are on Kafka, the marks never reach the store."""

    async def _mark(self, docs: list[Any], published: dict[Any, list[int]]) -> None:
        raise asyncio.CancelledError


def zone_event(ward: str) -> Envelope[ZoneLevelChanged]:
    from libs.contracts.envelope import utcnow

    return Envelope.wrap(ZoneLevelChanged(ward_code=ward, level=2, effective_at=utcnow(),
                                          set_by="test"), producer="test")


async def _published_ids(env: ServerSlice, at_least: int) -> Counter[str]:
    records = await read_topic(env.servers.kafka_bootstrap, env.topics(ZONE_LEVEL_CHANGED),
                               at_least=at_least, settle_s=1.0)
    return Counter(parse_event(r.value).event_id for r in records)


# The identity service's relay marks a whole pass with one update (store/relay.py).
@pytest.mark.parametrize("relay", [OutboxRelay, VerdictRelay])
async def test_relay_killed_between_publish_and_mark(env: ServerSlice,
                                                     relay: type[OutboxRelay]) -> None:
    settings = env.settings(ServiceSettings, service_name="outbox-test")
    broker = make_broker(settings)
    async with AsyncMongoClient[dict[str, Any]](env.servers.mongo_url) as client:
        docs = client[settings.mongo_db]["zones"]
        await create_outbox_index(docs)
        already_sent, pending_a, pending_b = (zone_event(w) for w in ("00070", "00073", "00004"))
        await docs.insert_one({"_id": "sent", **new_outbox(outbox_entry(already_sent, "00070"))})
        await broker.start()
        try:
            assert await OutboxRelay(docs, broker, env.topics).relay_once() == 1
            await docs.insert_one({"_id": "a", **new_outbox(outbox_entry(pending_a, "00073"))})
            await docs.insert_one({"_id": "b", **new_outbox(outbox_entry(pending_b, "00004"))})

            with pytest.raises(asyncio.CancelledError):
                await RelayKilledAfterPublish(docs, broker, env.topics).relay_once()
            assert await docs.count_documents({"outbox_pending": True}) == 2

            # The restarted relay sends what is still pending, and only that: woken for
            # one document and one it does not hold, then by its sweep.
            restarted = relay(docs, broker, env.topics)
            restarted.wake("a", "missing")
            assert await restarted.relay_once() == 2  # the two ids looked up
            assert await docs.count_documents({"outbox_pending": True}) == 1
            assert await relay(docs, broker, env.topics).relay_once() == 1  # the sweep: b
            assert await relay(docs, broker, env.topics).relay_once() == 0
        finally:
            await broker.stop()
        assert await docs.count_documents({"outbox_pending": True}) == 0

    sent = await _published_ids(env, at_least=5)
    assert sent == {already_sent.event_id: 1, pending_a.event_id: 2, pending_b.event_id: 2}


async def test_entry_appended_during_a_pass_stays_pending(env: ServerSlice) -> None:
    settings = env.settings(ServiceSettings, service_name="outbox-test")
    broker = make_broker(settings)
    first, second = zone_event("00070"), zone_event("00070")
    async with AsyncMongoClient[dict[str, Any]](env.servers.mongo_url) as client:
        docs = client[settings.mongo_db]["zones"]
        await docs.insert_one({"_id": "w", **new_outbox(outbox_entry(first, "00070"))})

        class AppendWhilePublishing(OutboxRelay):
            async def _publish(self, entry: dict[str, Any]) -> None:
                await super()._publish(entry)
                await docs.update_one({"_id": "w"}, append_to_outbox(outbox_entry(second, "00070")))

        await broker.start()
        try:
            await AppendWhilePublishing(docs, broker, env.topics).relay_once()
            doc = await docs.find_one({"_id": "w"})
            assert doc is not None and doc["outbox_pending"] is True
            assert [e["published"] for e in doc["outbox"]] == [True, False]
            await OutboxRelay(docs, broker, env.topics).relay_once()
        finally:
            await broker.stop()
        doc = await docs.find_one({"_id": "w"})
    assert doc is not None and doc["outbox_pending"] is False
    assert await _published_ids(env, at_least=2) == {first.event_id: 1, second.event_id: 1}


async def test_a_hinted_document_is_published_without_sweeping_the_collection(
        env: ServerSlice) -> None:
    """`wake(_id)` publishes that document by `_id`; the collection-wide sweep (a full read
    on FerretDB) runs only at start, on `wake()` without ids, and every `sweep_s`."""
    settings = env.settings(ServiceSettings, service_name="outbox-test")
    broker = make_broker(settings)
    async with AsyncMongoClient[dict[str, Any]](env.servers.mongo_url) as client:
        docs = client[settings.mongo_db]["zones"]
        relay = OutboxRelay(docs, broker, env.topics, sweep_s=3600)
        first, hinted, unhinted = (zone_event(w) for w in ("00070", "00073", "00004"))
        await docs.insert_one({"_id": "first", **new_outbox(outbox_entry(first, "00070"))})
        await broker.start()
        try:
            assert await relay.relay_once() == 1  # the start-up sweep
            await docs.insert_one({"_id": "hinted", **new_outbox(outbox_entry(hinted, "00073"))})
            await docs.insert_one({"_id": "quiet", **new_outbox(outbox_entry(unhinted, "00004"))})
            relay.wake("hinted")
            assert await relay.relay_once() == 1
            assert await relay.relay_once() == 0  # no hint left, no sweep due: nothing read
            quiet = await docs.find_one({"_id": "quiet"})
            assert quiet is not None and quiet["outbox_pending"] is True
            relay.wake()
            assert await relay.relay_once() == 1  # the sweep finds what no hint named
        finally:
            await broker.stop()
    published = await _published_ids(env, at_least=3)
    assert published == Counter({first.event_id: 1, hinted.event_id: 1, unhinted.event_id: 1})
