"""Periodic background jobs (purges, automatic check-outs, releases at term).

A job runs its work every `interval_s`; a failure is logged and tried again
next time, never ends the job; cancellation (service shutdown) always does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from libs.runtime.logs import log_fields

log = logging.getLogger(__name__)


def honour_cancellation() -> None:
    # PyMongo's async cursor can swallow a cancellation that lands while it
    # waits on the server; the task is still marked as cancelling, so stop here.
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def every(interval_s: float, work: Callable[[], Awaitable[Any]],
          what: str) -> Callable[[], Coroutine[Any, Any, None]]:
    """A background hook running `work` every `interval_s`; what it returns (a count or a
    dict of counts) is logged as `what` when not empty."""

    async def run() -> None:
        while True:
            honour_cancellation()
            try:
                done = await work()
                if done:
                    log.info(what, extra=log_fields(
                        **(done if isinstance(done, dict) else {"count": done})))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception(f"{what} failed; next time")
            honour_cancellation()
            await asyncio.sleep(interval_s)

    return run
