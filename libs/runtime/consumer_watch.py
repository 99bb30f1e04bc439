"""The consumer watchdog: a service's consumer that has stopped is logged, with where it
stood, and restarted.

A stopped consumer loses nothing (the events wait in Kafka), but nothing moves
either, and the process still answers HTTP and `/readyz`, so nobody notices. It
happened on CI: the movement trace stopped consuming when Kafka was restarted
under heavy load. Reproduced since: under uvloop a request written as the
broker's socket resets raises `RuntimeError`, which aiokafka does not catch, and
the consumer's coordination task ends for good (see `ended_tasks`).

Every `consumer_watch_s` the watchdog restarts the subscribers (stop, start: a
new aiokafka consumer that resumes from the group's committed offsets;
consumers are idempotent, DESIGN.md §5) when

1. an aiokafka background task of a consumer has ended — at once; or
2. the group is *behind* (the end offsets of its topics are ahead of its
   committed offsets, read with clients of its own) and its committed offsets
   have not moved for `consumer_stall_s` — whatever the cause: a consume loop
   that died, a group stuck in a rebalance, a handler that never returns.

A check that cannot reach Kafka restarts the clock: an outage is waited out,
not mistaken for a wedge. Each restart is one ERROR log line saying why and
where the consumer stood.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import asdict, dataclass
from typing import Any, cast

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from faststream.kafka import KafkaBroker
from faststream.kafka.subscriber.usecase import LogicSubscriber

from libs.contracts.jsontypes import JsonObject
from libs.runtime import metrics
from libs.runtime.logs import log_fields
from libs.runtime.settings import ServiceSettings

log = logging.getLogger(__name__)

KAFKA_CALL_TIMEOUT_S = 10.0


@dataclass
class GroupState:
    """What one check saw; `/readyz` shows the last one."""

    behind: int = 0  # records on the group's partitions past its committed offsets
    committed: int = 0  # the sum of its committed offsets (moves when it makes progress)
    still_s: float = 0.0  # how long it has been behind without moving
    restarts: int = 0


class ConsumerWatch:
    def __init__(self, broker: KafkaBroker, settings: ServiceSettings) -> None:
        self.broker = broker
        self.group = settings.consumer_group()
        self.bootstrap = settings.kafka_bootstrap
        self.stall_s = settings.consumer_stall_s
        self.state = GroupState()
        self._moved_at = time.monotonic()
        self._clients: tuple[AIOKafkaAdminClient, AIOKafkaConsumer] | None = None
        self._half_restarted = False

    def report(self) -> JsonObject:
        return asdict(self.state)

    async def check(self) -> None:
        """One look at the consumer and its group; restarts the subscribers when an
        aiokafka task ended or the group stalled."""
        if self._half_restarted:  # a restart whose start failed (Kafka went away): finish it
            await self._start_stopped()
            return
        if any(ended_tasks(s.consumer) for s in self._subscribers()):
            await self._restart("an aiokafka background task of its consumer ended")
            return
        topics = sorted({t for s in self._subscribers() for t in s.topic_names})
        if not topics:
            return
        try:
            behind, committed = await asyncio.wait_for(self._offsets(topics),
                                                       KAFKA_CALL_TIMEOUT_S)
        except Exception as error:  # Kafka is down or restarting: not this consumer's fault
            log.info("consumer watch could not read offsets", extra=log_fields(error=repr(error)))
            self._moved_at = time.monotonic()
            await self.close()
            return
        now = time.monotonic()
        if not behind or committed != self.state.committed:
            self._moved_at = now
        self.state.behind, self.state.committed = behind, committed
        self.state.still_s = round(now - self._moved_at, 1)
        metrics.CONSUMER_GROUP_BEHIND.set(behind)
        if self.state.still_s >= self.stall_s:
            await self._restart(f"behind and not moving for {self.stall_s:.0f} s")

    async def close(self) -> None:
        clients, self._clients = self._clients, None
        if clients is not None:
            for client in clients:
                try:
                    await (client.close() if isinstance(client, AIOKafkaAdminClient)
                           else client.stop())
                except Exception:  # already broken; new ones are made next time
                    pass

    async def _offsets(self, topics: list[str]) -> tuple[int, int]:
        """(records behind, sum of committed offsets) over every partition of `topics`,
        whichever replica holds them; read with clients of its own, not the consumer's."""
        admin, probe = await self._connected()
        partitions = [TopicPartition(t["topic"], p["partition"])
                      for t in await admin.describe_topics(topics) for p in t["partitions"]]
        ends = await probe.end_offsets(partitions)
        starts = await probe.beginning_offsets(partitions)
        done = await admin.list_consumer_group_offsets(self.group, partitions=partitions)
        committed = {tp: meta.offset for tp, meta in done.items() if meta.offset >= 0}
        behind = sum(max(0, ends[tp] - committed.get(tp, starts[tp])) for tp in partitions)
        return behind, sum(committed.values())

    async def _describe(self) -> JsonObject:
        """Where the subscribers are: for the log line that explains a restart."""
        described: JsonObject = {"group": self.group, **self.report()}
        for number, subscriber in enumerate(self._subscribers()):
            consumer = subscriber.consumer
            loops = [t for t in subscriber.tasks if not t.done()]
            described[f"subscriber_{number}"] = {
                "assigned": len(consumer.assignment()) if consumer else 0,
                "consume_loop_alive": bool(loops),
                "ended": ended_tasks(consumer),
                "awaiting": [awaiting(t) for t in loops],
            }
        try:
            described["group_state"] = await asyncio.wait_for(self._group_state(),
                                                              KAFKA_CALL_TIMEOUT_S)
        except Exception as error:  # Kafka may well be down: say so, restart anyway
            described["group_state"] = repr(error)
        return described

    async def _group_state(self) -> str:
        """'Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty' or 'Dead'."""
        admin, _ = await self._connected()
        groups = await admin.describe_consumer_groups([self.group])
        return str(groups[0].groups[0][2])

    async def _restart(self, why: str) -> None:
        log.error(f"consumer restarted: {why}", extra=log_fields(**await self._describe()))
        self._moved_at = time.monotonic()
        for subscriber in self._subscribers():
            await subscriber.stop()
        self._half_restarted = True
        self.state.restarts += 1
        metrics.CONSUMER_RESTARTS.inc()
        await self._start_stopped()

    async def _start_stopped(self) -> None:
        for subscriber in self._subscribers():
            if not subscriber.running:
                await subscriber.start()
        self._half_restarted = False

    def _subscribers(self) -> list[LogicSubscriber[Any]]:
        return cast(list[LogicSubscriber[Any]], self.broker.subscribers)

    async def _connected(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        if self._clients is None:
            admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap,
                                        client_id=f"{self.group}-watch")
            probe = AIOKafkaConsumer(bootstrap_servers=self.bootstrap,
                                     client_id=f"{self.group}-watch", enable_auto_commit=False)
            self._clients = (admin, probe)  # before starting: `close` also ends half-started ones
            await admin.start()
            await probe.start()
        return self._clients


def ended_tasks(consumer: AIOKafkaConsumer | None) -> dict[str, str]:
    """aiokafka's background tasks of `consumer` that have ended, with what ended them.

    A consumer whose coordination task ended never rejoins its group nor commits, and
    every poll raises the error that ended it; one whose fetch task ended polls nothing,
    silently. aiokafka restarts neither. Seen on a Kafka restart: the socket reset
    reached uvloop first, a request written in that moment raised `RuntimeError`
    ("unable to perform operation on <TCPTransport closed=True>"), which aiokafka's
    connection does not catch (only `OSError`) and which ended the coordination task.
    Private attributes, read defensively: a consumer that lacks them is judged by its
    offsets alone."""
    tasks = {"coordinator": getattr(getattr(consumer, "_coordinator", None),
                                    "_coordination_task", None),
             "fetcher": getattr(getattr(consumer, "_fetcher", None), "_fetch_task", None)}
    ended: dict[str, str] = {}
    for name, task in tasks.items():
        if isinstance(task, asyncio.Task) and task.done():
            error = None if task.cancelled() else task.exception()
            ended[name] = "cancelled" if task.cancelled() else repr(error)[:300]
    return ended


def awaiting(task: asyncio.Task[Any], depth: int = 4) -> str:
    """The innermost calls a task is suspended in, following its chain of awaits,
    e.g. 'subscription.py:171 _handle > views.py:74 write > …'."""
    where: list[str] = []
    link: Any = task.get_coro()
    while link is not None:
        frame = getattr(link, "cr_frame", None) or getattr(link, "gi_frame", None)
        if frame is not None:
            where.append(f"{frame.f_code.co_filename.rsplit('/', 1)[-1]}:{frame.f_lineno} "
                         f"{frame.f_code.co_name}")
        link = getattr(link, "cr_await", None) or getattr(link, "gi_yieldfrom", None)
    return " > ".join(where[-depth:]) or "?"
