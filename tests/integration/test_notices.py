"""Messages to citizens against the real Kafka, store and a real SMTP server.

Each test runs its own SMTP server (deploy/local/mailsink.py, aiosmtpd) on a lent port,
keeping what it receives in the test's folder, and its own SMS sink file; the events
that cause messages are published onto the test's topics as the other services would,
each twice (a redelivery).
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path
from time import monotonic, sleep
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from deploy.local import mailsink
from deploy.local.procs import REPO, Endpoint, free_port
from libs.contracts.envelope import Envelope, utcnow
from libs.contracts.events.identity import IdentityRejected, RejectionReason
from libs.contracts.events.trace import (
    CaseConfirmed,
    QuarantineOrdered,
    QuarantinePlace,
    QuarantineReason,
    QuarantineReleased,
)
from libs.contracts.vietnam_time import VN_TZ, vn_today
from services.declaration.app import build
from tests.conftest import ServerSlice
from tests.support.apps import running
from tests.support.declaration_kit import settings
from tests.support.declaration_samples import child, form
from tests.support.kafka import eventually

NOTICE_LOGGER = "services.declaration.notices.service.sending"
# Quarantine days and the reminder's day are Viet Nam's: `make test-clock` runs it at 20:00 UTC.
pytestmark = pytest.mark.calendar


@dataclass
class Inbox:
    port: int
    mail_dir: Path
    sms_file: Path

    def mail(self) -> list[EmailMessage]:
        return mailsink.mailbox(self.mail_dir)

    def sms(self) -> list[dict[str, Any]]:
        return mailsink.sms_sink(self.sms_file)

    def mail_to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.mail() if m["To"] == address]

    def sms_to(self, number: str) -> list[dict[str, Any]]:
        return [s for s in self.sms() if s["to"] == number]


@pytest.fixture
def inbox(tmp_path: Path) -> Inbox:
    return Inbox(free_port(), tmp_path / "mail", tmp_path / "sms.jsonl")


@asynccontextmanager
async def smtp_server(inbox: Inbox) -> AsyncIterator[None]:
    server = await mailsink.start("127.0.0.1", inbox.port, inbox.mail_dir)
    try:
        yield
    finally:
        server.close()
        await server.wait_closed()


@asynccontextmanager
async def service(env: ServerSlice, inbox: Inbox) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    app = build(settings(env, notices_enabled=True, smtp_port=inbox.port,
                         sms_sink=inbox.sms_file, notices_poll_s=0.2,
                         notices_backoff_base_s=0.2, notices_backoff_max_s=1.0))
    async with running(app) as api:
        yield app, api


async def declare(api: httpx.AsyncClient, national_id: str, phone: str, email: str | None,
                  language: str | None = None, **changes: Any) -> dict[str, Any]:
    headers = {"accept-language": language} if language else {}
    answer = await api.post("/v1/declarations", headers=headers, json=form(
        person__national_id=national_id, person__phone=phone, person__email=email,
        person__date_of_birth="1985-03-14", **changes))
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def subject_of(env: ServerSlice, declaration_id: str) -> str:
    async with AsyncMongoClient[dict[str, Any]](env.servers.mongo_url) as client:
        doc = await client[env.db_name("declaration")]["declarations"].find_one(
            {"_id": declaration_id}, {"subject_id": 1})
    assert doc is not None
    return str(doc["subject_id"])


async def notices(env: ServerSlice) -> list[dict[str, Any]]:
    async with AsyncMongoClient[dict[str, Any]](env.servers.mongo_url, tz_aware=True) as client:
        return await client[env.db_name("declaration")]["notices"].find().to_list()


async def twice(env: ServerSlice, event: Envelope[Any]) -> None:
    """Published, then published again: the second is a redelivery of the same envelope."""
    await env.publish(event)
    await env.publish(event)


async def settled(count: Any, expected: int, settle_s: float = 2.0) -> None:
    """`count()` reaches `expected`, and is still that a moment later (no duplicate)."""
    await eventually(lambda: _at_least(count, expected), timeout_s=60)
    await asyncio.sleep(settle_s)
    assert count() == expected


async def _at_least(count: Any, expected: int) -> bool:
    return bool(count() >= expected)


class Kept(logging.Handler):
    """The sender's log records (on its own logger: the service's start replaces the root's
    handlers, pytest's among them)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def sender_log() -> Iterator[Kept]:
    kept, logger = Kept(), logging.getLogger(NOTICE_LOGGER)
    logger.addHandler(kept)
    try:
        yield kept
    finally:
        logger.removeHandler(kept)


async def test_each_trigger_sends_one_email_and_one_sms_also_when_redelivered(
        env: ServerSlice, inbox: Inbox, sender_log: Kept) -> None:
    async with smtp_server(inbox), service(env, inbox) as (app, api):
        rejected = await declare(api, "001085012360", "0912000001", "rejected@example.vn")
        family = await declare(api, "001085012361", "0912000002", None,
                               dependants=[child()])
        contact = await declare(api, "001085012362", "0912000003", "contact@example.vn")
        quarantined = await declare(api, "001085012363", "0912000004", "q@example.vn",
                                    language="en")
        kid = family["dependants"][0]
        ids = {name: await subject_of(env, d["declaration_id"]) for name, d in [
            ("rejected", rejected), ("kid", kid), ("contact", contact),
            ("quarantined", quarantined)]}

        await twice(env, Envelope.wrap(IdentityRejected(
            declaration_id=rejected["declaration_id"], subject_id=ids["rejected"],
            reasons=[RejectionReason.name_mismatch, RejectionReason.dob_mismatch]),
            producer="identity-verification"))
        await twice(env, Envelope.wrap(IdentityRejected(
            declaration_id=kid["declaration_id"], subject_id=ids["kid"],
            reasons=[RejectionReason.not_found]), producer="identity-verification"))
        await twice(env, Envelope.wrap(CaseConfirmed(
            subject_id="c" * 64, positive_test_date=vn_today(), confirmed_by="epi",
            case_id="case-notice", contacts=[ids["contact"]]), producer="movement-trace"))
        today = vn_today()
        order = QuarantineOrdered(
            quarantine_id="q-notice", subject_id=ids["quarantined"], start=today,
            end=today + timedelta(days=14), place=QuarantinePlace.home,
            reason=QuarantineReason.contact, ward_code="26506")
        await twice(env, Envelope.wrap(order, producer="movement-trace"))
        await settled(lambda: len(inbox.mail()), 3)
        await settled(lambda: len(inbox.sms()), 4)

        # Follow-up due: the daily job, run twice (and once more after a restart of its memory).
        nine = datetime.combine(today, time(9), VN_TZ)
        reminders = app.state.messaging.notices
        assert await reminders.followups_due(nine) == 2
        assert await reminders.followups_due(nine) == 0
        reminders._reminded.clear()
        assert await reminders.followups_due(nine) == 0
        await settled(lambda: len(inbox.mail_to("q@example.vn")), 2)

        await twice(env, Envelope.wrap(QuarantineReleased(
            quarantine_id="q-notice", subject_id=ids["quarantined"], at=utcnow(), early=True,
            released_by="epi"), producer="movement-trace"))
        await settled(lambda: len(inbox.mail()), 5)
        await settled(lambda: len(inbox.sms()), 6)

    [to_fix] = inbox.mail_to("rejected@example.vn")
    body = mailsink.text_of(to_fix)
    assert to_fix["Subject"].startswith("Tờ khai y tế chưa được xác minh / ")
    assert "Chào An," in body and "Hello An," in body  # unknown language: both
    assert "Họ tên không khớp" in body and "The date of birth does not match" in body
    assert f"/#d={rejected['declaration_id']}" in body
    [sms] = inbox.sms_to("+84912000001")
    assert "họ tên không khớp" in sms["text"] and "date of birth does not match" in sms["text"]
    # The child has no phone of their own: the parent's gets it, about the child.
    [for_kid] = inbox.sms_to("+84912000002")
    assert "không tìm thấy số giấy tờ" in for_kid["text"]
    [f1] = inbox.mail_to("contact@example.vn")
    assert "tiếp xúc gần" in mailsink.text_of(f1) and "c" * 64 not in mailsink.text_of(f1)
    assert len(inbox.sms_to("+84912000003")) == 1
    ordered, reminder, released = inbox.mail_to("q@example.vn")
    assert ordered["Subject"].startswith("Quarantine from ") and "Chào" not in str(ordered)
    assert ordered["Content-Language"] == "en"
    assert reminder["Subject"] == "Quarantine day 1 of 14: today's health check"
    assert released["Subject"] == "Your quarantine has ended"
    assert len(inbox.sms_to("+84912000004")) == 3
    assert len({m["Message-ID"] for m in inbox.mail()}) == 5
    for message in inbox.mail():  # no ID number, no full name, no pseudonym in any of them
        text = str(message)
        assert "0010850123" not in text and "Nguyễn Văn An" not in text
        assert not any(subject in text for subject in ids.values())
    records = await notices(env)
    assert {r["state"] for r in records} == {"sent"} and len(records) == 11
    assert not any("text" in r or "to" in r for r in records)  # dropped once sent
    logged = sender_log.records
    assert len([r for r in logged if r.getMessage() == "notice sent"]) == 11
    for record in logged:
        assert "example.vn" not in str(record.__dict__) and "+8491" not in str(record.__dict__)


async def test_a_stale_or_superseded_event_sends_nothing(env: ServerSlice, inbox: Inbox) -> None:
    async with smtp_server(inbox), service(env, inbox) as (_, api):
        old = await declare(api, "001085012364", "0912000005", "old@example.vn")
        superseded = await declare(api, "001085012365", "0912000006", "sup@example.vn")
        sent = await declare(api, "001085012366", "0912000007", "sent@example.vn")
        subjects = [await subject_of(env, d["declaration_id"]) for d in (old, superseded, sent)]
        three_days_ago = utcnow() - timedelta(days=3)
        await env.publish(Envelope.wrap(IdentityRejected(
            declaration_id=old["declaration_id"], subject_id=subjects[0],
            reasons=[RejectionReason.id_format]), producer="identity-verification",
            occurred_at=three_days_ago))
        # A later verdict is already stored when an earlier rejection arrives late.
        later = Envelope.wrap(IdentityRejected(
            declaration_id=superseded["declaration_id"], subject_id=subjects[1],
            reasons=[RejectionReason.gender_mismatch]), producer="identity-verification")
        earlier = Envelope.wrap(IdentityRejected(
            declaration_id=superseded["declaration_id"], subject_id=subjects[1],
            reasons=[RejectionReason.name_mismatch]), producer="identity-verification",
            occurred_at=later.occurred_at - timedelta(minutes=1))
        await env.publish(later, earlier)
        await env.publish(Envelope.wrap(IdentityRejected(
            declaration_id=sent["declaration_id"], subject_id=subjects[2],
            reasons=[RejectionReason.revoked]), producer="identity-verification"))
        await settled(lambda: len(inbox.mail()), 2)
    assert sorted(m["To"] for m in inbox.mail()) == ["sent@example.vn", "sup@example.vn"]
    assert "giới tính không khớp" in mailsink.text_of(inbox.mail_to("sup@example.vn")[0]).lower()


async def test_a_down_smtp_server_delays_messages_and_loses_none(
        env: ServerSlice, inbox: Inbox) -> None:
    async with service(env, inbox) as (app, api):  # nothing listens on the SMTP port yet
        people = [await declare(api, f"00108501237{i}", f"091200001{i}", f"p{i}@example.vn")
                  for i in range(3)]
        for person in people:
            subject = await subject_of(env, person["declaration_id"])
            await env.publish(Envelope.wrap(IdentityRejected(
                declaration_id=person["declaration_id"], subject_id=subject,
                reasons=[RejectionReason.name_mismatch]), producer="identity-verification"))
        await settled(lambda: len(inbox.sms()), 3, settle_s=0)  # SMS is not held up

        async def retried() -> bool:
            mail = [r for r in await notices(env) if r["channel"] == "email"]
            return len(mail) == 3 and all(r["state"] == "pending" and r["attempts"] >= 2
                                          and r["last_error"] for r in mail)

        await eventually(retried, timeout_s=60)
        assert inbox.mail() == []
        async with smtp_server(inbox):  # the server comes back on its port
            await settled(lambda: len(inbox.mail()), 3)
        assert sorted(m["To"] for m in inbox.mail()) == [f"p{i}@example.vn" for i in range(3)]
        records = await notices(env)
        assert [r["state"] for r in records] == ["sent"] * 6
        # Retention: the records go the window after they were queued.
        purged = await app.state.purge(utcnow() + timedelta(days=30))
        assert purged["notices"] == 6 and await notices(env) == []


def test_the_development_mail_server_runs_as_a_process_and_keeps_each_message(
        tmp_path: Path) -> None:
    """What `make stack-up` starts (deploy/local/stack.py): a real SMTP server whose files
    `make inbox` reads."""
    port, folder = free_port(), tmp_path / "mail"
    server = subprocess.Popen([sys.executable, "-m", "deploy.local.mailsink", "serve",
                               "--port", str(port), "--dir", str(folder)], cwd=REPO)
    try:
        sink = mailsink.MailSink()
        sink.endpoint = Endpoint("127.0.0.1", port)
        deadline = monotonic() + 30
        while not sink.ready():
            assert monotonic() < deadline and server.poll() is None, "not ready"
            sleep(0.1)
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "a@khaibao.local", "b@x.vn", "Chào"
        message.set_content("Tờ khai y tế của bạn chưa được xác minh.")
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.send_message(message)
    finally:
        server.terminate()
        assert server.wait(timeout=20) == 0
    [kept] = mailsink.mailbox(folder)
    assert (kept["Subject"], kept["X-Envelope-To"]) == ("Chào", "b@x.vn")
    assert mailsink.text_of(kept).strip() == "Tờ khai y tế của bạn chưa được xác minh."
