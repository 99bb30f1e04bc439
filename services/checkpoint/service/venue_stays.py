"""Venue stays: what a check-in or check-out does to the person's open stay, the
move-on check-out, and the periodic automatic check-out (rules in domain/venues.py).

Each step is idempotent and ordered so that a crash anywhere leaves something
the next attempt completes: the check-out passage is written (keyed by the
stay) before the stay is removed or replaced, conditionally on its stay id.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from libs.contracts.envelope import utcnow
from libs.contracts.events.checkpoint import Direction
from libs.runtime.jobs import every
from libs.runtime.logs import log_fields
from services.checkpoint import metrics
from services.checkpoint.domain import venues
from services.checkpoint.domain.passage_events import Place, Traveller, passage_event
from services.checkpoint.domain.recommendation import Decision
from services.checkpoint.domain.records import Checkpoint, EventRef, OpenStay, Passage
from services.checkpoint.domain.venues import Stay
from services.checkpoint.service.ports import Outbox, Passages, Stays

log = logging.getLogger(__name__)
MAX_RACES = 5  # another replica changed the stay meanwhile: read again, this many times
BATCH = 200
MAX_BATCHES = 50


class VenueStays:
    def __init__(self, stays: Stays, passages: Passages, max_stay: timedelta, interval_s: float,
                 outbox: Outbox) -> None:
        self.stays, self.passages, self.max_stay = stays, passages, max_stay
        self.interval_s, self.outbox = interval_s, outbox

    async def after_passage(self, passage: Passage, checkpoint: Checkpoint) -> None:
        """A person passed a venue's entrance (in) or exit (out)."""
        traveller = passage.travellers[0]
        if passage.direction == Direction.out:
            existing = await self.stays.stay(traveller.subject_id)
            if existing and venues.closes_on_check_out(existing.stay, checkpoint.checkpoint_id,
                                                       passage.at):
                await self.stays.close_stay(traveller.subject_id, existing.stay.stay_id)
        elif passage.direction == Direction.in_:
            limit = timedelta(minutes=checkpoint.stay_max_minutes) \
                if checkpoint.stay_max_minutes else self.max_stay
            new = venues.new_stay(passage.passage_id, traveller.subject_id,
                                  traveller.declaration_id, checkpoint.checkpoint_id,
                                  passage.at, limit)
            await self.check_in(new, checkpoint.place)

    async def check_in(self, new: Stay, place: Place) -> None:
        opened = OpenStay(new, place)
        for _ in range(MAX_RACES):
            existing = await self.stays.stay(new.subject_id)
            plan = venues.plan_check_in(existing.stay if existing else None, new)
            if plan.close_new_at is not None:
                await self._check_out(opened, plan.close_new_at, venues.MOVE_ON_CHECKOUT)
                return
            if existing is not None and plan.close_existing_at is not None:
                # Ended before this check-in: it ran out, nobody moved on.
                ran_out = plan.close_existing_at < new.since
                await self._write_check_out(existing, plan.close_existing_at,
                                            venues.AUTO_CHECKOUT if ran_out
                                            else venues.MOVE_ON_CHECKOUT)
            if not plan.open_new:
                return
            if await self.stays.open_stay(opened, existing.stay.stay_id if existing else None):
                return
        log.warning("venue check-in lost %d races", MAX_RACES,
                    extra=log_fields(stay_id=new.stay_id))

    async def _write_check_out(self, open_stay: OpenStay, at: datetime, officer: str) -> None:
        stay, place = open_stay.stay, open_stay.place
        traveller = Traveller(stay.declaration_id, stay.subject_id)
        event = passage_event(venues.checkout_id(stay.stay_id), traveller, place,
                              direction=Direction.out, officer_id=officer, at=at, plate=None,
                              refusal=None)
        passage = Passage(
            passage_id=event.payload.passage_id, place=place, officer_id=officer,
            decision=Decision.pass_, reason=None, direction=Direction.out, vehicle_plate=None,
            at=at, travellers=[traveller], source=officer, stay_id=stay.stay_id,
            recorded_at=utcnow(),
            refs=[EventRef(type=event.type, passage_id=event.payload.passage_id,
                           declaration_id=stay.declaration_id)],
            events=[event])
        _, created = await self.passages.add_passage(passage)
        if created:
            metrics.PASSAGES.labels("pass", officer).inc()
            self.outbox.wake()

    async def _check_out(self, open_stay: OpenStay, at: datetime, officer: str) -> None:
        await self._write_check_out(open_stay, at, officer)
        await self.stays.close_stay(open_stay.stay.subject_id, open_stay.stay.stay_id)

    async def auto_check_out(self, now: datetime | None = None) -> int:
        """Close every stay past its time, at that time; how many were closed."""
        closed = 0
        for _ in range(MAX_BATCHES):  # bounded: the next run goes on
            due = await self.stays.due_stays(now or utcnow(), BATCH)
            for open_stay in due:
                await self._check_out(open_stay, open_stay.stay.due_at, venues.AUTO_CHECKOUT)
            closed += len(due)
            if len(due) < BATCH:
                break
        return closed

    async def run(self) -> None:
        """Background: the automatic check-out, every `interval_s`."""
        await every(self.interval_s, self.auto_check_out, "automatic check-out")()
