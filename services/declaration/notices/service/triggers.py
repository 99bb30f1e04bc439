"""What makes the service write to a citizen, and what it writes.

- `identity.rejected`: to the person of that declaration, with what to fix per reason
  code, while that rejection is the declaration's verdict (a later verdict supersedes it);
- `case.confirmed`: to each proposed degree-1 contact (not the case), from their latest
  declaration: watch your health, the health authority will call. Nothing about the case;
- `quarantine.ordered` / `quarantine.released`: to the person, with the dates;
- follow-up due: a daily job, from `followup_hour` (Viet Nam time), reminds each person under
  quarantine today (the `quarantines` view this service keeps) that the ward will check on
  them; keyed by order and day, so it goes once a day whatever the job's interval.

Each is queued once per cause, person and channel (rules.notice_id) for the sender to
deliver. An event older than `notices_max_event_age_h` sends nothing (a replay of the log).
Contact details come from the declaration only: a dependant without a phone or e-mail of
their own is reached through the declaration made with theirs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta

from libs.contracts.envelope import Envelope, utcnow
from libs.contracts.events.identity import IdentityRejected
from libs.contracts.events.trace import CaseConfirmed, QuarantineOrdered, QuarantineReleased
from libs.contracts.ordering import order_key
from libs.contracts.quarantine import day_number
from libs.contracts.vietnam_time import VN_TZ, vn_day
from libs.runtime.logs import log_fields
from services.declaration.domain.records import Declaration, QuarantineOrder
from services.declaration.notices.domain import rules
from services.declaration.notices.domain.records import NewNotice
from services.declaration.notices.domain.texts import Facts, Kind, render
from services.declaration.notices.service.ports import NoticeQueue
from services.declaration.notices.settings import NoticeSettings
from services.declaration.service.ports import DeclarationReader, QuarantineReader

log = logging.getLogger(__name__)


class Notices:
    def __init__(self, declarations: DeclarationReader, quarantines: QuarantineReader,
                 store: NoticeQueue, settings: NoticeSettings, channels: set[str],
                 wake: Callable[[], None]) -> None:
        self.declarations = declarations
        self.quarantines = quarantines
        self.store = store
        self.settings = settings
        self.channels = channels
        self.wake = wake
        self._reminded: set[str] = set()  # today's reminders queued by this process

    async def rejected(self, event: Envelope[IdentityRejected]) -> int:
        p = event.payload
        if self._stale(event.occurred_at, event.event_id, event.type):
            return 0
        key = await self.declarations.verdict_key(p.declaration_id)
        if key != order_key(event.occurred_at, event.event_id):
            return 0  # superseded by a later verdict, or not a declaration of ours
        declaration = await self.declarations.get(p.declaration_id)
        facts = Facts(Kind.rejected, reasons=tuple(reason.value for reason in p.reasons))
        return await self._queue(event.event_id, declaration, facts)

    async def contacts(self, event: Envelope[CaseConfirmed]) -> int:
        p = event.payload
        if self._stale(event.occurred_at, event.event_id, event.type):
            return 0
        queued = 0
        for contact in dict.fromkeys(p.contacts):
            if contact != p.subject_id:
                queued += await self._queue(event.event_id,
                                            await self.declarations.latest_of(contact),
                                            Facts(Kind.contact))
        return queued

    async def ordered(self, event: Envelope[QuarantineOrdered]) -> int:
        p = event.payload
        if self._stale(event.occurred_at, event.event_id, event.type) or p.end <= vn_day(utcnow()):
            return 0
        facts = Facts(Kind.quarantine_ordered, start=p.start, last_day=p.end - timedelta(days=1),
                      days=(p.end - p.start).days, place=p.place.value, reason=p.reason.value)
        return await self._queue(event.event_id, await self.declarations.latest_of(p.subject_id),
                                 facts)

    async def released(self, event: Envelope[QuarantineReleased]) -> int:
        p = event.payload
        if self._stale(event.occurred_at, event.event_id, event.type):
            return 0
        facts = Facts(Kind.quarantine_released, on=vn_day(p.at), early=p.early)
        return await self._queue(event.event_id, await self.declarations.latest_of(p.subject_id),
                                 facts)

    async def followups_due(self, now: datetime) -> int:
        """Queue today's reminder for every quarantine in force today (once a day each)."""
        local = now.astimezone(VN_TZ)
        if local.hour < self.settings.followup_hour:
            return 0
        today = local.date()
        self._reminded = {cause for cause in self._reminded if cause.endswith(today.isoformat())}
        queued = 0
        async for person in self.quarantines.quarantined_on(today):
            for order in person.orders:
                cause = f"followup:{order.ref}:{today.isoformat()}"
                facts = _reminder(order, today)
                if facts is None or cause in self._reminded:
                    continue
                queued += await self._queue(
                    cause, await self.declarations.latest_of(person.subject_id), facts)
                self._reminded.add(cause)
        return queued

    def _stale(self, occurred_at: datetime, event_id: str, event_type: str) -> bool:
        """An event this old sends nothing (a replay of the log)."""
        if rules.too_old(occurred_at, utcnow(),
                         timedelta(hours=self.settings.notices_max_event_age_h)):
            log.info("notice: event too old, nothing sent", extra=log_fields(
                event_id=event_id, type=event_type))
            return True
        return False

    async def _queue(self, cause: str, declaration: Declaration | None, facts: Facts) -> int:
        contact = await self._contact(declaration) if declaration is not None else None
        if contact is None:
            log.info("notice: nowhere to send", extra=log_fields(
                cause=cause, kind=facts.kind.value,
                declaration_id=declaration and declaration.declaration_id))
            return 0
        text = render(replace(facts, given_name=contact.given_name,
                              link=rules.card_link(self.settings.declaration_url,
                                                   contact.declaration_id)), contact.language)
        now = utcnow()
        notices = [NewNotice(
            notice_id=rules.notice_id(cause, contact.subject_id, channel), cause=cause,
            kind=facts.kind.value, channel=channel, subject_id=contact.subject_id,
            declaration_id=contact.declaration_id, language=contact.language, to=address,
            subject=text.subject if channel == rules.EMAIL else None,
            text=text.body if channel == rules.EMAIL else text.sms, created_at=now)
            for channel, address in contact.addresses.items() if channel in self.channels]
        queued = await self.store.enqueue(notices)
        if queued:
            self.wake()
        return queued

    async def _contact(self, declaration: Declaration) -> rules.Contact | None:
        submitter = None
        if declaration.submitted_with:
            submitter = await self.declarations.get(declaration.submitted_with)
        return rules.contact_of(declaration, submitter)


def _reminder(order: QuarantineOrder, today: date) -> Facts | None:
    if not order.in_force(today) or order.start is None or order.end is None:
        return None  # over, released, or a release whose order has not arrived
    start, end = order.start, order.end
    return Facts(Kind.followup_due, day=day_number(start, today), days=(end - start).days,
                 on=today, last_day=end - timedelta(days=1))
