"""The epidemiologists' dashboard: counts from the trace's own stores (cases and orders
from the case book, follow-ups, verdicts and passages from the serving projection,
arrivals from the arrival book), never another service's database.

The movements' figures come from the counters the projection keeps as it writes (a few
small documents a day, store/tallies.py), so every answer is read whole and live: a
movement of an older day that arrives late (an offline checkpoint's upload) shows at
the next answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from libs.contracts.vietnam_time import vn_day
from services.movement_trace.domain import dashboard
from services.movement_trace.domain.dashboard import Figures
from services.movement_trace.service.ports import ArrivalBook, CaseBook, MovementTally


class Dashboard:
    """`clock` is the casework's "now" (tests move it)."""

    def __init__(self, cases: CaseBook, movements: MovementTally, arrivals: ArrivalBook,
                 clock: Callable[[], datetime]) -> None:
        self.cases, self.movements, self.arrivals, self.clock = cases, movements, arrivals, clock

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
        tallies = await self.movements.day_tallies(
            sorted(set(span) | {vn_day(now - timedelta(hours=23))}))
        return dashboard.count(today, days, now, cases, orders, tallies, arrivals, marked)
