"""The declaration view against the event log's ugly cases: redeliveries, verdicts out
of order, poison messages; and what it keeps (masked identity only)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from pymongo import AsyncMongoClient

from libs.contracts.envelope import Envelope
from libs.contracts.events.identity import IdentityRejected, IdentityVerified
from libs.contracts.topics import (
    DECLARATION_SUBMITTED,
    IDENTITY_REJECTED,
    IDENTITY_VERIFIED,
    dlq,
)
from tests.conftest import ServerSlice
from tests.integration.test_checkpoint_scan import scan_when_known
from tests.support.checkpoint_kit import Keys, add_checkpoints, caught_up, checkpoint_service, declaration
from tests.support.kafka import read_topic


async def test_redeliveries_and_late_verdicts_change_nothing(env: ServerSlice) -> None:
    keys = Keys()
    decl = declaration("001085012400")
    now = datetime.now(UTC)
    ids = {"declaration_id": decl.payload.declaration_id, "subject_id": decl.payload.subject_id}
    earlier_ok = Envelope.wrap(IdentityVerified(**ids), producer="test",
                               occurred_at=now - timedelta(minutes=5))
    later_no = Envelope.wrap(IdentityRejected(**ids, reasons=["dob_mismatch"]), producer="test",
                             occurred_at=now)
    async with checkpoint_service(env, keys) as client:
        await add_checkpoints(client)
        # The later rejection first, then the earlier verification, then everything again.
        await env.publish(later_no, decl, earlier_ok, decl, later_no, earlier_ok)
        await caught_up(env, DECLARATION_SUBMITTED, IDENTITY_VERIFIED, IDENTITY_REJECTED)
        answer = await scan_when_known(client, keys.token(decl.payload.declaration_id))
    assert answer["person"]["status"] == "rejected"
    assert answer["person"]["rejection_reasons"] == ["dob_mismatch"]


async def test_poison_goes_to_the_dead_letters_and_the_view_keeps_no_identity(
        env: ServerSlice) -> None:
    keys = Keys()
    decl = declaration("001085012402", full_name="Phạm Thị Hồng Nhung")
    async with checkpoint_service(env, keys) as client:
        await add_checkpoints(client)
        producer = AIOKafkaProducer(bootstrap_servers=env.servers.kafka_bootstrap)
        await producer.start()
        try:
            topic = env.topics(DECLARATION_SUBMITTED)
            await producer.send_and_wait(topic, b"{not json", key=decl.payload.subject_id.encode())
            await producer.send_and_wait(topic, b'{"type": "declaration.submitted", '
                                                b'"version": 1, "payload": {}}', key=b"x")
        finally:
            await producer.stop()
        await env.publish(decl)
        answer = await scan_when_known(client, keys.token(decl.payload.declaration_id))
        dead = await read_topic(env.servers.kafka_bootstrap, dlq(topic), at_least=2)
    assert answer["person"]["masked_name"] == "Phạm T. H. N."
    assert {r.value for r in dead} == {b"{not json", b'{"type": "declaration.submitted", '
                                                    b'"version": 1, "payload": {}}'}
    async with AsyncMongoClient[dict[str, Any]](env.servers.mongo_url) as mongo:
        stored = await mongo[env.db_name("checkpoint")]["declarations"].find_one(
            {"_id": decl.payload.declaration_id})
    assert stored is not None
    text = str(stored)
    for secret in ("001085012402", "Nhung", "Hồng", "1985-03-14", "0912345678", "Hàng Bạc"):
        assert secret not in text, f"{secret} stored in the checkpoint view"
