"""Who a message goes to, under which key, and when it is tried again (pure, no I/O)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.declaration.domain.records import Declaration

EMAIL, SMS = "email", "sms"
CHANNELS = (EMAIL, SMS)
LANGUAGES = ("vi", "en")


@dataclass(frozen=True)
class Contact:
    """Where and how to reach the person of a declaration: no more than a message needs."""

    declaration_id: str
    subject_id: str
    addresses: dict[str, str]  # channel → phone number (E.164) or e-mail address
    given_name: str | None
    language: str | None


def contact_of(declaration: Declaration, submitter: Declaration | None = None) -> Contact | None:
    """The person's own phone and e-mail from their declaration; a dependant declared without
    any is reached through the submitter's (`submitter`: the declaration made with theirs).
    None when there is nowhere to send."""
    person = declaration.declared.person
    phone, email = person.phone, person.email
    if not (phone or email) and submitter is not None:
        other = submitter.declared.person
        phone, email = other.phone, other.email
    addresses = {channel: value for channel, value in ((SMS, sms_number(phone)), (EMAIL, email))
                 if value}
    if not addresses:
        return None
    language = declaration.language
    return Contact(declaration.declaration_id, declaration.subject_id, addresses,
                   given_name(person.full_name, person.nationality),
                   language if language in LANGUAGES else None)


def language_of(accept_language: str | None) -> str | None:
    """The language a citizen's page asked for (it sends `Accept-Language: vi` or `en`, its
    own toggle); None for anything else, so messages go out in both."""
    first = (accept_language or "").split(",")[0].split(";")[0].strip().lower()
    primary = first.split("-")[0]
    return primary if primary in LANGUAGES else None


def given_name(full_name: str, nationality: str) -> str | None:
    """The given name of a Vietnamese name (its last word); none for other names, whose order
    the form does not tell."""
    words = full_name.split()
    return words[-1] if words and nationality == "VN" else None


def sms_number(phone: str | None) -> str | None:
    """A Vietnamese mobile number as SMS gateways take it: 0912345678 → +84912345678."""
    if not phone:
        return None
    digits = "".join(c for c in phone if c.isdigit())
    if phone.startswith("+"):
        return "+" + digits
    return "+84" + digits[1:] if digits.startswith("0") else "+" + digits


def notice_id(cause: str, subject_id: str, channel: str) -> str:
    """One message per cause (an event id, or a reminder's order and day), person and channel:
    the key a redelivery or a second run finds already there."""
    return f"{cause}:{subject_id[:16]}:{channel}"


def message_id(notice: str, domain: str) -> str:
    """The e-mail's Message-ID, the same at every attempt: a receiving system that got an
    attempt whose answer was lost can tell the repeat."""
    return f"<{hashlib.sha256(notice.encode()).hexdigest()[:32]}@{domain}>"


def mask(channel: str, address: str) -> str:
    """What the record keeps of an address once sent: enough to tell which, not to reach it."""
    if channel == EMAIL:
        local, _, domain = address.partition("@")
        return f"{local[:1]}•••@{domain}"
    return "•" * max(len(address) - 3, 0) + address[-3:]


def card_link(base_url: str, declaration_id: str) -> str:
    """The citizen page opens the card of a declaration it keeps (the phone it was made on);
    the link holds no token."""
    return f"{base_url.rstrip('/')}/#d={declaration_id}"


def backoff_s(failed_attempts: int, base_s: float, max_s: float) -> float:
    """Wait before the next try after `failed_attempts` failures: base, 2·base, 4·base, … capped."""
    return float(min(base_s * 2 ** max(failed_attempts - 1, 0), max_s))


def too_old(occurred_at: datetime, now: datetime, max_age: timedelta) -> bool:
    return now - occurred_at > max_age
