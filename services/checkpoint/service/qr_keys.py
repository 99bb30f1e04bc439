"""The QR public keys, fetched from the declaration service and kept here.

Tokens are verified offline against the cached JWKS. An unknown `kid` (the
issuer rotated its key) triggers a fetch, at most one per `min_refresh_s` so a
flood of forged tokens cannot turn into a flood of requests; the set is also
refreshed every `max_age_s`. The last good set is saved, so a restart while the
declaration service is down still verifies.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import httpx

from libs.runtime.logs import log_fields
from libs.runtime.qr_tokens import QrClaims, QrTokenError, QrVerifier, Reason
from services.checkpoint.domain.errors import KeysUnavailable
from services.checkpoint.domain.records import Jwks

log = logging.getLogger(__name__)
KeySource = Callable[[], Awaitable[Jwks]]
Saver = Callable[[Jwks], Awaitable[None]]


def http_source(url: str, timeout_s: float) -> KeySource:
    async def fetch() -> Jwks:
        async with httpx.AsyncClient(timeout=timeout_s) as client:
            answer = await client.get(url)
            answer.raise_for_status()
            jwks: Jwks = answer.json()
            return jwks

    return fetch


class KeyCache:
    def __init__(self, source: KeySource, *, min_refresh_s: float, max_age_s: float,
                 save: Saver | None = None) -> None:
        self.source, self.save = source, save
        self.min_refresh_s, self.max_age_s = min_refresh_s, max_age_s
        self.jwks: Jwks | None = None
        self.fetched_at: datetime | None = None
        self._verifier: QrVerifier | None = None
        self._last_attempt = -float("inf")
        self._lock = asyncio.Lock()

    def use(self, jwks: Jwks, fetched_at: datetime | None = None) -> None:
        """Start verifying with `jwks` (raises ValueError if a key in it is not Ed25519)."""
        self._verifier = QrVerifier.from_jwks(jwks)
        self.jwks = {"keys": [k for k in jwks.get("keys", []) if isinstance(k, dict)]}
        self.fetched_at = fetched_at or datetime.now(UTC)

    async def refresh(self, *, force: bool = False) -> bool:
        """Fetch the keys; on demand (not `force`) only if no such fetch was tried within
        `min_refresh_s`. True on success."""
        async with self._lock:
            if not force:
                # Only fetches on demand are rate-limited; the schedule's do not count.
                if time.monotonic() - self._last_attempt < self.min_refresh_s:
                    return False
                self._last_attempt = time.monotonic()
            try:
                jwks = await self.source()
                self.use(jwks)
            except Exception as error:  # the issuer is down or answered nonsense
                log.warning("QR keys not refreshed", extra=log_fields(error=repr(error)))
                return False
            if self.save is not None:
                await self.save({**(self.jwks or {}), "fetched_at": self.fetched_at})
            return True

    async def verify(self, token: str, now: datetime | None = None) -> QrClaims:
        if self._verifier is None and not await self.refresh():
            raise KeysUnavailable("no QR public keys yet")
        assert self._verifier is not None
        try:
            return self._verifier.verify(token, now)
        except QrTokenError as error:
            if error.reason != Reason.foreign_key or not await self.refresh():
                raise
        return self._verifier.verify(token, now)  # with the new keys; raises if still unknown

    async def start(self, saved: Jwks | None) -> None:
        """At start-up: the saved set first (if any), then a fresh one if the issuer answers."""
        if saved:
            try:
                self.use(saved, saved.get("fetched_at"))
            except ValueError:
                log.warning("saved QR keys unusable; fetching")
        await self.refresh(force=True)

    async def run(self) -> None:
        """Background: refresh every `max_age_s`."""
        while True:
            await asyncio.sleep(self.max_age_s)
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise asyncio.CancelledError
            await self.refresh(force=True)
