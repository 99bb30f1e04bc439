"""`awaiting`: where a suspended task is, for the watchdog's log line."""

from __future__ import annotations

import asyncio

from libs.runtime.consumer_watch import awaiting


async def store_that_never_answers(never: asyncio.Event) -> None:
    await never.wait()


async def handler(never: asyncio.Event) -> None:
    await store_that_never_answers(never)


async def test_awaiting_follows_the_chain_of_awaits_to_the_innermost_call() -> None:
    never = asyncio.Event()
    task = asyncio.create_task(handler(never))
    await asyncio.sleep(0)
    try:
        where = awaiting(task).split(" > ")
    finally:
        task.cancel()
    assert [w.split(" ")[1] for w in where[-3:]] == ["handler", "store_that_never_answers",
                                                     "wait"]
    assert where[-2].startswith("test_consumer_watch_awaiting.py:")


async def test_a_finished_task_is_nowhere() -> None:
    task = asyncio.create_task(asyncio.sleep(0))
    await task
    assert awaiting(task) == "?"
