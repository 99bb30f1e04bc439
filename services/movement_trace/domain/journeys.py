"""Fellow passengers (pure, no I/O): journeys, seats, and who sat close enough.

A **journey** is one run of a public transport service: mode, number and the
departure day (Viet Nam date) of a declaration — `plane:VN213:2026-12-05`. The
projection files every declaration with a journey into the journey's bucket
(`journeys`, keyed like that); the contact search reads the index person's own
declarations, then the bucket of each of their journeys in the window, and
applies the mode's **seat rule**:

| rule | who is a contact | default for |
|---|---|---|
| `rows` | the same row or up to `journey_row_span` (2) rows either side: 14C → rows 12–16 | plane |
| `carriage` | the same carriage | train |
| `vehicle` | everyone on the same number and day | bus (coach), ship |
| `none` | nobody (the mode is not traced by journey) | — |

Seats, as the declaration service stores them (upper case; it removes spaces, dots
and dashes) or as other producers send them:

- **plane**: row digits then the seat letter(s), `14C`, `7A`, `101K` → row 14, 7, 101;
- **train**: carriage, a separator, then the place: `5-23`, `5/23`, `5 23`, `C5-23`,
  `TOA5-23` (carriage 5); or, compact as the form keeps it, carriage and place split by
  a letter, `5G23`, `5C23`, `T5G23`, `C05S23` (carriage 5: the first run of digits; a
  leading zero is ignored). Digits alone (`523`) cannot be split → unknown;
- **bus, ship**: the seat is not needed.

An **unknown seat** (none given, or one that cannot be read) on a `rows` or
`carriage` journey counts as a contact of everyone on it, flagged `seat_unknown`:
missing a fellow passenger is worse than calling one too many, and the flag lets the
epidemiologist sort them out (`journey_unknown_seat_is_contact=false` drops them instead).

Only modes that name a public service keep their number: a car's, a motorbike's or a
truck's number is a private plate, which the trace never stores (DESIGN.md §5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Literal

from libs.contracts.vietnam_time import VN_TZ


class SeatRule(StrEnum):
    rows = "rows"
    carriage = "carriage"
    vehicle = "vehicle"
    none = "none"


JourneyMode = Literal["plane", "train", "bus", "ship"]
JOURNEY_MODES: frozenset[str] = frozenset({"plane", "train", "bus", "ship"})
DEFAULT_RULES: dict[JourneyMode, SeatRule] = {"plane": SeatRule.rows, "train": SeatRule.carriage,
                                      "bus": SeatRule.vehicle, "ship": SeatRule.vehicle}

_SEPARATORS = re.compile(r"[\s.\-_/()]")
_FLIGHT_SEAT = re.compile(r"^0*(\d{1,3})[A-Z]{1,2}$")
_TRAIN_SPLIT = re.compile(r"^\s*(?:TOA|T|C)?\s*0*(\d{1,3})\s*[-/.:\s]\s*[A-Z]{0,2}\s*\d{1,3}[A-Z]?\s*$")
_TRAIN_COMPACT = re.compile(r"^(?:TOA|T|C)?0*(\d{1,3})[A-Z]{1,2}\d{1,3}[A-Z]?$")


def journey_number(number: str) -> str:
    """`VN 213`, `vn-213` → `VN213`; `51B-123.45` → `51B12345`: one spelling per service."""
    return _SEPARATORS.sub("", number).upper()


def journey_id(mode: str, number: str, departure: date | str) -> str:
    """The bucket key: `<mode>:<number>:<YYYY-MM-DD>` (Viet Nam date)."""
    day = departure.isoformat() if isinstance(departure, date) else departure
    return f"{mode}:{journey_number(number)}:{day}"


def flight_row(seat: str | None) -> int | None:
    """The row of a plane seat (`14C` → 14); None when there is none or it is unreadable."""
    if not seat:
        return None
    match = _FLIGHT_SEAT.match(_SEPARATORS.sub("", seat).upper())
    return int(match.group(1)) if match else None


def train_carriage(seat: str | None) -> int | None:
    """The carriage of a train seat (`5-23`, `C5-23`, `5G23` → 5); None when unknown."""
    if not seat:
        return None
    upper = seat.upper()
    match = _TRAIN_SPLIT.match(upper) or _TRAIN_COMPACT.match(_SEPARATORS.sub("", upper))
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class Passenger:
    """One declaration of a journey: who, which seat, declared when (by which event)."""

    id: str
    subject_id: str
    at: datetime
    seat: str | None = None
    declaration_id: str | None = None


@dataclass(frozen=True)
class Rules:
    """The seat rule of each mode (modes absent: `none`), the row span, unknown seats."""

    by_mode: dict[str, SeatRule]
    row_span: int = 2
    unknown_seat_is_contact: bool = True

    def rule(self, mode: str) -> SeatRule:
        return self.by_mode.get(mode, SeatRule.none)

    @property
    def traced(self) -> bool:
        return any(r != SeatRule.none for r in self.by_mode.values())


@dataclass(frozen=True)
class Verdict:
    contact: bool
    seat_unknown: bool = False


def seated_together(rules: Rules, mode: str, mine: str | None, theirs: str | None) -> Verdict:
    """Whether two passengers of the same journey are contacts, by the mode's seat rule."""
    rule = rules.rule(mode)
    if rule == SeatRule.none:
        return Verdict(False)
    if rule == SeatRule.vehicle:
        return Verdict(True)
    place = flight_row if rule == SeatRule.rows else train_carriage
    a, b = place(mine), place(theirs)
    if a is None or b is None:
        return Verdict(rules.unknown_seat_is_contact, seat_unknown=True)
    if rule == SeatRule.rows:
        return Verdict(abs(a - b) <= rules.row_span)
    return Verdict(a == b)


def rule_label(rules: Rules, mode: str) -> str:
    """How the evidence names the rule: `rows±2`, `carriage`, `vehicle`."""
    rule = rules.rule(mode)
    return f"rows±{rules.row_span}" if rule == SeatRule.rows else rule.value


def day_span(departure: date) -> tuple[datetime, datetime]:
    """The journey's day, Viet Nam midnight to midnight (in UTC): when it took place."""
    start = datetime.combine(departure, time(0), VN_TZ).astimezone(UTC)
    return start, start + timedelta(days=1)
