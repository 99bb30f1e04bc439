"""Webhook rules: signatures, backoff, what a subscription URL may be. Pure.

The receiver checks `X-Khaibao-Signature: sha256=<hex>` =
HMAC-SHA256(secret, "<X-Khaibao-Timestamp>.<raw body>"); binding the timestamp
into the signature lets it refuse replays of old deliveries.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

import httpx

SIGNATURE_HEADER = "X-Khaibao-Signature"
TIMESTAMP_HEADER = "X-Khaibao-Timestamp"
DELIVERY_HEADER = "X-Khaibao-Delivery"
ATTEMPT_HEADER = "X-Khaibao-Attempt"
EVENT_HEADER = "X-Khaibao-Event"
MAX_URL_LENGTH = 2048


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: int, body: bytes, header: str) -> bool:
    return hmac.compare_digest(signature(secret, timestamp, body), header)


def backoff_s(failed_attempts: int, base_s: float, max_s: float) -> float:
    """Wait before the next try after `failed_attempts` failures: base, 2·base, 4·base, … capped."""
    return float(min(base_s * 2 ** max(failed_attempts - 1, 0), max_s))


def url_problem(url: str, require_https: bool) -> str | None:
    """Why a subscription URL is refused (English), or None when it is acceptable."""
    if len(url) > MAX_URL_LENGTH:
        return f"the URL is longer than {MAX_URL_LENGTH} characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 — raises ValueError on a bad port
        httpx.URL(url)  # what the worker will send to must parse there too
    except (ValueError, httpx.InvalidURL):
        return "the URL cannot be parsed"
    allowed = ("https",) if require_https else ("http", "https")
    if parts.scheme not in allowed:
        return f"the URL must start with {' or '.join(s + '://' for s in allowed)}"
    if not parts.hostname:
        return "the URL has no host"
    if parts.username or parts.password:
        return "credentials in the URL are not allowed; use the signature to authenticate"
    if parts.fragment:
        return "the URL may not have a #fragment"
    return None
