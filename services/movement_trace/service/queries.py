"""The epidemiologists' questions, answered from the active generation's buckets."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.movement_trace.domain import journeys
from services.movement_trace.domain.answers import Contacts, Timeline, TimelineEntry, Visit, Visits
from services.movement_trace.domain.contacts import Rules
from services.movement_trace.domain.followups import has_fever
from services.movement_trace.domain.movements import MovementKind, hours_between
from services.movement_trace.domain.presences import presences
from services.movement_trace.service.contact_search import ContactSearch
from services.movement_trace.service.ports import Movements
from services.movement_trace.settings import Settings


class TraceQueries:
    def __init__(self, store: Movements, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.max_stay = timedelta(minutes=settings.max_stay_minutes)

    async def timeline(self, subject_id: str, start: datetime, end: datetime) -> Timeline:
        found = await self.store.timeline(subject_id, start, end)
        entries = [TimelineEntry.of(m) for m in found]
        for entry in entries:
            if entry.kind == MovementKind.followed_up:
                entry.fever = has_fever(entry.temperature_c, entry.symptoms or [],
                                        self.settings.fever_c)
        return Timeline(subject_id=subject_id, start=start, end=end, movements=entries)

    async def visits(self, checkpoint_id: str, start: datetime, end: datetime) -> Visits:
        """Everyone at a checkpoint between two times; stays paired as for contacts."""
        # Stays that began up to max_stay earlier, or end up to max_stay later, still pair up.
        hours = hours_between(start - self.max_stay, end + self.max_stay)
        events = await self.store.place_movements(checkpoint_id, hours)
        found = [p for p in presences(events, self.max_stay) if p.intersects(start, end)]
        return Visits(checkpoint_id=checkpoint_id, start=start, end=end, visits=[
            Visit(subject_id=p.subject_id, start=p.start, end=p.end, stay=p.stay,
                  end_inferred=p.inferred_end, ward_code=p.ward_code,
                  checkpoint_kind=p.checkpoint_kind) for p in found])

    async def contacts(self, subject_id: str, start: datetime, end: datetime,
                       window_minutes: int, degree: int) -> Contacts:
        rules = Rules(window=timedelta(minutes=window_minutes), max_stay=self.max_stay,
                      max_expand=self.settings.max_expand, journeys=self.settings.journeys,
                      lead=timedelta(days=self.settings.journey_lead_days))
        found, truncated = await ContactSearch(self.store, rules).search(subject_id, start, end,
                                                                         degree)
        return Contacts(subject_id=subject_id, start=start, end=end, window_minutes=window_minutes,
                        max_stay_minutes=self.settings.max_stay_minutes, degree=degree,
                        truncated=truncated, contacts=found,
                        journey_rules={m: journeys.rule_label(rules.journeys, m)
                                       for m, r in self.settings.journey_rules.items()
                                       if r != journeys.SeatRule.none})
