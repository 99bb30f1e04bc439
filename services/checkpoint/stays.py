"""Venue stays: what a check-in or check-out does to the person's open stay, the
move-on check-out, and the periodic automatic check-out (rules in venues.py).

Each step is idempotent and ordered so that a crash anywhere leaves something
the next attempt completes: the check-out passage is written (keyed by the
stay) before the stay is removed or replaced, conditionally on its stay id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from libs.contracts.envelope import utcnow
from libs.contracts.events.checkpoint import Direction
from libs.contracts.vietnam_time import vn_day
from libs.runtime.jobs import every
from libs.runtime.logs import log_fields
from libs.runtime.mongo import Document
from libs.runtime.outbox import new_outbox, outbox_entry
from services.checkpoint import metrics, venues
from services.checkpoint.events import Place, Traveller, passage_event
from services.checkpoint.store_passages import PassageStore
from services.checkpoint.venues import Stay

log = logging.getLogger(__name__)
MAX_RACES = 5  # another replica changed the stay meanwhile: read again, this many times
BATCH = 200
MAX_BATCHES = 50


def _stay(doc: Document | None) -> Stay | None:
    if doc is None:
        return None
    return Stay(doc["stay_id"], doc["_id"], doc["declaration_id"], doc["checkpoint_id"],
                doc["since"], doc["due_at"])


class VenueStays:
    def __init__(self, passages: PassageStore, max_stay: timedelta, interval_s: float,
                 wake: Callable[[], None]) -> None:
        self.passages, self.max_stay, self.interval_s, self.wake = (
            passages, max_stay, interval_s, wake)

    async def after_passage(self, passage: Document, checkpoint: Document) -> None:
        """A person passed a venue's entrance (in) or exit (out)."""
        subject, declaration = passage["subject_ids"][0], passage["declaration_ids"][0]
        if passage["direction"] == Direction.out:
            existing = _stay(await self.passages.stay(subject))
            if existing and venues.closes_on_check_out(existing, checkpoint["_id"], passage["at"]):
                await self.passages.close_stay(subject, existing.stay_id)
        elif passage["direction"] == Direction.in_:
            limit = timedelta(minutes=checkpoint["stay_max_minutes"]) \
                if checkpoint.get("stay_max_minutes") else self.max_stay
            new = venues.new_stay(passage["_id"], subject, declaration, checkpoint["_id"],
                                  passage["at"], limit)
            await self.check_in(new, Place.of(checkpoint))

    async def check_in(self, new: Stay, place: Place) -> None:
        new_doc = {"_id": new.subject_id, "stay_id": new.stay_id,
                   "declaration_id": new.declaration_id, "checkpoint_id": new.checkpoint_id,
                   "since": new.since, "due_at": new.due_at, "place": place.to_document()}
        for _ in range(MAX_RACES):
            existing_doc = await self.passages.stay(new.subject_id)
            existing = _stay(existing_doc)
            plan = venues.plan_check_in(existing, new)
            if plan.close_new_at is not None:
                await self._check_out(new_doc, plan.close_new_at, venues.MOVE_ON_CHECKOUT)
                return
            if existing_doc is not None and plan.close_existing_at is not None:
                # Ended before this check-in: it ran out, nobody moved on.
                ran_out = plan.close_existing_at < new.since
                await self._write_check_out(existing_doc, plan.close_existing_at,
                                            venues.AUTO_CHECKOUT if ran_out
                                            else venues.MOVE_ON_CHECKOUT)
            if not plan.open_new:
                return
            if await self.passages.open_stay(new_doc, existing.stay_id if existing else None):
                return
        log.warning("venue check-in lost %d races", MAX_RACES,
                    extra=log_fields(stay_id=new.stay_id))

    async def _write_check_out(self, stay: Document, at: datetime, officer: str) -> None:
        place = Place.from_document(stay["place"])
        event = passage_event(venues.checkout_id(stay["stay_id"]),
                              Traveller(stay["declaration_id"], stay["_id"]), place,
                              direction=Direction.out, officer_id=officer, at=at, plate=None,
                              refusal=None)
        doc = {"_id": event.payload.passage_id, "checkpoint_id": place.checkpoint_id,
               "kind": place.kind.value, "ward_code": place.ward_code, "officer_id": officer,
               "decision": "pass", "reason": None, "direction": "out", "vehicle_plate": None,
               "at": at, "declaration_ids": [stay["declaration_id"]], "subject_ids": [stay["_id"]],
               "refused": False, "source": officer, "stay_id": stay["stay_id"],
               "day": vn_day(at).isoformat(), "recorded_at": utcnow(),
               "events": [{"type": event.type, "passage_id": event.payload.passage_id,
                           "declaration_id": stay["declaration_id"]}],
               **new_outbox(outbox_entry(event, key=stay["_id"]))}
        _, created = await self.passages.add_passage(doc)
        if created:
            metrics.PASSAGES.labels("pass", officer).inc()
            self.wake()

    async def _check_out(self, stay: Document, at: datetime, officer: str) -> None:
        await self._write_check_out(stay, at, officer)
        await self.passages.close_stay(stay["_id"], stay["stay_id"])

    async def auto_check_out(self, now: datetime | None = None) -> int:
        """Close every stay past its time, at that time; how many were closed."""
        closed = 0
        for _ in range(MAX_BATCHES):  # bounded: the next run goes on
            due = await self.passages.due_stays(now or utcnow(), BATCH)
            for stay in due:
                await self._check_out(stay, stay["due_at"], venues.AUTO_CHECKOUT)
            closed += len(due)
            if len(due) < BATCH:
                break
        return closed

    async def run(self) -> None:
        """Background: the automatic check-out, every `interval_s`."""
        await every(self.interval_s, self.auto_check_out, "automatic check-out")()
