"""Rebuild the projection from the event log, while the old one keeps serving.

    python -m services.movement_trace.service.rebuild      (same settings as the service: TRACE_*)

1. take the rebuild lock (`meta/rebuild`; a stale one is taken over);
2. announce the new generation N as `building`: the live consumers of every
   replica start writing to N too, so events that arrive during the replay
   are not missed;
3. wait until every replica has seen that, then note each partition's end;
4. replay every consumed topic from the beginning (the event log: a fresh
   consumer, no group; store/event_log.py), into N, in batches;
5. switch `active` to N; the old generation stays as `previous` (for a
   comparison or a rollback); older ones are dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import asdict, dataclass

from libs.contracts.envelope import UnknownEvent, ValidationError, parse_event, utcnow
from libs.runtime.logs import log_fields
from services.movement_trace.domain.errors import RebuildRunning
from services.movement_trace.domain.movements import Movement, is_expired
from services.movement_trace.domain.projection import project
from services.movement_trace.service.ports import EventLog, Projection, RebuildLock
from services.movement_trace.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Progress:
    generation: int
    events: int = 0
    movements: int = 0
    skipped: int = 0
    seconds: float = 0.0

    @property
    def events_per_s(self) -> float:
        return round(self.events / self.seconds, 1) if self.seconds > 0 else 0.0

    def report(self) -> dict[str, float | int]:
        return {**asdict(self), "seconds": round(self.seconds, 3), "events_per_s": self.events_per_s}


class Rebuilder:
    def __init__(self, projection: Projection, lock: RebuildLock, events: EventLog,
                 settings: Settings) -> None:
        self.projection, self.lock, self.events = projection, lock, events
        self.settings = settings

    async def run(self, by: str = "cli") -> Progress:
        """The whole rebuild; raises `RebuildRunning` when another one holds the lock."""
        generations = self.projection.generations
        pointer = await generations.current(fresh=True)
        generation = pointer.newest + 1
        await self.lock.acquire(generation, by)
        progress = Progress(generation)
        try:
            target = self.projection.generation(generation)
            await target.drop()  # leftovers of a crashed attempt at the same number
            await target.create_indexes()
            await generations.start_building(generation)
            # Every replica sees the new generation (its cached pointer expires) before
            # the replay notes where the log ends.
            await asyncio.sleep(2 * self.settings.generation_refresh_s)
            await self._replay(progress)
            switched = await generations.switch(generation)
            await self._drop_older_than(switched.previous)
        except BaseException as error:
            with contextlib.suppress(Exception):
                await generations.abandon(generation)
                await self.lock.finish(progress.report(), error=repr(error))
            raise
        await self.lock.finish(progress.report())
        return progress

    async def _replay(self, progress: Progress) -> None:
        started = time.perf_counter()
        async for batch in self.events.replay():
            await self._apply(batch, progress)
            progress.seconds = time.perf_counter() - started
            await self.lock.heartbeat(progress.report())

    async def _apply(self, values: list[bytes], progress: Progress) -> None:
        now, keep = utcnow(), []
        for value in values:
            progress.events += 1
            movement = _movement(value)
            if movement is None or is_expired(movement.at, now, self.settings.retention.window):
                progress.skipped += 1
            else:
                keep.append(movement)
        progress.movements += await self.projection.generation(progress.generation).write(keep)

    async def _drop_older_than(self, keep: int | None) -> None:
        # Nothing writes to these any more: writers only know `active` and `building`.
        for generation in range(keep or 0):
            await self.projection.generation(generation).drop()


def _movement(value: bytes) -> Movement | None:
    """Poison in the log was dead-lettered by the live consumer; the replay skips it too."""
    try:
        return project(parse_event(value))
    except (UnknownEvent, ValidationError, KeyError, UnicodeDecodeError, json.JSONDecodeError):
        return None


class RebuildRunner:
    """Runs rebuilds asked for over HTTP inside the service's lifespan, one at a time."""

    def __init__(self, rebuilder: Rebuilder) -> None:
        self.rebuilder = rebuilder
        self.requests: asyncio.Queue[str] = asyncio.Queue(maxsize=1)
        self.busy = False  # from the request until the rebuild ends, in this replica

    def submit(self, by: str) -> None:
        self.busy = True
        self.requests.put_nowait(by)

    async def run(self) -> None:
        while True:
            await self.run_next()

    async def run_next(self) -> None:
        by = await self.requests.get()
        try:
            progress = await self.rebuilder.run(by=by)
            log.info("rebuild finished", extra=log_fields(**progress.report()))
        except RebuildRunning:
            log.warning("rebuild not started: another one is running")
        except Exception:
            log.exception("rebuild failed")
        finally:
            self.busy = False
