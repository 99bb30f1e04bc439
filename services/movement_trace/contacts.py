"""Contact search: degree 1 (met the person) and degree 2 (met a degree-1 contact).

Reads only buckets by key: the person's subject-week buckets, then, for each
checkpoint they were at, the place-hour buckets around their presences
(`stays.search_span`). Each contact comes with the evidence: where, when,
which rule, and through whom.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from services.movement_trace.domain import Movement, hours_between, weeks_between
from services.movement_trace.stays import Presence, is_contact, presences, search_span


class Source(Protocol):
    async def subject_movements(self, subject_id: str, weeks: list[str]) -> list[Movement]: ...

    async def place_movements(self, checkpoint_id: str, hours: list[str]) -> list[Movement]: ...


class Exposure(BaseModel):
    checkpoint_id: str
    checkpoint_kind: str | None = None
    ward_code: str | None = None
    rule: Literal["overlapping_stays", "within_window"]
    met: str = Field(description="subject id of the person they met (the index, or via)")
    met_start: datetime
    met_end: datetime
    start: datetime = Field(description="this contact's presence")
    end: datetime
    end_inferred: bool = Field(False, description="the stay had no check-out; capped")
    minutes: float = Field(description="overlap (stays) or distance in time (moments)")


class Contact(BaseModel):
    subject_id: str
    degree: Literal[1, 2]
    via: list[str] = Field(default_factory=list, description="degree-1 contacts in between")
    first_exposure: datetime
    exposures: list[Exposure]


@dataclass(frozen=True)
class Rules:
    window: timedelta
    max_stay: timedelta
    max_expand: int = 200


def _exposure(mine: Presence, other: Presence) -> Exposure:
    overlap = mine.stay and other.stay
    if overlap:
        minutes = (min(mine.end, other.end) - max(mine.start, other.start)).total_seconds() / 60
    else:
        gap = max(mine.start - other.end, other.start - mine.end, timedelta(0))
        minutes = gap.total_seconds() / 60
    return Exposure(checkpoint_id=other.checkpoint_id, checkpoint_kind=other.checkpoint_kind,
                    ward_code=other.ward_code,
                    rule="overlapping_stays" if overlap else "within_window",
                    met=mine.subject_id, met_start=mine.start, met_end=mine.end,
                    start=other.start, end=other.end, end_inferred=other.inferred_end,
                    minutes=round(minutes, 2))


class ContactSearch:
    def __init__(self, source: Source, rules: Rules) -> None:
        self.source = source
        self.rules = rules

    async def presences_of(self, subject_id: str, start: datetime, end: datetime) -> list[Presence]:
        # A day on each side, so that stays crossing the window's edges pair up correctly.
        weeks = weeks_between(start - timedelta(days=1), end + timedelta(days=1))
        found = presences(await self.source.subject_movements(subject_id, weeks), self.rules.max_stay)
        return [p for p in found if p.intersects(start, end)]

    async def direct(self, subject_id: str, start: datetime, end: datetime) -> dict[str, list[Exposure]]:
        """Everyone who met `subject_id` between `start` and `end`, with the evidence."""
        mine = await self.presences_of(subject_id, start, end)
        hours: dict[str, set[str]] = defaultdict(set)
        for p in mine:
            hours[p.checkpoint_id].update(hours_between(*search_span(p, self.rules.window,
                                                                     self.rules.max_stay)))
        places = sorted(hours)
        fetched = await asyncio.gather(*(self.source.place_movements(cp, sorted(hours[cp]))
                                         for cp in places))
        found: dict[str, list[Exposure]] = defaultdict(list)
        for checkpoint_id, events in zip(places, fetched, strict=True):
            others = presences(events, self.rules.max_stay)
            for p in (p for p in mine if p.checkpoint_id == checkpoint_id):
                for q in others:
                    if is_contact(p, q, self.rules.window):
                        found[q.subject_id].append(_exposure(p, q))
        return found

    async def search(self, subject_id: str, start: datetime, end: datetime,
                     degree: int) -> tuple[list[Contact], bool]:
        """Contacts up to `degree` (1 or 2); True when degree 2 was cut at `max_expand`."""
        first = await self.direct(subject_id, start, end)
        contacts = {s: _contact(s, 1, [], ex) for s, ex in first.items()}
        truncated = False
        if degree >= 2:
            ordered = sorted(contacts.values(), key=lambda c: (c.first_exposure, c.subject_id))
            truncated = len(ordered) > self.rules.max_expand
            expand = [c.subject_id for c in ordered[: self.rules.max_expand]]
            second = await asyncio.gather(*(self.direct(s, start, end) for s in expand))
            contacts.update(_second_degree(subject_id, contacts, expand, second))
        result = sorted(contacts.values(), key=lambda c: (c.degree, c.first_exposure, c.subject_id))
        return result, truncated


def _contact(subject_id: str, degree: Literal[1, 2], via: list[str],
             exposures: list[Exposure]) -> Contact:
    ordered = sorted(exposures, key=lambda e: (e.start, e.met_start, e.checkpoint_id, e.met))
    return Contact(subject_id=subject_id, degree=degree, via=sorted(set(via)),
                   first_exposure=min(max(e.start, e.met_start) for e in ordered),
                   exposures=ordered)


def _second_degree(index: str, first: dict[str, Contact], expanded: list[str],
                   found: list[dict[str, list[Exposure]]]) -> dict[str, Contact]:
    exposures: dict[str, list[Exposure]] = defaultdict(list)
    via: dict[str, list[str]] = defaultdict(list)
    for middle, theirs in zip(expanded, found, strict=True):
        for subject, evidence in theirs.items():
            if subject != index and subject not in first:
                exposures[subject].extend(evidence)
                via[subject].append(middle)
    return {s: _contact(s, 2, via[s], ex) for s, ex in exposures.items()}
