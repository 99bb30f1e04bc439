"""Daily follow-up of quarantined people, for the ward official of their ward of stay.

The list of a day holds every person under quarantine in the ward that day; the
official records each visit or call (→ `followup.recorded`); people not reached two
days running are flagged lost to follow-up. Also the views of trace's events behind it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from libs.contracts.envelope import Envelope, new_event_id
from libs.contracts.events.notification import FollowupRecorded
from libs.contracts.events.trace import CaseConfirmed, QuarantineOrdered, QuarantineReleased
from libs.contracts.quarantine import day_number
from libs.contracts.vietnam_time import vn_day
from libs.runtime.logs import log_fields
from services.ward_notification.domain import followups as rules
from services.ward_notification.domain.errors import (
    NotUnderQuarantine,
    QuarantineNotFound,
    WardForbidden,
)
from services.ward_notification.domain.notifications import PRODUCER
from services.ward_notification.domain.records import Followup, FollowupCounts
from services.ward_notification.service.ports import Followups, Outbox, Visible
from services.ward_notification.settings import Settings

log = logging.getLogger(__name__)

class FollowupDesk:
    def __init__(self, store: Followups, outbox: Outbox, settings: Settings,
                 clock: Callable[[], datetime]) -> None:
        self.store = store
        self.outbox = outbox
        self.settings = settings
        self.clock = clock  # which quarantine day it is; tests move it

    def day_of(self, day: date | None) -> date:
        # Any day of the calendar (`Day`: 1900–2199) is answered, for what it holds: a day
        # far off holds no quarantine, and its date arithmetic stays within bounds.
        return day or vn_day(self.clock())

    async def due(self, wards: list[str] | None, day: date | None) -> list[rules.Due]:
        """Everyone under quarantine in the wards (all: None) on the day, lost ones first."""
        quarantines = await self.store.in_wards(wards)
        attempts = await self.store.attempts([q.quarantine_id for q in quarantines])
        return rules.due_list(quarantines, attempts, self.day_of(day),
                              self.settings.lost_after_days)

    async def record(self, quarantine_id: str, reached: bool, channel: str,
                     symptoms: list[str], temperature_c: float | None,
                     followup_id: str | None, by: str, visible: Visible,
                     correlation_id: str | None) -> Followup:
        """A visit or call today, for a person under quarantine in a ward of the caller;
        a retry with the same `followup_id` records nothing new."""
        q = await self.store.quarantine(quarantine_id)
        if q is None:
            raise QuarantineNotFound(quarantine_id)
        if not visible(q.ward_code):
            raise WardForbidden([q.ward_code])
        now = self.clock()
        today = vn_day(now)
        if not rules.is_active(q, today):
            raise NotUnderQuarantine(quarantine_id)
        followup_id = followup_id or new_event_id()
        event = Envelope.wrap(FollowupRecorded(
            quarantine_id=q.quarantine_id, day=day_number(q.start, today), reached=reached,
            symptoms=symptoms, temperature_c=temperature_c, by=by,
            subject_id=q.subject_id, ward_code=q.ward_code or None, on=today,
            channel=channel), producer=PRODUCER, correlation_id=correlation_id)
        added = await self.store.add_followup(followup_id, event, now)
        self.outbox.wake()
        # Who did it, in the log as in the event (`by`): each console action is attributable.
        log.info("follow-up recorded" if added else "follow-up retried (already recorded)",
                 extra=log_fields(by=by, quarantine_id=q.quarantine_id, followup_id=followup_id,
                                  ward_code=q.ward_code, reached=reached))
        recorded = await self.store.followup(followup_id)
        assert recorded is not None, "just written"
        return recorded

    async def counts(self, wards: list[str] | None, day: date | None) -> FollowupCounts:
        """Active quarantines, follow-ups still due, lost to follow-up; new F0/F1 per day
        over the last 14 days."""
        today = self.day_of(day)
        recent = [(today - timedelta(days=n)).isoformat() for n in range(14)]
        f0 = {d: 0 for d in recent}
        for d in await self.store.case_days(wards):
            if d in f0:
                f0[d] += 1
        f1 = {d: 0 for d in recent}
        for d, reason in await self.store.order_days(wards):
            if d in f1 and reason == "contact":
                f1[d] += 1
        totals = rules.ward_counts(await self.due(wards, today))
        return FollowupCounts(day=today, wards=wards, new_f0=f0, new_f1=f1,
                              active_quarantines=totals["active_quarantines"],
                              due_today=totals["due_today"],
                              lost_to_followup=totals["lost_to_followup"])

    # --- the views of trace's events (each an insert by natural id: a replay changes nothing) ---

    async def quarantine_ordered(self, event: Envelope[QuarantineOrdered]) -> None:
        """Followed up daily by the ward of stay."""
        await self.store.put_order(event)

    async def quarantine_released(self, event: Envelope[QuarantineReleased]) -> None:
        """The follow-up ends."""
        await self.store.put_release(event)

    async def case_confirmed(self, event: Envelope[CaseConfirmed]) -> None:
        """Counted as a new F0 of the ward."""
        await self.store.put_case(event)
