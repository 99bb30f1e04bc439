"""Contacts (pure): degree 1 (met the person) and degree 2 (met a degree-1 contact); the
search that reads the buckets is service/contact_search.py.

Three rules: at a checkpoint, overlapping stays or presences within ±W (presences.py);
and on a shared journey, fellow passengers by the mode's seat rule (journeys.py).
Each contact comes with the evidence: where, when, which rule, and through whom.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from services.movement_trace.domain import journeys
from services.movement_trace.domain.movements import Movement, MovementKind
from services.movement_trace.domain.presences import Presence


class JourneyEvidence(BaseModel):
    """A shared journey: the service, its day, and both seats."""

    mode: str = Field(examples=["plane"])
    number: str = Field(examples=["VN213"], description="flight, train, coach or ship number")
    departure_date: date = Field(description="Viet Nam date")
    seat: str | None = Field(None, description="this contact's seat, as declared")
    met_seat: str | None = Field(None, description="the seat of the person they met")
    seat_rule: str = Field(examples=["rows±2"], description="rows±N (rows either side), "
                           "carriage, vehicle (everyone aboard)")
    seat_unknown: bool = Field(False, description="one seat is missing or unreadable: counted "
                               "as a contact of everyone aboard")


class Exposure(BaseModel):
    checkpoint_id: str | None = Field(None, description="where (none for a shared journey)")
    checkpoint_kind: str | None = None
    ward_code: str | None = None
    rule: Literal["overlapping_stays", "within_window", "shared_journey"]
    met: str = Field(description="subject id of the person they met (the index, or via)")
    met_start: datetime
    met_end: datetime
    start: datetime = Field(description="this contact's presence (a journey: its whole day)")
    end: datetime
    end_inferred: bool = Field(False, description="the stay had no check-out; capped")
    minutes: float | None = Field(None, description="overlap (stays) or distance in time "
                                  "(moments); none for a shared journey")
    journey: JourneyEvidence | None = Field(None, description="the shared journey's evidence")


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
    journeys: journeys.Rules = field(default_factory=lambda: journeys.Rules({}))
    lead: timedelta = timedelta(days=14)


@dataclass(frozen=True)
class Trip:
    """One of the person's journeys: which, and the seat they declared."""

    key: str
    mode: str
    number: str
    departure: date
    seat: str | None


def trips_of(movements: list[Movement], start: datetime, end: datetime,
             rules: journeys.Rules) -> list[Trip]:
    """The person's journeys whose day touches [start, end), by a traced mode; the latest
    declaration of a journey gives the seat."""
    latest: dict[str, Movement] = {}
    for m in sorted((m for m in movements if m.kind == MovementKind.declared and m.journey),
                    key=lambda m: (m.at, m.source_event_id)):
        assert m.journey is not None
        latest[m.journey] = m
    found = []
    for key, m in sorted(latest.items()):
        assert m.transport_mode and m.transport_number and m.departure_date
        departure = date.fromisoformat(m.departure_date)
        first, last = journeys.day_span(departure)
        if rules.rule(m.transport_mode) != journeys.SeatRule.none and first < end and last > start:
            found.append(Trip(key, m.transport_mode, m.transport_number, departure, m.seat))
    return found


def fellow_passengers(entries: list[journeys.Passenger], subject_id: str) -> dict[str, journeys.Passenger]:
    """Each other passenger's latest declaration of the journey."""
    latest: dict[str, journeys.Passenger] = {}
    for e in sorted(entries, key=lambda e: (e.at, e.id)):
        if e.subject_id != subject_id:
            latest[e.subject_id] = e
    return latest


def journey_exposure(trip: Trip, met: str, theirs: str | None, verdict: journeys.Verdict,
                      rules: journeys.Rules) -> Exposure:
    first, last = journeys.day_span(trip.departure)
    return Exposure(rule="shared_journey", met=met, met_start=first, met_end=last, start=first,
                    end=last, journey=JourneyEvidence(
                        mode=trip.mode, number=trip.number, departure_date=trip.departure,
                        seat=theirs, met_seat=trip.seat, seat_rule=journeys.rule_label(rules, trip.mode),
                        seat_unknown=verdict.seat_unknown))


def exposure(mine: Presence, other: Presence) -> Exposure:
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


def contact_of(subject_id: str, degree: Literal[1, 2], via: list[str],
             exposures: list[Exposure]) -> Contact:
    ordered = sorted(exposures, key=lambda e: (e.start, e.met_start, e.checkpoint_id or "",
                                               e.met, e.rule))
    return Contact(subject_id=subject_id, degree=degree, via=sorted(set(via)),
                   first_exposure=min(max(e.start, e.met_start) for e in ordered),
                   exposures=ordered)


def second_degree(index: str, first: dict[str, Contact], expanded: list[str],
                   found: list[dict[str, list[Exposure]]]) -> dict[str, Contact]:
    exposures: dict[str, list[Exposure]] = defaultdict(list)
    via: dict[str, list[str]] = defaultdict(list)
    for middle, theirs in zip(expanded, found, strict=True):
        for subject, evidence in theirs.items():
            if subject != index and subject not in first:
                exposures[subject].extend(evidence)
                via[subject].append(middle)
    return {s: contact_of(s, 2, via[s], ex) for s, ex in exposures.items()}
