"""Messages to citizens: e-mail and SMS when their declaration is rejected, when they may be
a contact of a case, when a quarantine is ordered or released, and each quarantine day.

A part of the declaration service because it is the only service that holds a person's
phone and e-mail (DESIGN.md §5: the others know pseudonyms only); the events that cause a
message all reach it already. In the service's own layout: `service/triggers` decides what
to send and queues it, `service/sending` sends, `store/` is the queue and the record of what
was sent, `channels` are the ways out, `domain/` the rules and the words (Vietnamese and
English). docs/declaration.md, "Messages to citizens".
"""

from __future__ import annotations

from dataclasses import dataclass

from libs.contracts.envelope import utcnow
from libs.runtime.http import Hook
from libs.runtime.jobs import every
from services.declaration.notices.channels import gateways
from services.declaration.notices.service.sending import NoticeWorker
from services.declaration.notices.service.triggers import Notices
from services.declaration.notices.settings import NoticeSettings
from services.declaration.notices.store.notices import NoticeStore
from services.declaration.service.ports import DeclarationReader, QuarantineReader


@dataclass
class Messaging:
    settings: NoticeSettings
    store: NoticeStore
    worker: NoticeWorker
    notices: Notices

    @property
    def on(self) -> bool:
        return self.settings.notices_on

    def background(self) -> list[Hook]:
        if not self.on:
            return []
        reminders = every(self.settings.followup_interval_s,
                          lambda: self.notices.followups_due(utcnow()), "follow-up reminders queued")
        return [self.worker.run, reminders]


def build(settings: NoticeSettings, store: NoticeStore, declarations: DeclarationReader,
          quarantines: QuarantineReader) -> Messaging:
    ways_out = gateways(settings)
    worker = NoticeWorker(store, ways_out, settings)
    return Messaging(settings, store, worker, Notices(declarations, quarantines, store,
                                                      settings, set(ways_out), worker.wake))
