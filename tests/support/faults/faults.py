"""The faults: each calls `broken()` once the fault is in place, then repairs it."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable, Coroutine
from typing import Any

import httpx

from deploy.local import run
from tests.support.declaration_samples import form
from tests.support.faults.system import System

Fault = Callable[[System, Callable[[], None]], Coroutine[Any, Any, None]]


async def kill_each_service(system: System, broken: Callable[[], None]) -> None:
    for service in run.existing():
        slot = service.slot(system.environ)
        pid = slot.pid()
        assert pid is not None and slot.alive(), f"{service.name} is not running"
        os.kill(pid, signal.SIGKILL)
        while slot.alive():  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        broken()
        await asyncio.to_thread(run.start_services, system.environ, 120)


async def restart_kafka(system: System, broken: Callable[[], None]) -> None:
    await asyncio.to_thread(system.stack.kill_and_wait, "kafka")
    broken()
    await asyncio.to_thread(system.stack.run, "up")


async def restart_ferretdb(system: System, broken: Callable[[], None]) -> None:
    await asyncio.to_thread(system.stack.kill_and_wait, "ferretdb")
    broken()
    async with httpx.AsyncClient(timeout=30) as http:  # the store is down: not accepted
        system.outage_probe = await http.post(f"{system.url('declaration')}/v1/declarations",
                                              json=form())
    await asyncio.to_thread(system.stack.run, "up")


PHASES: list[tuple[str, float, Fault | None]] = [
    ("no fault", 0.0, None),
    ("each service SIGKILLed", 0.20, kill_each_service),
    ("Kafka restarted", 0.45, restart_kafka),
    ("FerretDB restarted", 0.70, restart_ferretdb),
]
