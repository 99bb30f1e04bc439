"""Group commit: parts that arrive together share one write; each caller gets its own answer."""

from __future__ import annotations

import asyncio

import pytest

from libs.runtime.group_commit import GroupCommit


async def test_concurrent_parts_share_one_write_and_each_gets_its_result() -> None:
    writes: list[list[int]] = []

    async def write(parts: list[int]) -> list[int | BaseException]:
        writes.append(parts)
        return [part * 10 for part in parts]

    commit = GroupCommit(write, window_s=0.01, max_batch=50)
    results = await asyncio.gather(*(commit.submit(n) for n in range(20)))
    assert results == [n * 10 for n in range(20)]
    assert writes == [list(range(20))], "one write for the twenty"


async def test_a_full_group_goes_at_once_and_the_rest_waits_for_the_next() -> None:
    writes: list[list[int]] = []

    async def write(parts: list[int]) -> list[int | BaseException]:
        writes.append(parts)
        return list(parts)

    commit = GroupCommit(write, window_s=0.05, max_batch=4)
    assert await asyncio.gather(*(commit.submit(n) for n in range(6))) == list(range(6))
    assert writes == [[0, 1, 2, 3], [4, 5]]


async def test_one_failed_part_fails_its_caller_alone_a_failed_write_fails_all() -> None:
    async def write(parts: list[int]) -> list[int | BaseException]:
        if 99 in parts:
            raise ConnectionError("store down")
        return [ValueError(f"bad {p}") if p == 3 else p for p in parts]

    commit = GroupCommit(write, window_s=0.01)
    answers = await asyncio.gather(*(commit.submit(n) for n in range(5)), return_exceptions=True)
    assert [type(a).__name__ if isinstance(a, BaseException) else a for a in answers] == [
        0, 1, 2, "ValueError", 4]
    with pytest.raises(ConnectionError):
        await asyncio.gather(commit.submit(1), commit.submit(99))
