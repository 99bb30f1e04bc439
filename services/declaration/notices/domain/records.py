"""The typed records of messages to citizens: a message queued, a message claimed to send,
what a channel answered, and what became of the message (the store keeps each)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, kw_only=True)
class NewNotice:
    """A message to queue, under a key made of its cause, person and channel
    (rules.notice_id): queued again, it is the same message."""

    notice_id: str
    cause: str
    kind: str
    channel: str
    subject_id: str
    declaration_id: str
    language: str | None
    to: str
    subject: str | None
    text: str
    created_at: datetime


@dataclass(frozen=True)
class Outgoing:
    """What a channel sends: no more than the message."""

    notice_id: str
    to: str
    subject: str | None
    text: str
    language: str | None


@dataclass(frozen=True, kw_only=True)
class Notice:
    """A message claimed to send now (a lease keeps other senders off it)."""

    notice_id: str
    kind: str
    channel: str
    declaration_id: str
    attempts: int  # made before this one
    outgoing: Outgoing


@dataclass(frozen=True)
class Outcome:
    """A channel's answer for one message."""

    ok: bool
    permanent: bool = False  # no point trying again (e.g. the server refused the address)
    error: str | None = None


SENT = Outcome(ok=True)


@dataclass(frozen=True)
class Delivered:
    notice_id: str
    at: datetime
    attempts: int
    to_hint: str  # the address masked: what the record keeps of it


@dataclass(frozen=True)
class GaveUp:
    notice_id: str
    at: datetime
    attempts: int
    error: str | None
    to_hint: str


@dataclass(frozen=True)
class TryAgain:
    notice_id: str
    attempts: int
    error: str | None
    due_at: datetime


# What became of an attempt: sent or given up (address and text then go), or tried again later.
Result = Delivered | GaveUp | TryAgain
