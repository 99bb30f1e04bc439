"""Per-client token buckets for the anonymous submission routes.

In-process: each replica keeps its own buckets, so N replicas behind a
load balancer let a client through up to N times the configured rate. That
bounds abuse cheaply without a shared store; a global limit belongs in the
ingress (documented in docs/declaration.md).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from fastapi import Depends, Request

from libs.runtime.errors import ApiError


class TokenBuckets:
    def __init__(self, per_minute: float, burst: int, max_clients: int = 50_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, client: str) -> float:
        """Spend one token; 0 when allowed, else the seconds until a token is back."""
        now = self.clock()
        tokens, last = self._buckets.pop(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
        self._buckets[client] = (tokens - 1 if wait == 0 else tokens, now)
        if len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)  # forget the least recently seen client
        return wait


def client_address(request: Request, trust_forwarded_for: bool) -> str:
    if trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded.strip():
            return forwarded.split(",")[0].strip()
    return request.client.host if request.client else "unknown"


def limited(buckets: TokenBuckets, trust_forwarded_for: bool) -> Any:
    """A route dependency: 429 in the §11 shape, with Retry-After, once a client is over."""

    def check(request: Request) -> None:
        wait = buckets.take(client_address(request, trust_forwarded_for))
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise ApiError(429, "rate_limited",
                           f"Gửi quá nhiều lần, vui lòng thử lại sau {seconds} giây",
                           f"Too many submissions, retry in {seconds} s",
                           headers={"Retry-After": str(seconds)})

    return Depends(check)

