"""The epidemiologists' dashboard, pure: the trace's own facts counted per province and
Viet Nam day, and checkpoint passages per Viet Nam hour.

Every figure is a count of something the trace stores (no estimate, no other service's
database): cases by the day they were confirmed, quarantine orders by the day they were
given, follow-ups, identity verdicts and checkpoint passages (movements) by the day they
happened, arrivals from abroad by their arrival date. A province is the one of the ward
the fact names (the case's and the order's ward of stay, the follow-up's ward, the
checkpoint's ward, the registered ward of a verified identity, the arrival's
destination); a fact that names no ward is counted under no province (`None`).

"Arrivals from high-level zones": the trace knows no domestic zone levels (they live at
the declaration and checkpoint services); the zones it knows are the countries marked
for an arrival quarantine (domain/arrivals.py), so `arrivals_marked` counts the arrivals
from a marked country, `arrivals` all of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, fields
from dataclasses import field as dc_field
from datetime import date, datetime, timedelta
from functools import cache

from libs.contracts.values import province_of_ward
from libs.contracts.vietnam_time import VN_TZ, vn_day
from services.movement_trace.domain.arrivals import ArrivalSeen
from services.movement_trace.domain.movements import Movement, MovementKind
from services.movement_trace.domain.records import ConfirmedCase, QuarantineOrder

# The movements the dashboard counts, and the row field each one adds to.
COUNTED = {MovementKind.followed_up: "followups", MovementKind.identity_verified: "verified",
           MovementKind.identity_rejected: "rejected", MovementKind.passed: "passed",
           MovementKind.refused: "refused"}
HOURS = 24  # passages per hour: the last day, hour by hour


@dataclass
class Row:
    """One province's counts on one Viet Nam day (only rows with something in them)."""

    day: date
    province_code: int | None
    cases: int = 0
    quarantines: int = 0  # every new order
    f1: int = 0  # of which contacts of a case
    followups: int = 0
    arrivals: int = 0
    arrivals_marked: int = 0
    verified: int = 0
    rejected: int = 0
    passed: int = 0
    refused: int = 0


COUNTS = tuple(f.name for f in fields(Row) if f.name not in ("day", "province_code"))


@dataclass
class Hour:
    """Passages and refusals at the checkpoints of one province in one Viet Nam hour."""

    hour: str  # YYYY-MM-DDTHH, Viet Nam time
    province_code: int | None
    passed: int = 0
    refused: int = 0


@dataclass(frozen=True)
class Figures:
    today: date
    days: list[date]  # oldest first
    hours: list[str]  # oldest first
    rows: list[Row]
    per_hour: list[Hour]

    def total(self, name: str) -> int:
        return sum(getattr(r, name) for r in self.rows)


def window(today: date, days: int) -> list[date]:
    """The last `days` Viet Nam days, today included, oldest first."""
    return [today - timedelta(days=n) for n in range(days - 1, -1, -1)]


def vn_hour(moment: datetime) -> str:
    return moment.astimezone(VN_TZ).strftime("%Y-%m-%dT%H")


def last_hours(now: datetime, hours: int = HOURS) -> list[str]:
    """The last `hours` Viet Nam hours, the current one included, oldest first."""
    top = now.astimezone(VN_TZ).replace(minute=0, second=0, microsecond=0)
    return [vn_hour(top - timedelta(hours=n)) for n in range(hours - 1, -1, -1)]


@cache  # a few thousand wards, looked up once per movement otherwise
def _province(ward_code: str | None) -> int | None:
    if not ward_code:
        return None
    try:
        return province_of_ward(ward_code)
    except (KeyError, ValueError):  # a ward the catalogue no longer has: still counted
        return None


@dataclass
class Tally:
    """One Viet Nam day's counted movements: per (province, field), and the passages per
    (Viet Nam hour, province, field)."""

    rows: Counter[tuple[int | None, str]] = dc_field(default_factory=Counter)
    hours: Counter[tuple[str, int | None, str]] = dc_field(default_factory=Counter)

    @property
    def counts_nothing(self) -> bool:
        return not any(self.rows.values()) and not any(self.hours.values())

    def add(self, other: Tally) -> None:
        """Counts of the same day kept in more than one place (stored counters, movements
        still being counted) add up."""
        self.rows.update(other.rows)
        self.hours.update(other.hours)


def merge(into: dict[date, Tally], more: dict[date, Tally]) -> dict[date, Tally]:
    """`more`'s day tallies added to `into`'s (in place); `into`."""
    for day, counted in more.items():
        into.setdefault(day, Tally()).add(counted)
    return into


def tally(movements: Iterable[Movement]) -> dict[date, Tally]:
    """The counted movements by Viet Nam day (other kinds are left out). Every figure is a
    count of movements, never of distinct people: a day's tallies add up, which is what
    lets the projection keep them as counters (store/tallies.py)."""
    found: dict[date, Tally] = {}
    for m in movements:
        field = COUNTED.get(m.kind)
        if field is None:
            continue
        province = m.province_code if m.province_code is not None else _province(m.ward_code)
        day = found.setdefault(vn_day(m.at), Tally())
        day.rows[province, field] += 1
        if m.kind in (MovementKind.passed, MovementKind.refused):
            day.hours[vn_hour(m.at), province, field] += 1
    return found


def count(today: date, days: int, now: datetime, cases: Iterable[ConfirmedCase],
          orders: Iterable[QuarantineOrder], tallies: dict[date, Tally],
          arrivals: Iterable[ArrivalSeen], marked: set[str]) -> Figures:
    """The dashboard over the last `days` Viet Nam days (and the last 24 hours), from the
    case book's cases and orders, the movements' day tallies and the arrivals."""
    span = window(today, days)
    wanted = set(span)
    rows: dict[tuple[date, int | None], Row] = {}

    def add(day: date, province: int | None, field: str, n: int = 1) -> None:
        if day in wanted:
            row = rows.setdefault((day, province), Row(day, province))
            setattr(row, field, getattr(row, field) + n)

    for case in cases:
        add(date.fromisoformat(case.confirmed_day), _province(case.ward_code), "cases")
    for order in orders:
        if order.ordered_day:
            day, province = date.fromisoformat(order.ordered_day), _province(order.ward_code)
            add(day, province, "quarantines")
            if order.reason == "contact":
                add(day, province, "f1")
    for arrival in arrivals:
        province = _province(arrival.destination_ward or arrival.entry_ward)
        add(arrival.arrival_date, province, "arrivals")
        if arrival.country in marked:
            add(arrival.arrival_date, province, "arrivals_marked")
    hours = last_hours(now)
    first, last = hours[0], hours[-1]
    per_hour: dict[tuple[str, int | None], Hour] = {}
    for day, counted in tallies.items():
        for (province, field), n in counted.rows.items():
            add(day, province, field, n)
        for (hour, province, field), n in counted.hours.items():
            if first <= hour <= last:
                slot = per_hour.setdefault((hour, province), Hour(hour, province))
                setattr(slot, field, getattr(slot, field) + n)
    return Figures(today, span, hours,
                   sorted(rows.values(), key=lambda r: (r.day, r.province_code or 0)),
                   sorted(per_hour.values(), key=lambda h: (h.hour, h.province_code or 0)))
