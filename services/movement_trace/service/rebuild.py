"""Rebuild the projection from the event log, while the old one keeps serving.

    python -m services.movement_trace.service.rebuild      (same settings as the service: TRACE_*)

1. take the rebuild lock (`meta/rebuild`; a stale one is taken over);
2. announce the new generation N as `building`: the live consumers of every
   replica start writing to N too, so events that arrive during the replay
   are not missed;
3. wait until every replica has seen that, then note each partition's end;
4. replay every consumed topic from the beginning, with a fresh consumer
   (no group), into N, in batches;
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

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from libs.contracts.envelope import UnknownEvent, ValidationError, parse_event, utcnow
from libs.contracts.topics import Topics
from services.movement_trace.domain.movements import Movement, is_expired
from services.movement_trace.domain.projection import PROJECTORS, project
from services.movement_trace.settings import Settings
from services.movement_trace.store.rebuild_lock import RebuildLock
from services.movement_trace.store.trace import TraceStore

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
    def __init__(self, store: TraceStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.lock = RebuildLock(store.meta, settings.rebuild_stale_s)

    async def run(self, by: str = "cli") -> Progress:
        """The whole rebuild; raises `RebuildRunning` when another one holds the lock."""
        pointer = await self.store.generations.current(fresh=True)
        generation = pointer.newest + 1
        await self.lock.acquire(generation, by)
        progress = Progress(generation)
        try:
            view = self.store.view(generation)
            await view.drop()  # leftovers of a crashed attempt at the same number
            await view.create_indexes()
            await self.store.generations.start_building(generation)
            await asyncio.sleep(2 * self.settings.generation_refresh_s)
            await self._replay(progress)
            switched = await self.store.generations.switch(generation)
            await self._drop_older_than(switched.previous)
        except BaseException as error:
            with contextlib.suppress(Exception):
                await self.store.generations.abandon(generation)
                await self.lock.finish(progress.report(), error=repr(error))
            raise
        await self.lock.finish(progress.report())
        return progress

    async def _replay(self, progress: Progress) -> None:
        topics = Topics(self.settings.topic_prefix)
        names = [topics(cls.TYPE) for cls in PROJECTORS]
        consumer = AIOKafkaConsumer(bootstrap_servers=self.settings.kafka_bootstrap, group_id=None,
                                    enable_auto_commit=False, auto_offset_reset="earliest",
                                    max_poll_records=self.settings.rebuild_batch)
        await consumer.start()
        try:
            parts = await _partitions(self.settings.kafka_bootstrap, names)
            if not parts:
                return
            consumer.assign(parts)
            await consumer.seek_to_beginning(*parts)
            ends = await consumer.end_offsets(parts)
            started = time.perf_counter()
            while not await _caught_up(consumer, ends):
                batch = await consumer.getmany(timeout_ms=500, max_records=self.settings.rebuild_batch)
                await self._apply([r.value for records in batch.values() for r in records], progress)
                progress.seconds = time.perf_counter() - started
                await self.lock.heartbeat(progress.report())
        finally:
            await consumer.stop()

    async def _apply(self, values: list[bytes], progress: Progress) -> None:
        now, keep = utcnow(), []
        for value in values:
            progress.events += 1
            movement = _movement(value)
            if movement is None or is_expired(movement.at, now, self.settings.retention.window):
                progress.skipped += 1
            else:
                keep.append(movement)
        progress.movements += await self.store.view(progress.generation).write(keep)

    async def _drop_older_than(self, keep: int | None) -> None:
        # Nothing writes to these any more: writers only know `active` and `building`.
        for generation in range(keep or 0):
            await self.store.view(generation).drop()


async def _partitions(bootstrap: str, names: list[str]) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        described = await admin.describe_topics([n for n in names if n in existing])
    finally:
        await admin.close()
    return [TopicPartition(t["topic"], p["partition"]) for t in described
            for p in t["partitions"]]


async def _caught_up(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    for partition, end in ends.items():
        if await consumer.position(partition) < end:
            return False
    return True


def _movement(value: bytes) -> Movement | None:
    """Poison in the log was dead-lettered by the live consumer; the replay skips it too."""
    try:
        return project(parse_event(value))
    except (UnknownEvent, ValidationError, KeyError, UnicodeDecodeError, json.JSONDecodeError):
        return None
