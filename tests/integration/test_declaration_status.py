"""Status follows identity verdicts, and zone levels reach the citizen, on the real servers.

Verdicts and levels are produced here as the identity and notification services
would; redeliveries, replays and late duplicates must change nothing.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import Channel
from libs.contracts.events.identity import IdentityRejected, IdentityVerified, RejectionReason
from libs.contracts.events.notification import ZoneLevel, ZoneLevelChanged
from libs.contracts.topics import IDENTITY_VERIFIED, dlq
from libs.contracts.values import subject_id_for
from libs.runtime.kafka import make_broker
from libs.runtime.mongo import database, make_client
from libs.runtime.outbox import OutboxRelay
from libs.runtime.settings import DEV_SUBJECT_SECRET
from services.declaration.domain.declarations import Status, submitted_events
from services.declaration.domain.form import DeclarationForm
from services.declaration.store.declarations import DeclarationStore
from tests.conftest import ServerSlice
from tests.support.declaration_kit import bearer, declaration_service, events_on, settings
from tests.support.declaration_samples import HOAN_KIEM, VUNG_TAU, form
from tests.support.kafka import eventually

pytestmark = pytest.mark.calendar  # "today" is in it: `make test-clock` runs it at 20:00 UTC too

T0 = datetime.now(UTC)
# A bound, not a timing assertion: consumers of a fresh group on a busy shared machine
# can take a while to be assigned and fetch.
WAIT_S = 60.0


def verdict(answer: dict[str, Any], verified: bool, at: datetime) -> Envelope[Any]:
    ids = {"declaration_id": answer["declaration_id"], "subject_id": answer["subject_id"]}
    payload = IdentityVerified(**ids) if verified else IdentityRejected(
        **ids, reasons=[RejectionReason.name_mismatch, RejectionReason.dob_mismatch])
    return Envelope.wrap(payload, producer="identity", occurred_at=at)


def level(ward: str, value: ZoneLevel, at: datetime) -> Envelope[ZoneLevelChanged]:
    return Envelope.wrap(ZoneLevelChanged(ward_code=ward, level=value, effective_at=at,
                                          set_by="health-authority"), producer="notification")


async def view(api: httpx.AsyncClient, answer: dict[str, Any]) -> dict[str, Any]:
    response = await api.get(f"/v1/declarations/{answer['declaration_id']}",
                             headers=bearer(answer["access_token"]))
    assert response.status_code == 200, response.text
    return dict(response.json())


async def submitted(api: httpx.AsyncClient) -> dict[str, Any]:
    data = form()
    answer = (await api.post("/v1/declarations", json=data)).json()
    subject = subject_id_for(DEV_SUBJECT_SECRET.encode(), data["person"]["national_id"])
    return {**answer, "subject_id": subject}


async def test_verdicts_apply_in_order_and_duplicates_change_nothing(env: ServerSlice) -> None:
    async with declaration_service(env) as api:
        answer = await submitted(api)
        verified = verdict(answer, True, T0)
        await env.publish(verified)
        first = await eventually(lambda: _status_is(api, answer, "verified"), WAIT_S)
        assert first["reasons"] == []

        # A later rejection wins; then the earlier verdict, redelivered, must not undo it.
        await env.publish(verdict(answer, False, T0 + timedelta(seconds=5)))
        rejected = await eventually(lambda: _status_is(api, answer, "rejected"), WAIT_S)
        # The same person's next declaration is the marker: same key, same partition, so
        # once its verdict shows, the redeliveries published before it were handled.
        marker = await submitted(api)
        await env.publish(verified, verified, verdict(marker, True, T0))
        await eventually(lambda: _status_is(api, marker, "verified"), WAIT_S)
        assert await view(api, answer) == rejected
    assert rejected["reasons"] == ["name_mismatch", "dob_mismatch"]


async def _status_is(api: httpx.AsyncClient, answer: dict[str, Any],
                     status: str) -> dict[str, Any] | None:
    current = await view(api, answer)
    return current if current["status"] == status else None


async def test_zone_levels_reach_the_citizen_latest_first(env: ServerSlice) -> None:
    async with declaration_service(env) as api:
        answer = await submitted(api)
        assert (await view(api, answer))["destination"]["level"] is None
        await env.publish(level(VUNG_TAU, ZoneLevel.orange, T0),
                      level(HOAN_KIEM, ZoneLevel.green, T0), key="k")
        seen = await eventually(lambda: _levels(api, answer, (1, 3)), WAIT_S)
        # An older change arriving late (or replayed) must not win over the newer one.
        await env.publish(level(VUNG_TAU, ZoneLevel.red, T0 + timedelta(hours=1)),
                      level(VUNG_TAU, ZoneLevel.yellow, T0 - timedelta(days=1)), key="k")
        later = await eventually(lambda: _levels(api, answer, (1, 4)), WAIT_S)
    assert seen["destination"]["level_name"] == "orange"
    assert later["destination"]["level_name"] == "red"
    assert later["origin"]["ward_name"] == "Phường Hoàn Kiếm"


async def _levels(api: httpx.AsyncClient, answer: dict[str, Any],
                  expected: tuple[int, int]) -> dict[str, Any] | None:
    current = await view(api, answer)
    got = (current["origin"]["level"], current["destination"]["level"])
    return current if got == expected else None


async def test_a_verdict_for_an_unknown_declaration_is_not_poison(env: ServerSlice) -> None:
    async with declaration_service(env) as api:
        answer = await submitted(api)
        # Same subject, so same partition: handled before the real verdict that follows it.
        stray = Envelope.wrap(IdentityVerified(declaration_id="not-ours",
                                               subject_id=answer["subject_id"]),
                              producer="identity")
        await env.publish(stray, verdict(answer, True, T0))
        await eventually(lambda: _status_is(api, answer, "verified"), WAIT_S)
    assert await events_on(env, dlq(IDENTITY_VERIFIED), at_least=0) == []


async def test_a_verdict_racing_the_outbox_relay_is_never_lost(env: ServerSlice) -> None:
    """FerretDB rewrites a whole document per update, so the verdict must not share the
    declaration's document with the relay's marks (it lost most of these races when it did)."""
    config = settings(env)
    broker, mongo = make_broker(config), make_client(config)
    store = DeclarationStore(database(mongo, config))
    relay = OutboxRelay(store.declarations, broker, env.topics)
    parsed = DeclarationForm.model_validate(form())
    await broker.start()
    try:
        for _ in range(25):
            [event] = submitted_events(parsed, channel=Channel.web, validity_hours=72,
                                       secret=config.subject_secret_bytes)
            await store.add([event])
            p = event.payload
            relay.wake(p.declaration_id)  # as the submit endpoint does
            await asyncio.gather(relay.relay_once(), store.apply_verdict(
                p.declaration_id, p.subject_id, Status.verified, [], "k"))
            stored = await store.get(p.declaration_id)
            assert stored is not None and stored.status == Status.verified
            marks = await store.declarations.find_one({"_id": p.declaration_id},
                                                      {"outbox_pending": 1})
            assert marks is not None and marks["outbox_pending"] is False
    finally:
        await broker.stop()
        await mongo.close()
