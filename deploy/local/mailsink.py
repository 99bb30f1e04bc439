"""The development mail server, and the development inboxes: what the services sent citizens.

    python -m deploy.local.mailsink serve --port 1025 --dir .state/mail
    python -m deploy.local.mailsink show [--last 10]      # the latest e-mails and SMS

`serve` is a real SMTP server (aiosmtpd, from PyPI, in the dev extras) on 127.0.0.1 that
accepts every message and keeps it, as received, in a file of its own: `<dir>/<time>-<id>.eml`
(the envelope's sender and recipients as `X-Envelope-From` / `X-Envelope-To` headers on top).
It relays nothing anywhere. `make stack-up` and `make run` start it (deploy/local/stack.py);
the tests start one of their own per test, on a lent port and a temporary folder.

The SMS sink is a file, not a server: the declaration service appends one JSON line per
message to `.state/sms/sms.jsonl` (services/declaration/notices/channels.py). `show` prints
the latest of both.
"""

from __future__ import annotations

import argparse
import asyncio
import email.policy
import json
import logging
import os
import signal
import sys
import time
import uuid
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from deploy.local.procs import STATE, Endpoint, ProcessSlot, fail, port_answers

MAIL_DIR = STATE / "mail"
SMS_FILE = STATE / "sms" / "sms.jsonl"
DEFAULT_PORT = 1025


def smtp_endpoint() -> tuple[str, int]:
    """Where the development server listens: the declaration service's SMTP settings."""
    return (os.environ.get("DECLARATION_SMTP_HOST", "127.0.0.1"),
            int(os.environ.get("DECLARATION_SMTP_PORT", DEFAULT_PORT)))


class MailSink:
    """The development SMTP server as a process of the local stack (deploy/local/stack.py)."""

    name = "smtp"

    def __init__(self) -> None:
        self.endpoint = Endpoint(*smtp_endpoint())
        self.slot = ProcessSlot("mailsink")

    def prepare(self) -> None:
        try:
            import aiosmtpd  # noqa: F401
        except ImportError:
            fail("aiosmtpd is missing: `make install` puts it in .venv (the dev extras).")

    def start(self) -> None:
        self.slot.spawn([sys.executable, "-m", "deploy.local.mailsink", "serve",
                         "--host", self.endpoint.host, "--port", str(self.endpoint.port),
                         "--dir", str(MAIL_DIR)])

    def ready(self) -> bool:
        if not port_answers(self.endpoint):
            return False
        import smtplib

        try:
            with smtplib.SMTP(self.endpoint.host, self.endpoint.port, timeout=2) as smtp:
                return smtp.noop()[0] == 250
        except (OSError, smtplib.SMTPException):
            return False


class Keep:
    """aiosmtpd handler: every message to a file of its own, written whole then renamed, so a
    reader never sees half a message."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
        head = (f"X-Envelope-From: {envelope.mail_from}\r\n"
                f"X-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n").encode()
        content = envelope.original_content or envelope.content
        partial = self.folder / f".{name}.part"
        partial.write_bytes(head + content)
        partial.rename(self.folder / name)
        return "250 OK: kept"


async def start(host: str, port: int, folder: Path) -> asyncio.Server:
    """A running SMTP server keeping what it receives in `folder` (close() stops it)."""
    from aiosmtpd.smtp import SMTP

    # aiosmtpd logs every command with the addresses at INFO: not in a test's or service's log.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    handler = Keep(folder)
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: SMTP(handler, enable_SMTPUTF8=True, hostname="khaibao-mailsink"), host, port)


async def serve(host: str, port: int, folder: Path) -> None:
    server = await start(host, port, folder)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"mailsink: SMTP on {host}:{port}, keeping messages in {folder}", flush=True)
    async with server:
        await stop.wait()


def mailbox(folder: Path = MAIL_DIR) -> list[EmailMessage]:
    """Every message kept in `folder`, oldest first."""
    if not folder.exists():
        return []
    files = sorted(p for p in folder.glob("*.eml"))
    parser = BytesParser(policy=email.policy.default)
    return [parser.parsebytes(p.read_bytes()) for p in files]


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    return str(body.get_content()) if body is not None else ""


def sms_sink(path: Path = SMS_FILE) -> list[dict[str, Any]]:
    """Every SMS the sink holds, oldest first."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def show(last: int, folder: Path = MAIL_DIR, sms: Path = SMS_FILE) -> None:
    messages = mailbox(folder)[-last:]
    print(f"E-mail ({folder}, {len(mailbox(folder))} in all; the last {len(messages)}):")
    for message in messages:
        print(f"\n--- {message['Date']}  to {message['To']}\n{message['Subject']}\n")
        print(text_of(message).rstrip())
    texts = sms_sink(sms)[-last:]
    print(f"\n\nSMS ({sms}, {len(sms_sink(sms))} in all; the last {len(texts)}):")
    for item in texts:
        print(f"\n--- {item['at']}  to {item['to']}\n{item['text']}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serving = commands.add_parser("serve", help="run the SMTP server")
    host, port = smtp_endpoint()
    serving.add_argument("--host", default=host)
    serving.add_argument("--port", type=int, default=port)
    serving.add_argument("--dir", type=Path, default=MAIL_DIR)
    showing = commands.add_parser("show", help="print the latest e-mails and SMS")
    showing.add_argument("--last", type=int, default=10)
    showing.add_argument("--dir", type=Path, default=MAIL_DIR)
    showing.add_argument("--sms", type=Path, default=SMS_FILE)
    args = parser.parse_args(argv[1:])
    if args.command == "serve":
        asyncio.run(serve(args.host, args.port, args.dir))
    else:
        show(args.last, args.dir, args.sms)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
