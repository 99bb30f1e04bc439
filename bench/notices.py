"""Messages to citizens through the real SMTP server, with a bare SMTP client as baseline.

    .venv/bin/python -m bench.notices [--people 300]

The development mail server runs as its own process (deploy/local/mailsink.py, as `make run`
starts it) on a lent port, keeping each message as a file; the declaration service runs
in-process on the real Kafka and store, with notices on.

1. Events → messages: N people's declarations (phone and e-mail) are in the service's
   store; N `quarantine.ordered` events go on a fresh topic. Timed from the first publish
   until the server has kept all N e-mails (and the sink holds the N SMS): consuming,
   rendering, queueing, sending.
2. The sender alone: N e-mails queued in the store at once, timed until all are kept.
3. Baseline: bare aiosmtplib, one connection, N messages of the same size, one after another.

Prints a Markdown table (bench.common). Uses its own topics, database and folders and
removes them.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import smtplib
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import aiosmtplib
from aiokafka import AIOKafkaProducer
from asgi_lifespan import LifespanManager
from pymongo import AsyncMongoClient

from bench.common import Row, markdown_table
from deploy.local.procs import free_port
from libs.contracts.envelope import Envelope, utcnow
from libs.contracts.events.trace import QuarantineOrdered, QuarantinePlace, QuarantineReason
from libs.contracts.topics import QUARANTINE_ORDERED, Topics
from libs.contracts.vietnam_time import vn_today
from libs.runtime.mongo import Document
from libs.runtime.topics_admin import delete_topics, ensure_topics
from services.declaration.app import build
from services.declaration.notices.domain import rules
from services.declaration.notices.domain.records import NewNotice
from services.declaration.notices.store.notices import NoticeStore
from services.declaration.settings import Settings
from services.declaration.store.declarations import DeclarationStore
from tests.support.notification_kit import declaration

LIMIT_S = 300.0


@contextmanager
def mail_server(folder: Path) -> Iterator[int]:
    """The development SMTP server as a process, on a lent port."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "deploy.local.mailsink", "serve",
                             "--port", str(port), "--dir", str(folder)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=1) as smtp:
                    smtp.noop()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the mail server did not start") from None
                time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def kept(folder: Path) -> int:
    return sum(1 for p in folder.iterdir() if p.suffix == ".eml") if folder.exists() else 0


async def until_kept(folder: Path, n: int) -> None:
    deadline = time.monotonic() + LIMIT_S
    while kept(folder) < n:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{kept(folder)} of {n} e-mails kept in {LIMIT_S:.0f} s")
        await asyncio.sleep(0.05)


async def events_to_messages(settings: Settings, folder: Path, n: int) -> float:
    people = [declaration(f"0010{i:08d}") for i in range(n + 1)]
    people = [Envelope.wrap(p.payload.model_copy(update={"person": p.payload.person.model_copy(
        update={"phone": f"09{i:08d}", "email": f"p{i}@example.vn"})}), producer="bench")
        for i, p in enumerate(people)]
    today = vn_today()
    orders = [Envelope.wrap(QuarantineOrdered(
        quarantine_id=f"q-{i}", subject_id=p.payload.subject_id, start=today,
        end=today + timedelta(days=14), place=QuarantinePlace.home,
        reason=QuarantineReason.contact), producer="bench") for i, p in enumerate(people)]
    async with LifespanManager(build(settings), startup_timeout=120), \
            AsyncMongoClient[Document](settings.mongo_url, tz_aware=True) as client:
        await DeclarationStore(client[settings.mongo_db]).add(people)
        producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all",
                                    linger_ms=2)
        await producer.start()
        topic = Topics(settings.topic_prefix)(QUARANTINE_ORDERED)

        async def send(batch: list[Envelope[QuarantineOrdered]]) -> None:
            await asyncio.gather(*[await producer.send(topic, o.to_bytes(),
                                                       key=o.payload.subject_id.encode())
                                   for o in batch])

        try:
            # One first, so the consumer has joined its group before the clock starts.
            await send(orders[:1])
            await until_kept(folder, 1)
            started = time.perf_counter()
            await send(orders[1:])
            await until_kept(folder, n + 1)
            return time.perf_counter() - started
        finally:
            await producer.stop()


async def sender_alone(settings: Settings, folder: Path, n: int) -> float:
    before = kept(folder)
    async with LifespanManager(build(settings), startup_timeout=120), \
            AsyncMongoClient[Document](settings.mongo_url, tz_aware=True) as client:
        store, now = NoticeStore(client[settings.mongo_db]), utcnow()
        notices = [NewNotice(notice_id=rules.notice_id(f"bench-{i}", "s" * 16, rules.EMAIL),
                             cause=f"bench-{i}", kind="contact", channel=rules.EMAIL,
                             subject_id="s" * 64, declaration_id="d", language=None,
                             to=f"p{i}@example.vn", subject=SUBJECT, text=BODY, created_at=now)
                   for i in range(n)]
        started = time.perf_counter()
        await store.enqueue(notices)
        await until_kept(folder, before + n)
        return time.perf_counter() - started


SUBJECT = "Bạn có thể đã tiếp xúc gần với người mắc COVID-19 / You may have been in contact"
BODY = "Chào An,\n\n" + "Hãy tự theo dõi sức khoẻ trong 14 ngày. " * 30


async def bare_smtp(port: int, n: int) -> float:
    from email.message import EmailMessage

    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
    await smtp.connect()
    started = time.perf_counter()
    for i in range(n):
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "b@khaibao.local", f"p{i}@x.vn", SUBJECT
        message.set_content(BODY)
        await smtp.send_message(message)
    elapsed = time.perf_counter() - started
    await smtp.quit()
    return elapsed


def _settings(prefix: str, port: int, sms: Path) -> Settings:
    return Settings(topic_prefix=prefix, env="test").model_copy(update={
        "mongo_db": f"{prefix.rstrip('.')}_declaration", "outbox_poll_s": 0.5,
        "notices_enabled": True, "smtp_port": port, "sms_sink": sms, "notices_poll_s": 0.2})


async def main(n: int) -> list[Row]:
    run, work = uuid.uuid4().hex[:8], Path(tempfile.mkdtemp(prefix="khaibao-bench-mail-"))
    first, second = f"bench{run}m.", f"bench{run}n."
    names = [*Topics(first).all(), *Topics(second).all()]
    try:
        with mail_server(work / "mail") as port:
            a, b = _settings(first, port, work / "a.jsonl"), _settings(second, port, work / "b.jsonl")
            await ensure_topics(a.kafka_bootstrap, names, partitions=3)
            flow_s = await events_to_messages(a, work / "mail", n)
            sms = len((work / "a.jsonl").read_text().splitlines()) - 1
            sender_s = await sender_alone(b, work / "mail", n)
            bare_s = await bare_smtp(port, n)
    finally:
        await delete_topics(_settings(first, 1, work).kafka_bootstrap, names)
        async with AsyncMongoClient[Document](_settings(first, 1, work).mongo_url) as client:
            for prefix in (first, second):
                await client.drop_database(f"{prefix.rstrip('.')}_declaration")
        shutil.rmtree(work, ignore_errors=True)
    baseline = f"bare aiosmtplib, one connection, {n} sends: {n / bare_s:,.0f} msg/s"
    return [
        Row(f"messages to citizens: quarantine.ordered → e-mail kept by the SMTP server, and "
            f"SMS ({n} people)", f"{n / flow_s:,.0f} e-mails/s + {sms / flow_s:,.0f} SMS/s "
            f"({n} e-mails in {flow_s:.1f} s)", baseline),
        Row(f"messages to citizens: the sender alone, {n} queued e-mails → kept by the SMTP "
            "server", f"{n / sender_s:,.0f} e-mails/s ({sender_s:.1f} s)", baseline),
    ]


async def collect(n: int = 300) -> list[Row]:
    """For bench/run.py."""
    return await main(n)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=300)
    args = parser.parse_args()
    print(markdown_table(asyncio.run(main(args.people))))
