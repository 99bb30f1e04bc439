"""The QR key cache: refresh on an unknown kid (rate-limited), saved keys, outages."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from libs.runtime.qr_tokens import QrTokenError, Reason
from services.checkpoint.domain.errors import KeysUnavailable
from services.checkpoint.service.qr_keys import KeyCache
from tests.support.checkpoint_samples import Keys


class Issuer(Keys):
    """The declaration service's JWKS endpoint, which may be down."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False

    async def source(self) -> dict[str, Any]:
        if self.down:
            self.fetches += 1
            raise ConnectionError("declaration service down")
        return await super().source()


def cache(issuer: Issuer, min_refresh_s: float = 3600.0) -> tuple[KeyCache, list[Any]]:
    saved: list[Any] = []

    async def save(jwks: dict[str, Any]) -> None:
        saved.append(jwks)

    return KeyCache(issuer.source, min_refresh_s=min_refresh_s, max_age_s=300,
                    save=save), saved


async def test_keys_are_fetched_at_start_and_after_a_rotation_once() -> None:
    issuer = Issuer()
    keys, saved = cache(issuer)
    await keys.start(None)
    subject = str(uuid.uuid4())
    assert (await keys.verify(issuer.token(subject))).subject == subject
    issuer.rotate()
    assert (await keys.verify(issuer.token(subject))).subject == subject
    assert issuer.fetches == 2 and len(saved) == 2
    stranger = Keys()
    for _ in range(3):
        with pytest.raises(QrTokenError) as error:
            await keys.verify(stranger.token(subject))
        assert error.value.reason == Reason.foreign_key
    assert issuer.fetches == 2, "forgeries do not reach the issuer within the interval"


async def test_saved_keys_verify_while_the_issuer_is_down() -> None:
    issuer = Issuer()
    first, saved = cache(issuer)
    await first.start(None)
    issuer.down = True
    restarted, _ = cache(issuer)
    await restarted.start(saved[-1])
    assert (await restarted.verify(issuer.token(str(uuid.uuid4())))).kind.value == "d"


async def test_without_any_keys_the_scan_is_told_to_retry() -> None:
    issuer = Issuer()
    issuer.down = True
    keys, _ = cache(issuer, min_refresh_s=0.0)
    await keys.start(None)
    with pytest.raises(KeysUnavailable):
        await keys.verify(issuer.token(str(uuid.uuid4())))
    issuer.down = False
    assert await keys.verify(issuer.token(str(uuid.uuid4())))


async def test_unusable_saved_keys_are_ignored() -> None:
    issuer = Issuer()
    keys, _ = cache(issuer)
    await keys.start({"keys": [{"kty": "RSA", "n": "x", "e": "AQAB"}]})
    assert keys.jwks is not None and keys.jwks["keys"][0]["kty"] == "OKP"
