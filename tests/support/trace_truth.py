"""Ground truth for the movement-trace tests: planted edge cases, a brute-force oracle,
and publishing a scenario onto a test's own topics.

The oracle works on the generator's `Visit` intervals directly (not on events),
pair by pair, so it shares no code with the service's bucketed search.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from libs.contracts.events.checkpoint import CheckpointKind, RefusalReason
from synthetic.scenario import Citizen, Place, Scenario

MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Truth:
    subject_id: str
    checkpoint_id: str
    start: datetime
    end: datetime
    stay: bool


def truths(scenario: Scenario, max_stay: timedelta) -> list[Truth]:
    found = []
    for v in scenario.visits:
        if v.moment:
            found.append(Truth(v.subject_id, v.place.checkpoint_id, v.start, v.start, False))
        else:
            end = v.end if v.end is not None else v.start + max_stay
            found.append(Truth(v.subject_id, v.place.checkpoint_id, v.start, end, True))
    return found


def _met(a: Truth, b: Truth, window: timedelta) -> bool:
    if a.checkpoint_id != b.checkpoint_id or a.subject_id == b.subject_id:
        return False
    if a.stay and b.stay:
        return a.start < b.end and b.start < a.end
    return b.start - window <= a.end and a.start <= b.end + window


def direct(all_: list[Truth], subject: str, start: datetime, end: datetime,
           window: timedelta) -> set[str]:
    mine = [t for t in all_ if t.subject_id == subject and t.start < end and t.end >= start]
    return {o.subject_id for m in mine for o in all_ if _met(m, o, window)}


def expected(scenario: Scenario, subject: str, start: datetime, end: datetime, window: timedelta,
             max_stay: timedelta, degree: int) -> dict[str, int]:
    """subject id → degree of every contact the service must report."""
    all_ = truths(scenario, max_stay)
    first = direct(all_, subject, start, end, window)
    found = dict.fromkeys(first, 1)
    if degree == 2:
        for middle in sorted(first):
            for other in direct(all_, middle, start, end, window) - first - {subject}:
                found[other] = 2
    return found


@dataclass
class Edges:
    """Named people of the planted cases (W = 15 min, max stay 4 h), and when it starts."""

    base: datetime
    people: dict[str, Citizen]
    road: Place
    venue: Place

    def __getitem__(self, name: str) -> str:
        return self.people[name].subject_id


def plant_edges(scenario: Scenario, base: datetime) -> Edges:
    road = Place("edge-road", CheckpointKind.road, "00070")
    road2 = Place("edge-road-2", CheckpointKind.road, "00070")
    venue = Place("edge-market", CheckpointKind.market, "26506")
    venue2 = Place("edge-station", CheckpointKind.bus_station, "26506")
    scenario.places.extend([road, road2, venue, venue2])
    p = {name: scenario.add_citizen("00070", "26506") for name in "IABCDEFGHJKL"}
    t = base
    s = scenario.visit
    s(p["I"], road, t)                                  # index: a passage at the road checkpoint
    s(p["A"], road, t + 15 * MIN)                       # exactly W later: contact
    s(p["B"], road, t - 15 * MIN - timedelta(seconds=1))  # 1 s beyond W: not
    s(p["C"], road, t - 15 * MIN)                       # exactly W earlier: contact
    s(p["I"], venue, t + 2 * HOUR, t + 3 * HOUR)        # index stays 2 h–3 h at the market
    s(p["D"], venue, t + 3 * HOUR, t + 4 * HOUR)        # arrives as I leaves: touching, not
    s(p["E"], venue, t + HOUR, t + 2 * HOUR)            # leaves as I arrives: touching, not
    s(p["F"], venue, t + 2 * HOUR + 59 * MIN, t + 5 * HOUR)  # one minute together: contact
    s(p["G"], venue, t + 3 * HOUR + 15 * MIN, refused=RefusalReason.symptoms)  # moment W after: contact
    s(p["I"], venue2, t + 6 * HOUR, None)               # no check-out: a 4 h stay (to 10 h)
    s(p["H"], venue2, t + 9 * HOUR + 59 * MIN, t + 10 * HOUR + 30 * MIN)  # inside the cap: contact
    s(p["J"], venue2, t + 10 * HOUR, t + 11 * HOUR)     # starts at the cap: touching, not
    s(p["A"], venue, t + 20 * HOUR, t + 21 * HOUR)      # A meets K later: K is degree 2
    s(p["K"], venue, t + 20 * HOUR + 30 * MIN, t + 22 * HOUR)
    s(p["K"], road2, t + 30 * HOUR)                     # K meets L: degree 3, never reported
    s(p["L"], road2, t + 30 * HOUR + 5 * MIN)
    return Edges(base, p, road, venue)

