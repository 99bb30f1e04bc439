"""The sender: messages due go out in bounded, leased batches; failures wait and try again.

Each pass claims at most `notices_batch` due messages (a lease, so several replicas never
send one message at the same time), sends them channel by channel, and records each
outcome. A failed attempt (server down, connection lost, a 4xx) is tried again after
base·2^(n-1) seconds (capped); after `notices_max_attempts`, or at once when the server
refused the message for good (5xx), it is marked failed. A down SMTP server therefore
delays messages and loses none. Logged per message: its id, kind, channel, attempts and the
error's name, never the address or the text.

Delivery is once per key as far as this store knows; an SMTP server that accepted a message
whose answer was then lost gets it again at the next attempt, with the same Message-ID.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta

from prometheus_client import Counter

from libs.contracts.envelope import utcnow
from libs.runtime.jobs import honour_cancellation
from libs.runtime.logs import log_fields
from services.declaration.notices.domain import rules
from services.declaration.notices.domain.records import (
    Delivered,
    GaveUp,
    Notice,
    Outcome,
    Result,
    TryAgain,
)
from services.declaration.notices.service.ports import Gateway, NoticeQueue
from services.declaration.notices.settings import NoticeSettings

log = logging.getLogger(__name__)

NOTICES = Counter("khaibao_notices_total", "messages to citizens, by channel and outcome "
                  "(sent, retry, failed)", ["channel", "outcome"])
CHANNEL_OFF = Outcome(False, permanent=True, error="channel_not_configured")


class NoticeWorker:
    def __init__(self, store: NoticeQueue, gateways: dict[str, Gateway],
                 settings: NoticeSettings) -> None:
        self.store = store
        self.gateways = gateways
        self.settings = settings
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        s = self.settings
        log.info("messages to citizens: on", extra=log_fields(
            email=f"{s.smtp_host}:{s.smtp_port} tls={s.smtp_tls}",
            sms=str(s.sms_sink_file) if rules.SMS in self.gateways else "no gateway"))
        while True:
            honour_cancellation()
            try:
                while await self.send_once() >= self.settings.notices_batch:
                    pass  # a full batch: more may be due
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("notice pass failed; retrying")  # leases run out, all is retried
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.notices_poll_s)
            self._wake.clear()

    async def send_once(self) -> int:
        """Send what is due now; return how many messages were due."""
        now = utcnow()
        due = await self.store.due(now, self.settings.notices_batch)
        lease = timedelta(seconds=self.settings.notices_lease_s)
        claimed = await self.store.claim(due, now, lease) if due else []
        by_channel = {channel: [notice for notice in claimed if notice.channel == channel]
                      for channel in rules.CHANNELS}
        batches = [(notices, self._send(channel, notices))
                   for channel, notices in by_channel.items() if notices]
        answers = await asyncio.gather(*(sending for _, sending in batches))
        results = [self._result(notice, outcome, utcnow())
                   for (notices, _), sent in zip(batches, answers, strict=True)
                   for notice, outcome in zip(notices, sent, strict=True)]
        await self.store.record(results)
        return len(due)

    async def _send(self, channel: str, notices: list[Notice]) -> list[Outcome]:
        gateway = self.gateways.get(channel)
        if gateway is None:
            return [CHANNEL_OFF] * len(notices)
        return await gateway.send([notice.outgoing for notice in notices])

    def _result(self, notice: Notice, outcome: Outcome, now: datetime) -> Result:
        attempts = notice.attempts + 1
        about = {"notice": notice.notice_id, "kind": notice.kind, "channel": notice.channel,
                 "declaration_id": notice.declaration_id, "attempts": attempts}
        if outcome.ok:
            NOTICES.labels(notice.channel, "sent").inc()
            log.info("notice sent", extra=log_fields(**about))
            return Delivered(notice.notice_id, now, attempts,
                             rules.mask(notice.channel, notice.outgoing.to))
        if outcome.permanent or attempts >= self.settings.notices_max_attempts:
            NOTICES.labels(notice.channel, "failed").inc()
            log.warning("notice failed", extra=log_fields(**about, error=outcome.error))
            return GaveUp(notice.notice_id, now, attempts, outcome.error,
                          rules.mask(notice.channel, notice.outgoing.to))
        wait = rules.backoff_s(attempts, self.settings.notices_backoff_base_s,
                               self.settings.notices_backoff_max_s)
        NOTICES.labels(notice.channel, "retry").inc()
        log.warning("notice not sent; trying again", extra=log_fields(
            **about, error=outcome.error, retry_in_s=wait))
        return TryAgain(notice.notice_id, attempts, outcome.error,
                        now + timedelta(seconds=wait))
