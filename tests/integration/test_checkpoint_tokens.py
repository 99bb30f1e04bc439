"""Bad QR tokens get a clear 4xx with the reason; keys rotate without a restart."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta

from libs.runtime.qr_tokens import Kind
from tests.conftest import ServerSlice
from tests.integration.test_checkpoint_scan import scan_when_known
from tests.support.checkpoint_kit import (
    OFFICER,
    ROAD,
    Keys,
    add_checkpoints,
    checkpoint_service,
    declaration,
    verified,
)


def tampered(token: str) -> str:
    """Flip one bit of the signed claims (the expiry), keep the signature."""
    raw = bytearray(base64.b32decode(token + "=" * (-len(token) % 8)))
    raw[33] ^= 0x01
    return base64.b32encode(bytes(raw)).decode().rstrip("=")


async def test_tampered_foreign_expired_truncated_and_junk_tokens_say_why(
        env: ServerSlice) -> None:
    keys, stranger = Keys(), Keys()
    decl = declaration("001085012350")
    good = keys.token(decl.payload.declaration_id)
    now = datetime.now(UTC)
    cases = {
        "qr_tampered": tampered(good),
        "qr_foreign_key": stranger.token(decl.payload.declaration_id),
        "qr_expired": keys.token(decl.payload.declaration_id, issued=now - timedelta(days=4),
                                 expires=now - timedelta(hours=1)),
        "qr_truncated": good[:120],
        "qr_malformed": "https://example.com/not-a-declaration",
        "qr_oversized": "A" * 5000,
        "qr_not_yet_valid": keys.token(decl.payload.declaration_id,
                                       issued=now + timedelta(hours=1)),
    }
    async with checkpoint_service(env, keys) as client:
        await add_checkpoints(client)
        await env.publish(decl, verified(decl))
        await scan_when_known(client, good)
        for code, token in cases.items():
            answer = await client.post("/v1/scans", headers=OFFICER,
                                       json={"checkpoint_id": ROAD, "token": token})
            assert answer.status_code == 422, (code, answer.text)
            error = answer.json()["error"]
            assert error["code"] == code
            assert error["message"]["vi"] and error["message"]["en"]
            assert error["fields"]["token"][0]["code"] == code.removeprefix("qr_")
        unknown = await client.post("/v1/scans", headers=OFFICER, json={
            "checkpoint_id": ROAD, "token": keys.token(str(uuid.uuid4()))})
        assert unknown.status_code == 404
        assert unknown.json()["error"]["code"] == "declaration_unknown"
        vehicle = await client.post("/v1/scans", headers=OFFICER, json={
            "checkpoint_id": ROAD, "token": keys.token(str(uuid.uuid4()), kind=Kind.vehicle)})
        assert vehicle.json()["error"]["code"] == "vehicle_unknown"


async def test_a_rotated_key_is_fetched_once_and_forgeries_do_not_flood_the_issuer(
        env: ServerSlice) -> None:
    keys = Keys()
    decl = declaration("001085012351")
    async with checkpoint_service(env, keys, keys_min_refresh_s=3600) as client:
        await add_checkpoints(client)
        await env.publish(decl, verified(decl))
        await scan_when_known(client, keys.token(decl.payload.declaration_id))
        fetched = keys.fetches
        keys.rotate()  # the declaration service now signs with a new key
        rotated = await client.post("/v1/scans", headers=OFFICER, json={
            "checkpoint_id": ROAD, "token": keys.token(decl.payload.declaration_id)})
        assert rotated.status_code == 200, rotated.text
        assert keys.fetches == fetched + 1
        stranger = Keys()
        for _ in range(5):
            forged = await client.post("/v1/scans", headers=OFFICER, json={
                "checkpoint_id": ROAD, "token": stranger.token(decl.payload.declaration_id)})
            assert forged.json()["error"]["code"] == "qr_foreign_key"
        assert keys.fetches == fetched + 1, "an unknown kid fetches at most once per interval"
        published = (await client.get("/v1/keys")).json()
        assert len(published["keys"]) == 2 and published["fetched_at"]
