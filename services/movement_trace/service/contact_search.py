"""The contact search: reads the buckets a question needs, by key, and applies the
contact rules (domain/contacts.py, domain/presences.py, domain/journeys.py).

First the person's subject-week buckets (back far enough to find the declarations of
journeys in the window), then, for each checkpoint they were at, the place-hour buckets
around their presences (`presences.search_span`), and the bucket of each of their
journeys.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import datetime, timedelta

from services.movement_trace.domain import journeys
from services.movement_trace.domain.contacts import (
    Contact,
    Exposure,
    Rules,
    contact_of,
    exposure,
    fellow_passengers,
    journey_exposure,
    second_degree,
    trips_of,
)
from services.movement_trace.domain.movements import Movement, hours_between, weeks_between
from services.movement_trace.domain.presences import is_contact, presences, search_span
from services.movement_trace.service.ports import MovementSource


class ContactSearch:
    def __init__(self, source: MovementSource, rules: Rules) -> None:
        self.source = source
        self.rules = rules

    async def movements_of(self, subject_id: str, start: datetime,
                           end: datetime) -> list[Movement]:
        # A day on each side, so that stays crossing the window's edges pair up correctly;
        # and back `lead` for the declarations of journeys in the window.
        back = timedelta(days=1) + (self.rules.lead if self.rules.journeys.traced
                                    else timedelta(0))
        weeks = weeks_between(start - back, end + timedelta(days=1))
        return await self.source.subject_movements(subject_id, weeks)

    async def direct(self, subject_id: str, start: datetime, end: datetime) -> dict[str, list[Exposure]]:
        """Everyone who met `subject_id` between `start` and `end`, with the evidence."""
        movements = await self.movements_of(subject_id, start, end)
        mine = [p for p in presences(movements, self.rules.max_stay) if p.intersects(start, end)]
        trips = trips_of(movements, start, end, self.rules.journeys)
        hours: dict[str, set[str]] = defaultdict(set)
        for p in mine:
            hours[p.checkpoint_id].update(hours_between(*search_span(p, self.rules.window,
                                                                     self.rules.max_stay)))
        places = sorted(hours)
        fetched = await asyncio.gather(*(self.source.place_movements(cp, sorted(hours[cp]))
                                         for cp in places))
        aboard = await asyncio.gather(*(self.source.journey_passengers(t.key) for t in trips))
        found: dict[str, list[Exposure]] = defaultdict(list)
        for checkpoint_id, events in zip(places, fetched, strict=True):
            others = presences(events, self.rules.max_stay)
            for p in (p for p in mine if p.checkpoint_id == checkpoint_id):
                for q in others:
                    if is_contact(p, q, self.rules.window):
                        found[q.subject_id].append(exposure(p, q))
        seats = self.rules.journeys
        for trip, entries in zip(trips, aboard, strict=True):
            for other, entry in fellow_passengers(entries, subject_id).items():
                verdict = journeys.seated_together(seats, trip.mode, trip.seat, entry.seat)
                if verdict.contact:
                    found[other].append(journey_exposure(trip, subject_id, entry.seat,
                                                          verdict, seats))
        return found

    async def search(self, subject_id: str, start: datetime, end: datetime,
                     degree: int) -> tuple[list[Contact], bool]:
        """Contacts up to `degree` (1 or 2); True when degree 2 was cut at `max_expand`."""
        first = await self.direct(subject_id, start, end)
        contacts = {s: contact_of(s, 1, [], ex) for s, ex in first.items()}
        truncated = False
        if degree >= 2:
            ordered = sorted(contacts.values(), key=lambda c: (c.first_exposure, c.subject_id))
            truncated = len(ordered) > self.rules.max_expand
            expand = [c.subject_id for c in ordered[: self.rules.max_expand]]
            second = await asyncio.gather(*(self.direct(s, start, end) for s in expand))
            contacts.update(second_degree(subject_id, contacts, expand, second))
        result = sorted(contacts.values(), key=lambda c: (c.degree, c.first_exposure, c.subject_id))
        return result, truncated


