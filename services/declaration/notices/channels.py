"""How messages leave: e-mail over SMTP, SMS through a gateway.

Each channel sends a batch and answers one `Outcome` per message. An outcome's error names
the failure (exception class, SMTP code), never the address or the text, so that it can be
logged and stored. E-mail goes through any SMTP server (aiosmtplib: one connection per
batch, STARTTLS or TLS and a login as configured). SMS has one implementation here, the
development sink (a JSON-lines file a developer and the tests read); an operator's SMS
provider is another `Gateway` with `channel = "sms"`.
"""

from __future__ import annotations

import asyncio
import json
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path

import aiosmtplib

from libs.contracts.envelope import utcnow
from services.declaration.notices.domain import rules
from services.declaration.notices.domain.records import SENT, Outcome, Outgoing
from services.declaration.notices.service.ports import Gateway
from services.declaration.notices.settings import NoticeSettings


def _failure(error: BaseException, permanent: bool = False) -> Outcome:
    code = getattr(error, "code", None)
    return Outcome(False, permanent, type(error).__name__ + (f" {code}" if code else ""))


class SmtpMail:
    channel = rules.EMAIL

    def __init__(self, settings: NoticeSettings) -> None:
        self.settings = settings
        self.sender = settings.mail_from
        self.domain = parseaddr(self.sender)[1].rpartition("@")[2] or "khaibao.local"

    def _client(self) -> aiosmtplib.SMTP:
        s = self.settings
        return aiosmtplib.SMTP(
            hostname=s.smtp_host, port=s.smtp_port, timeout=s.smtp_timeout_s,
            use_tls=s.smtp_tls == "tls", start_tls=s.smtp_tls == "starttls",
            username=s.smtp_user,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None)

    def message(self, item: Outgoing) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = item.to
        message["Subject"] = item.subject or ""
        message["Date"] = formatdate(utcnow().timestamp(), usegmt=True)
        message["Message-ID"] = rules.message_id(item.notice_id, self.domain)
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to it
        message.set_content(item.text)  # before Content-Language: it resets Content-* headers
        message["Content-Language"] = item.language or "vi, en"
        return message

    async def send(self, batch: list[Outgoing]) -> list[Outcome]:
        smtp = self._client()
        try:
            await smtp.connect()
        except (aiosmtplib.SMTPException, OSError) as error:
            return [_failure(error)] * len(batch)
        outcomes: list[Outcome] = []
        try:
            for item in batch:
                try:
                    await smtp.send_message(self.message(item))
                    outcomes.append(SENT)
                except (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPSenderRefused,
                        aiosmtplib.SMTPDataError) as error:
                    # The server answered; a 5xx will not change by asking again.
                    outcomes.append(_failure(error, permanent=_permanent(error)))
                except (aiosmtplib.SMTPException, OSError) as error:
                    # The connection is gone: this one and the rest wait for the next pass.
                    outcomes += [_failure(error)] * (len(batch) - len(outcomes))
                    return outcomes
        finally:
            if smtp.is_connected:
                try:
                    await smtp.quit()
                except (aiosmtplib.SMTPException, OSError):
                    smtp.close()
        return outcomes


def _permanent(error: aiosmtplib.SMTPException) -> bool:
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return all(refused.code >= 500 for refused in error.recipients)
    return getattr(error, "code", 0) >= 500


class SmsSink:
    """The development SMS gateway: appends each message as a JSON line to a file."""

    channel = rules.SMS

    def __init__(self, path: Path) -> None:
        self.path = path

    async def send(self, batch: list[Outgoing]) -> list[Outcome]:
        at = utcnow().isoformat()
        lines = "".join(json.dumps({"at": at, "id": item.notice_id, "to": item.to,
                                    "text": item.text}, ensure_ascii=False) + "\n"
                        for item in batch)
        try:
            await asyncio.to_thread(self._append, lines)
        except OSError as error:
            return [_failure(error)] * len(batch)
        return [SENT] * len(batch)

    def _append(self, lines: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:  # one write: whole lines
            out.write(lines)


def gateways(settings: NoticeSettings) -> dict[str, Gateway]:
    """The channels this deployment sends on: e-mail always, SMS where a gateway is set."""
    found: dict[str, Gateway] = {rules.EMAIL: SmtpMail(settings)}
    if settings.sms_sink_file is not None:
        found[rules.SMS] = SmsSink(settings.sms_sink_file)
    return found
