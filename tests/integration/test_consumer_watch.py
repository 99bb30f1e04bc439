"""The consumer watchdog against the real Kafka: a wedged consumer is logged with where it
is stuck and restarted, and its events are handled; a group that keeps up is left alone."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from libs.contracts.envelope import Envelope, utcnow
from libs.contracts.events.notification import ZoneLevelChanged
from libs.contracts.topics import ZONE_LEVEL_CHANGED
from libs.runtime.consumer_watch import ConsumerWatch
from libs.runtime.kafka import make_broker
from libs.runtime.settings import ServiceSettings
from libs.runtime.subscription import subscribe_batches
from tests.conftest import ServerSlice
from tests.support.kafka import eventually
from tests.support.samples import HOAN_KIEM

Handler = Callable[[list[Envelope[Any]]], Awaitable[None]]


def zone(tag: str) -> bytes:
    """A zone event told apart from the others by `set_by`."""
    return Envelope.wrap(ZoneLevelChanged(ward_code=HOAN_KIEM, level=2, effective_at=utcnow(),
                                          set_by=tag), producer="test").to_bytes()


@asynccontextmanager
async def watched(env: ServerSlice, handler: Handler, stall_s: float
                  ) -> AsyncIterator[tuple[ConsumerWatch, Any]]:
    settings = env.settings(ServiceSettings, service_name="watch-test", consumer_stall_s=stall_s)
    broker = make_broker(settings)
    subscribe_batches(broker, settings, [ZoneLevelChanged], handler, max_records=10,
                      timeout_ms=50)
    watch = ConsumerWatch(broker, settings)
    await broker.start()
    try:
        yield watch, broker
    finally:
        await watch.close()
        await broker.stop()


async def soon(done: Callable[[], bool]) -> None:
    async def check() -> bool:
        return done()

    await eventually(check)


async def until(watch: ConsumerWatch, done: Callable[[], bool], timeout_s: float = 60) -> None:
    """Let the watchdog look every half second until `done()`."""
    async def looked() -> bool:
        await watch.check()
        return done()

    await eventually(looked, timeout_s=timeout_s, interval_s=0.5)


async def test_a_handler_that_never_returns_is_restarted_and_its_event_handled(
        env: ServerSlice, caplog: pytest.LogCaptureFixture) -> None:
    handled: list[str] = []
    calls = 0
    never = asyncio.Event()

    async def on_zones(events: list[Envelope[Any]]) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            await never.wait()  # a store that never answers
        handled.extend(e.payload.set_by for e in events)

    caplog.set_level(logging.ERROR, logger="libs.runtime.consumer_watch")
    async with watched(env, on_zones, stall_s=2.0) as (watch, broker):
        await broker.publish(zone("first"), topic=env.topics(ZONE_LEVEL_CHANGED))
        await soon(lambda: calls == 1)  # joined, and wedged in the handler
        await until(watch, lambda: handled == ["first"])

    assert calls == 2 and watch.state.restarts == 1
    [restarted] = [r for r in caplog.records if "consumer restarted" in r.getMessage()]
    assert "not moving" in restarted.getMessage()
    fields = restarted.fields  # type: ignore[attr-defined]
    assert fields["behind"] == 1 and fields["still_s"] >= 2.0
    assert fields["subscriber_0"]["consume_loop_alive"] is True
    assert fields["subscriber_0"]["ended"] == {}
    assert "on_zones" in fields["subscriber_0"]["awaiting"][0]


async def test_a_consume_loop_that_died_is_restarted(env: ServerSlice) -> None:
    handled: list[str] = []

    async def on_zones(events: list[Envelope[Any]]) -> None:
        handled.extend(e.payload.set_by for e in events)

    async with watched(env, on_zones, stall_s=2.0) as (watch, broker):
        topic = env.topics(ZONE_LEVEL_CHANGED)
        await broker.publish(zone("first"), topic=topic)
        await soon(lambda: handled == ["first"])
        for task in broker.subscribers[0].tasks:  # the loop ends; nothing restarts it
            task.cancel()
        await broker.publish(zone("second"), topic=topic)
        await until(watch, lambda: handled == ["first", "second"])

    assert watch.state.restarts == 1


async def test_a_consumer_whose_coordinator_died_is_restarted_at_once(
        env: ServerSlice, caplog: pytest.LogCaptureFixture) -> None:
    """What a Kafka restart did under uvloop: a request written to a transport the reset
    had just closed raised `RuntimeError`, which ended aiokafka's coordination task."""
    handled: list[str] = []

    async def on_zones(events: list[Envelope[Any]]) -> None:
        handled.extend(e.payload.set_by for e in events)

    async def transport_closed() -> None:
        raise RuntimeError("unable to perform operation on <TCPTransport closed=True>; "
                           "the handler is closed")

    caplog.set_level(logging.ERROR, logger="libs.runtime.consumer_watch")
    async with watched(env, on_zones, stall_s=600.0) as (watch, broker):
        topic = env.topics(ZONE_LEVEL_CHANGED)
        await broker.publish(zone("first"), topic=topic)
        await soon(lambda: handled == ["first"])
        coordinator = broker.subscribers[0].consumer._coordinator
        coordinator.ensure_coordinator_known = transport_closed
        coordinator.coordinator_dead()  # the routine looks the coordinator up again: it dies
        await soon(lambda: coordinator._coordination_task.done())
        await broker.publish(zone("second"), topic=topic)
        await watch.check()  # at once, not after `stall_s`
        await soon(lambda: handled == ["first", "second"])

    assert watch.state.restarts == 1
    [restarted] = [r for r in caplog.records if "consumer restarted" in r.getMessage()]
    ended = restarted.fields["subscriber_0"]["ended"]  # type: ignore[attr-defined]
    assert "TCPTransport closed=True" in ended["coordinator"]


async def test_a_group_that_keeps_up_or_idles_is_left_alone(env: ServerSlice) -> None:
    handled: list[str] = []

    async def slow_but_moving(events: list[Envelope[Any]]) -> None:
        await asyncio.sleep(0.3)
        handled.extend(e.payload.set_by for e in events)

    async with watched(env, slow_but_moving, stall_s=5.0) as (watch, broker):
        topic = env.topics(ZONE_LEVEL_CHANGED)
        tags = [f"event-{n:02d}" for n in range(30)]
        for tag in tags:  # one key: one partition, handled one batch after another
            await broker.publish(zone(tag), topic=topic, key=b"one-partition")
        await until(watch, lambda: sorted(handled) == tags)
        watch.stall_s = 0.5
        for _ in range(6):  # idle now: nothing behind, so never stalled
            await asyncio.sleep(0.5)
            await watch.check()

    assert watch.state.restarts == 0 and watch.state.behind == 0
    assert watch.state.committed == len(tags)
