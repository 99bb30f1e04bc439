"""An HTTP caller that retries as a well-behaved client does while a service or one of
its dependencies is down: on connection errors, timeouts, 503 (honouring Retry-After)
and other 5xx, with a growing pause. Any other answer is returned to the caller."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Retries:
    """What the callers met: retries by cause, 503s that carried Retry-After, and
    requests whose answer was lost after they may have been processed."""

    causes: Counter[str] = field(default_factory=Counter)
    unavailable_with_retry_after: int = 0
    answer_lost: Counter[str] = field(default_factory=Counter)


async def call(http: httpx.AsyncClient, method: str, url: str, retries: Retries, *,
               deadline: float, **request: Any) -> httpx.Response:
    pause = 0.2
    while True:
        try:
            answer = await http.request(method, url, **request)
        except httpx.TransportError as error:
            retries.causes[type(error).__name__] += 1
            if not isinstance(error, httpx.ConnectError):  # it may have reached the service
                retries.answer_lost[url.rsplit("/", 1)[-1]] += 1
            wait = pause
        else:
            if answer.status_code < 500:
                return answer
            retries.causes[str(answer.status_code)] += 1
            wait = pause
            if answer.status_code == 503 and "retry-after" in answer.headers:
                retries.unavailable_with_retry_after += 1
                wait = float(answer.headers["retry-after"])
        if time.monotonic() + wait > deadline:
            raise AssertionError(f"{method} {url}: still failing at the deadline "
                                 f"({dict(retries.causes)})")
        await asyncio.sleep(wait)
        pause = min(pause * 2, 5.0)
