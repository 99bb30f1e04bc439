"""Scenario generator: citizens travelling and visiting checkpoints, with the ground truth.

`generate(...)` builds, deterministically from a seed, N citizens over D days:
each declares a trip (declaration.submitted, identity.verified, ward.notified)
and then passes road checkpoints (`through`) and stays at venues (`in`, and
usually `out`; some check-outs are missing, some passages refused). The
`Visit` list is the ground truth of who was where and when; `events()` turns it
into the envelopes the services publish, keyed as on the real topics.

With `journey_share`, that share of the citizens declares a flight, a train or a
coach (`Ride`: the journey and a seat) instead of a car: fellow passengers for the
trace's third contact rule.

Used by the movement-trace tests (expected contacts), benchmarks and demos.
Times are whole seconds (BSON keeps milliseconds). A person's visits never
overlap in time, and after a missing check-out their next visit starts at
least `max_stay` later, so the truth never depends on how the trace service
pairs check-ins with check-outs.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from libs.contracts.envelope import Envelope, EventPayload, new_event_id
from libs.contracts.events.checkpoint import (
    CheckpointKind,
    CheckpointPassed,
    CheckpointRefused,
    Direction,
    RefusalReason,
)
from libs.contracts.events.declaration import DeclarationSubmitted
from libs.contracts.events.identity import IdentityVerified
from libs.contracts.events.notification import NotifyReason, WardNotified
from libs.contracts.values import subject_id_for
from libs.contracts.vietnam_time import VN_TZ, vn_day
from libs.runtime.settings import DEV_SUBJECT_SECRET

VENUE_KINDS = (CheckpointKind.supermarket, CheckpointKind.market, CheckpointKind.bus_station,
               CheckpointKind.railway_station, CheckpointKind.venue)
PRODUCERS = {"declaration": "declaration", "identity": "identity-verification",
             "checkpoint": "checkpoint", "ward": "ward-notification"}


@dataclass(frozen=True)
class Place:
    checkpoint_id: str
    kind: CheckpointKind
    ward_code: str

    @property
    def venue(self) -> bool:
        """Venues record `in` and `out`; road checkpoints record one `through`."""
        return self.kind in VENUE_KINDS


@dataclass(frozen=True)
class Journey:
    """One run of a public transport service: a flight, a train, a coach, a ship."""

    mode: str  # plane, train, bus, ship
    number: str
    departure: date  # Viet Nam date


@dataclass(frozen=True)
class Ride:
    """A citizen's declared place on a journey (seat None: not given)."""

    journey: Journey
    seat: str | None = None


@dataclass(frozen=True)
class Citizen:
    national_id: str
    subject_id: str
    declaration_id: str
    origin_ward: str
    destination_ward: str
    person: dict[str, str] | None = None  # a registry resident (demo); None: made up
    ride: Ride | None = None  # declared a flight, train, coach or ship; None: a car


@dataclass(frozen=True)
class Visit:
    """Ground truth of one presence. `end` is None for a venue check-in never checked out."""

    subject_id: str
    declaration_id: str
    place: Place
    start: datetime
    end: datetime | None
    refused: RefusalReason | None = None

    @property
    def moment(self) -> bool:
        return self.refused is not None or not self.place.venue


@dataclass
class Scenario:
    start: datetime
    days: int
    places: list[Place]
    citizens: list[Citizen] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    secret: bytes = DEV_SUBJECT_SECRET.encode()
    # Every event of the scenario carries it, so one run's events can be told apart and
    # followed through the services' logs (a demo names its run).
    correlation_id: str = field(default_factory=lambda: f"scenario-{new_event_id()}")
    _serial: int = 0

    def add_citizen(self, origin_ward: str | None = None, destination_ward: str | None = None,
                    rng: random.Random | None = None,
                    person: dict[str, str] | None = None, ride: Ride | None = None) -> Citizen:
        """A made-up citizen, or `person` (national_id, full_name, date_of_birth, gender);
        `ride`: the journey (and seat) they declare instead of a car."""
        rng = rng or random.Random(self._serial)
        self._serial += 1
        national_id = person["national_id"] if person else (
            f"{rng.randint(1, 96):03d}{rng.choice('0123')}{rng.randint(0, 99):02d}"
            f"{self._serial:06d}")
        wards = [p.ward_code for p in self.places]
        citizen = Citizen(national_id, subject_id_for(self.secret, national_id),
                          f"00000000-0000-4000-8000-{self._serial:012d}",
                          origin_ward or rng.choice(wards), destination_ward or rng.choice(wards),
                          person, ride)
        self.citizens.append(citizen)
        return citizen

    def declared_at(self, citizen: Citizen) -> datetime:
        """When the citizen declared: at the start, or a rider the day before departure."""
        if citizen.ride is None:
            return self.start
        eve = datetime.combine(citizen.ride.journey.departure - timedelta(days=1),
                               datetime.min.time(), VN_TZ).astimezone(UTC)
        return max(self.start, eve)

    def visit(self, citizen: Citizen, place: Place, start: datetime, end: datetime | None = None,
              refused: RefusalReason | None = None) -> Visit:
        """Add one presence to the truth (a moment unless `place` is a venue)."""
        if not place.venue or refused is not None:
            end = start
        found = Visit(citizen.subject_id, citizen.declaration_id, place, start, end, refused)
        self.visits.append(found)
        return found

    def events(self, derived: bool = True) -> Iterator[tuple[str, str, Envelope[Any]]]:
        """(catalogue topic, key, envelope) for everything, declarations first, each with
        the scenario's `correlation_id`.

        `derived=False` leaves out what the services derive themselves (identity
        verdicts, ward notifications): for feeding the running system (the demo)."""
        citizens = {c.subject_id: c for c in self.citizens}
        for citizen in self.citizens:
            yield from _declaration_events(citizen, self.declared_at(citizen),
                                           self.correlation_id, derived)
        for v in sorted(self.visits, key=lambda v: (v.start, v.subject_id)):
            yield from _visit_events(citizens[v.subject_id], v, self.correlation_id)


def places_from_units(rng: random.Random, count: int, venue_share: float = 0.6) -> list[Place]:
    from vietnam_provinces import Ward

    codes = sorted(f"{int(w.code):05d}" for w in Ward.iter_all())
    places = []
    for i, ward in enumerate(rng.sample(codes, count)):
        kind = rng.choice(VENUE_KINDS) if rng.random() < venue_share else CheckpointKind.road
        places.append(Place(f"cp-{ward}-{i:03d}", kind, ward))
    return places


def generate(seed: int = 1, citizens: int = 100, days: int = 3, places: int | list[Place] = 20,
             visits_per_day: float = 3.0, start: datetime | None = None,
             max_stay: timedelta = timedelta(hours=4), missing_out_share: float = 0.1,
             refused_share: float = 0.03, people: list[dict[str, str]] | None = None,
             secret: bytes = DEV_SUBJECT_SECRET.encode(), journey_share: float = 0.0,
             passengers: int = 30) -> Scenario:
    """A random population (or `people`, registry residents) over `places` (a count of
    random places, or given ones); `start` defaults to `days` days ago. `journey_share` of
    the citizens ride a flight, train or coach of about `passengers` people each."""
    rng = random.Random(seed)
    start = start or (datetime.now(UTC) - timedelta(days=days)).replace(microsecond=0)
    scenario = Scenario(start, days, places if isinstance(places, list)
                        else places_from_units(rng, places), secret=secret)
    count = len(people) if people else citizens
    # Rides come from a generator of their own: without them, the same seed gives the
    # same scenario as before they existed.
    rides = _rides(random.Random(seed + 7919), count, journey_share, passengers, start, days)
    for i in range(count):
        citizen = scenario.add_citizen(rng=rng, person=people[i] if people else None,
                                       ride=rides[i])
        t = start + timedelta(minutes=rng.randint(0, 600))
        end = start + timedelta(days=days)
        while True:
            t += timedelta(minutes=rng.expovariate(visits_per_day / (24 * 60)))
            if t >= end:
                break
            t = _random_visit(scenario, rng, citizen, t.replace(microsecond=0), max_stay,
                              missing_out_share, refused_share)
    return scenario


def _rides(rng: random.Random, citizens: int, share: float, passengers: int, start: datetime,
           days: int) -> list[Ride | None]:
    """A ride for about `share` of the citizens, on journeys of about `passengers` each."""
    riders = [i for i in range(citizens) if share > 0 and rng.random() < share]
    journeys = []
    for n in range(max(1, round(len(riders) / max(passengers, 1)))):
        mode = rng.choice(("plane", "plane", "train", "bus"))
        number = {"plane": f"VN{100 + n}", "train": f"SE{1 + n}", "bus": f"51B{10000 + n}"}[mode]
        journeys.append(Journey(mode, number, vn_day(start + timedelta(days=rng.randrange(days)))))
    found: list[Ride | None] = [None] * citizens
    for i in riders:
        journey = rng.choice(journeys)
        found[i] = Ride(journey, None if rng.random() < 0.05 else _seat(rng, journey, passengers))
    return found


def _seat(rng: random.Random, journey: Journey, passengers: int) -> str:
    if journey.mode == "plane":
        return f"{rng.randint(1, max(passengers // 6, 1) + 1)}{rng.choice('ABCDEF')}"
    if journey.mode == "train":
        return f"{rng.randint(1, max(passengers // 20, 1) + 1)}-{rng.randint(1, 64)}"
    return str(rng.randint(1, 45))


def _random_visit(scenario: Scenario, rng: random.Random, citizen: Citizen, t: datetime,
                  max_stay: timedelta, missing_out: float, refused: float) -> datetime:
    """Adds one visit at `t`; returns when the citizen is free again."""
    place = rng.choice(scenario.places)
    if rng.random() < refused:
        scenario.visit(citizen, place, t, refused=rng.choice(list(RefusalReason)))
        return t + timedelta(minutes=1)
    if not place.venue:
        scenario.visit(citizen, place, t)
        return t + timedelta(minutes=1)
    if rng.random() < missing_out:
        scenario.visit(citizen, place, t, None)
        return t + max_stay + timedelta(minutes=1)
    stay = timedelta(minutes=rng.randint(5, int(max_stay.total_seconds() // 60) - 30))
    scenario.visit(citizen, place, t, t + stay)
    return t + stay + timedelta(minutes=1)


def _wrap(payload: EventPayload, producer: str, at: datetime, flow: str) -> Envelope[Any]:
    return Envelope.wrap(payload, producer=PRODUCERS[producer], occurred_at=at,
                         correlation_id=flow)


def _declaration_events(c: Citizen, at: datetime, flow: str, derived: bool = True
                        ) -> Iterator[tuple[str, str, Envelope[Any]]]:
    person = c.person or {"full_name": "Nguyễn Văn Thử", "date_of_birth": "1990-01-01",
                          "gender": "male"}
    transport: dict[str, Any] = {"mode": "car"}
    departure = vn_day(at)
    if c.ride is not None:
        transport = {"mode": c.ride.journey.mode, "number": c.ride.journey.number,
                     **({"seat": c.ride.seat} if c.ride.seat else {})}
        departure = c.ride.journey.departure
    declared = DeclarationSubmitted(
        declaration_id=c.declaration_id, subject_id=c.subject_id, channel="web",
        person={"national_id": c.national_id, "full_name": person["full_name"],
                "date_of_birth": person["date_of_birth"], "gender": person["gender"]},
        residence={"permanent": {"ward_code": c.origin_ward}, "current": {"ward_code": c.origin_ward}},
        trip={"origin_ward": c.origin_ward, "destination_ward": c.destination_ward,
              "departure_date": departure, "transport": transport},
        health={}, valid_until=at + timedelta(days=14))
    yield "declaration.submitted", c.subject_id, _wrap(declared, "declaration", at, flow)
    if not derived:
        return
    verified = IdentityVerified(declaration_id=c.declaration_id, subject_id=c.subject_id,
                                registered_permanent_ward=c.origin_ward)
    yield "identity.verified", c.subject_id, _wrap(verified, "identity", at + timedelta(seconds=1),
                                                   flow)
    notified = WardNotified(notification_id=f"n-{c.declaration_id}", ward_code=c.destination_ward,
                            subject_id=c.subject_id, reason=NotifyReason.arriving,
                            declaration_id=c.declaration_id)
    yield "ward.notified", c.destination_ward, _wrap(notified, "ward", at + timedelta(seconds=2),
                                                     flow)


def _passage(c: Citizen, v: Visit, direction: Direction, at: datetime, n: int) -> EventPayload:
    fields: dict[str, Any] = dict(
        passage_id=f"p-{c.declaration_id[-8:]}-{int(at.timestamp())}-{n}",
        declaration_id=c.declaration_id, subject_id=c.subject_id,
        checkpoint_id=v.place.checkpoint_id, kind=v.place.kind, ward_code=v.place.ward_code,
        direction=direction, officer_id="officer-demo", at=at)
    if v.refused is not None:
        return CheckpointRefused(**fields, reason=v.refused)
    return CheckpointPassed(**fields)


def _visit_events(c: Citizen, v: Visit, flow: str) -> Iterator[tuple[str, str, Envelope[Any]]]:
    if v.moment:
        direction = Direction.in_ if v.place.venue else Direction.through
        payload = _passage(c, v, direction, v.start, 0)
        yield payload.TYPE, c.subject_id, _wrap(payload, "checkpoint", v.start, flow)
        return
    yield "checkpoint.passed", c.subject_id, _wrap(_passage(c, v, Direction.in_, v.start, 0),
                                                   "checkpoint", v.start, flow)
    if v.end is not None:
        yield "checkpoint.passed", c.subject_id, _wrap(_passage(c, v, Direction.out, v.end, 1),
                                                       "checkpoint", v.end, flow)
