"""Group commit: concurrent writes of one process become one store command.

A store round trip costs the same for one document as for fifty (FerretDB-SQLite:
~1,000 single inserts/s against ~20,000 documents/s in `insert_many`), so requests
that arrive together should share it. A caller hands its part to `submit` and waits
at most `window_s` for companions (or until `max_batch` parts are waiting); one
`write` then serves them all, and each caller gets its own answer — or its own
error, when `write` says which part failed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from pymongo.asynchronous.collection import AsyncCollection

from libs.runtime.mongo import DUPLICATE_KEY, SAFE_BULK, Document, insert_unordered

T = TypeVar("T")
R = TypeVar("R")

# write(parts) → one result per part, in order; an Exception in place of a result fails
# that part alone; an exception raised fails every part of the group.
Write = Callable[[list[T]], Awaitable[list[R | BaseException]]]


class GroupCommit(Generic[T, R]):
    def __init__(self, write: Write[T, R], window_s: float = 0.002, max_batch: int = 50) -> None:
        self.write, self.window_s, self.max_batch = write, window_s, max_batch
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._running: set[asyncio.Task[None]] = set()

    async def submit(self, part: T) -> R:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._waiting.append((part, future))
        if len(self._waiting) >= self.max_batch:
            self._flush()
        elif self._timer is None:
            self._timer = loop.call_later(self.window_s, self._flush)
        return await future

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        group, self._waiting = self._waiting, []
        if group:
            task = asyncio.get_running_loop().create_task(self._commit(group))
            self._running.add(task)  # held until done: a task nobody holds may be collected
            task.add_done_callback(self._running.discard)

    async def _commit(self, group: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            results = await self.write([part for part, _ in group])
        except BaseException as error:  # the store, or a cancellation: every caller hears it
            for _, future in group:
                if not future.done():
                    future.set_exception(error)
            if not isinstance(error, Exception):
                raise
            return
        for (_, future), result in zip(group, results, strict=True):
            if future.done():  # the caller went away (timeout, disconnect)
                continue
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)


class GroupedInserts:
    """Inserts for the concurrent requests of one process: each request's documents share
    one unordered insert with the others' (a chunk of `SAFE_BULK` per command). A document
    whose `_id` is there already (a retry, a double tap: also when both came in the same
    group) is not stored again, and its caller hears so; any other refusal fails that
    caller alone."""

    def __init__(self, collection: AsyncCollection[Document], window_s: float = 0.002) -> None:
        self.collection = collection
        self._group: GroupCommit[list[Document], set[int]] = GroupCommit(
            self._write, window_s, SAFE_BULK)

    async def insert_once(self, document: Document) -> bool:
        """True when stored, False when its `_id` was there already."""
        return not await self.insert_all([document])

    async def insert_all(self, documents: list[Document]) -> set[int]:
        """The positions in `documents` of those already stored."""
        return await self._group.submit(documents)

    async def _write(self, groups: list[list[Document]]) -> list[set[int] | BaseException]:
        owners = [(g, position) for g, group in enumerate(groups) for position in range(len(group))]
        results: list[set[int] | BaseException] = [set() for _ in groups]
        refused = await insert_unordered(self.collection, [d for group in groups for d in group])
        for index, (code, error) in refused.items():
            g, position = owners[index]
            found = results[g]
            if code != DUPLICATE_KEY:
                results[g] = error
            elif isinstance(found, set):
                found.add(position)
        return results
