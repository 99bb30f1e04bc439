"""What messages to citizens need from the outside, as protocols: `store/notices.py` and
`channels.py` implement them, tests/support/fakes/declaration.py in memory."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from services.declaration.notices.domain.records import NewNotice, Notice, Outcome, Outgoing, Result


class NoticeQueue(Protocol):
    """The messages queued, each with what became of it."""

    async def enqueue(self, notices: list[NewNotice]) -> int:
        """Queue messages; those already queued (same key) stay as they are. How many are new."""
        ...

    async def due(self, now: datetime, limit: int) -> list[str]:
        """The ids of (at most `limit`) messages due by `now`."""
        ...

    async def claim(self, notice_ids: list[str], now: datetime, lease: timedelta) -> list[Notice]:
        """Those of these messages still due, now leased to the caller for `lease`."""
        ...

    async def record(self, results: list[Result]) -> None: ...

    async def purge(self, cutoff: datetime) -> int:
        """Forget the messages queued before `cutoff`."""
        ...


class Gateway(Protocol):
    """A way out: sends a batch, answers one outcome per message."""

    channel: str

    async def send(self, batch: list[Outgoing]) -> list[Outcome]: ...
