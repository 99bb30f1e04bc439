"""Arrivals from abroad: the countries an epidemiologist marks, and the arrivals proposed
for a `reason=arrival` quarantine (ordered with the bulk order of the casework)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from libs.contracts.envelope import utcnow
from services.movement_trace.domain.arrivals import ArrivalSeen, to_propose
from services.movement_trace.domain.errors import NotMarked
from services.movement_trace.domain.records import MarkedCountry
from services.movement_trace.service.ports import ArrivalBook, CaseBook


class ArrivalDesk:
    """`today` is the casework's day (tests move it); a country is marked at the real time."""

    def __init__(self, arrivals: ArrivalBook, cases: CaseBook,
                 today: Callable[[], date]) -> None:
        self.arrivals, self.cases, self.today = arrivals, cases, today

    async def marked(self) -> list[MarkedCountry]:
        return await self.arrivals.marked()

    async def mark(self, country: str, by: str, purpose: str) -> MarkedCountry:
        return await self.arrivals.mark(country, by, purpose, utcnow())

    async def unmark(self, country: str) -> None:
        """Orders already given stay."""
        if not await self.arrivals.unmark(country):
            raise NotMarked(country)

    async def proposed(self, days: int) -> tuple[list[str], list[ArrivalSeen]]:
        """The marked countries, and the people who arrived from one of them in the last
        `days` (Viet Nam) with no arrival quarantine order yet, their latest arrival each."""
        marked = {m.country for m in await self.arrivals.marked()}
        today = self.today()
        seen = await self.arrivals.since(today - timedelta(days=days), today) if marked else []
        ordered = {o.subject_id for s in {a.subject_id for a in seen}
                   for o in await self.cases.orders_of(s) if o.reason == "arrival"}
        return sorted(marked), to_propose(seen, marked, ordered)
