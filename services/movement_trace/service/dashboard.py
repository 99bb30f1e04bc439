"""The epidemiologists' dashboard: counts from the trace's own stores (cases and orders
from the case book, follow-ups, verdicts and passages from the serving projection,
arrivals from the arrival book), never another service's database.

Movements are most of what it reads, and FerretDB returns them slowly (see
docs/movement-trace.md, Figures): the tally of a day before yesterday is kept here
for `past_ttl` (10 minutes by default); today and yesterday (the last 24 hours, and
the events still arriving around midnight) are read every time. A movement of an
older day that arrives late (an offline checkpoint's upload) shows within that time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from libs.contracts.vietnam_time import vn_day
from services.movement_trace.domain import dashboard
from services.movement_trace.domain.dashboard import COUNTED, Figures, Tally
from services.movement_trace.service.ports import ArrivalBook, CaseBook, MovementTally

KINDS = sorted(k.value for k in COUNTED)


class Dashboard:
    """`clock` is the casework's "now" (tests move it)."""

    def __init__(self, cases: CaseBook, movements: MovementTally, arrivals: ArrivalBook,
                 clock: Callable[[], datetime],
                 past_ttl: timedelta = timedelta(minutes=10)) -> None:
        self.cases, self.movements, self.arrivals, self.clock = cases, movements, arrivals, clock
        self.past_ttl = past_ttl
        self._past: dict[date, tuple[datetime, Tally]] = {}  # day → (tallied at, tally)

    async def figures(self, days: int) -> Figures:
        """The last `days` Viet Nam days per province, and the last 24 hours' passages."""
        now = self.clock()
        today = vn_day(now)
        span = dashboard.window(today, days)
        listed = [d.isoformat() for d in span]
        cases = await self.cases.cases_on(listed)
        orders = await self.cases.orders_on(listed)
        arrivals = await self.arrivals.since(span[0], today)
        marked = {m.country for m in await self.arrivals.marked()}
        # The hours may reach into the day before the window: that day's tally too.
        tallies = await self._tallies(sorted(set(span) | {vn_day(now - timedelta(hours=23))}),
                                      today, now)
        return dashboard.count(today, days, now, cases, orders, tallies, arrivals, marked)

    async def _tallies(self, days: list[date], today: date, now: datetime) -> dict[date, Tally]:
        settled = today - timedelta(days=1)  # days before this one are kept a while
        kept = {d: t for d, (at, t) in self._past.items()
                if d in days and d < settled and now - at < self.past_ttl}
        missing = [d for d in days if d not in kept]
        found = dashboard.tally(await self.movements.movements_on(
            [d.isoformat() for d in missing], KINDS)) if missing else {}
        fresh = {d: found.get(d, Tally()) for d in missing}
        # Only the days asked for stay: the cache never outgrows the widest window.
        self._past = {d: entry for d, entry in self._past.items() if d in kept}
        self._past.update({d: (now, t) for d, t in fresh.items() if d < settled})
        return {**kept, **fresh}
