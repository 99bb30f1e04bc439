"""A declaration and its event are never lost and never published twice undetectably,
across restarts of the service (the relay itself is tested in test_outbox_relay.py)."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient

from libs.contracts.events.declaration import Channel
from libs.contracts.topics import DECLARATION_SUBMITTED
from services.declaration.domain.declarations import submitted_events
from services.declaration.domain.form import DeclarationForm
from services.declaration.store.declarations import declaration_document
from tests.conftest import ServerSlice
from tests.support.declaration_kit import declaration_service, events_on, settings
from tests.support.declaration_samples import form


async def test_declarations_written_before_a_crash_are_published_after_the_restart(
        env: ServerSlice) -> None:
    config = settings(env)
    # Written by a process that died before its relay ran: in the store, not on Kafka.
    orphans = [event for i in range(4) for event in submitted_events(
        DeclarationForm.model_validate(form(person__full_name=f"Người Thứ {'abcd'[i]}")),
        channel=Channel.web, secret=config.subject_secret_bytes, validity_hours=72)]
    async with AsyncMongoClient[dict[str, Any]](env.servers.mongo_url, tz_aware=True) as client:
        declarations = client[config.mongo_db]["declarations"]
        await declarations.insert_many([declaration_document(e) for e in orphans])

        submitted = []
        for _ in range(2):  # two lifetimes of the service, each stopped right after writing
            async with declaration_service(env) as api:
                for _ in range(3):
                    response = await api.post("/v1/declarations", json=form())
                    submitted.append(response.json()["declaration_id"])
        async with declaration_service(env):
            published = await events_on(env, DECLARATION_SUBMITTED, at_least=10, settle_s=2.0)
        stored = await declarations.find({}, {"outbox": 1, "outbox_pending": 1}).to_list()

    expected = {e.payload.declaration_id for e in orphans} | set(submitted)
    assert {e.payload.declaration_id for _, e in published} == expected
    # Anything sent twice (a relay killed between send and mark) carries the same event id.
    outbox_ids = {entry["event_id"] for doc in stored for entry in doc["outbox"]}
    assert {e.event_id for _, e in published} == outbox_ids
    assert len(outbox_ids) == len(expected) == 10
    assert not any(doc["outbox_pending"] for doc in stored)
