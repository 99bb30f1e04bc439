"""Webhook rules: signatures, backoff, what a subscription URL and the addresses it
reaches may be. Pure (the resolving and connecting is service/webhook_addresses.py's).

The receiver checks `X-Khaibao-Signature: sha256=<hex>` =
HMAC-SHA256(secret, "<X-Khaibao-Timestamp>.<raw body>"); binding the timestamp
into the signature lets it refuse replays of old deliveries.

A webhook is a request the service makes to an address a ward official chose, so it
may only reach public addresses: not loopback, private, link-local (cloud metadata at
169.254.169.254), multicast, reserved or shared ranges, nor those written inside an
IPv6 address (IPv4-mapped, 6to4, Teredo, NAT64), unless the operator allow-lists the
host (`webhook_allowed_hosts`).
"""

from __future__ import annotations

import hashlib
import hmac
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel

from services.ward_notification.domain.records import StoredNotification

SIGNATURE_HEADER = "X-Khaibao-Signature"
TIMESTAMP_HEADER = "X-Khaibao-Timestamp"
DELIVERY_HEADER = "X-Khaibao-Delivery"
ATTEMPT_HEADER = "X-Khaibao-Attempt"
EVENT_HEADER = "X-Khaibao-Event"
MAX_URL_LENGTH = 2048
# The URLs a subscription may name, as the OpenAPI document writes them: http(s), a host
# name or IPv4 address, a port, a path and a query of URL characters (percent-escaped
# otherwise); no credentials, no fragment. `url_problem` takes every one of them (and a few
# more, e.g. IPv6 literals); whether the host is public is the DNS's to say.
_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PORT = "(?:[0-9]|[1-9][0-9]{1,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
_PCHAR = "(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})"
URL_PATTERN = (f"^https?://{_LABEL}(?:\\.{_LABEL})*(?::{_PORT})?(?:/{_PCHAR}*)*"
               f"(?:\\?(?:{_PCHAR}|[/?])*)?$")
REFUSED = "address_refused"  # how a refused delivery attempt's error starts

IPAddress = IPv4Address | IPv6Address
# Metadata services on addresses `is_global` does not catch (Azure's wire server is public
# address space; AWS's IPv6 one is unique-local, caught anyway, listed to say why).
METADATA = frozenset({ip_address("168.63.129.16"), ip_address("fd00:ec2::254")})
_NAT64 = IPv6Network("64:ff9b::/96")
_SHARED = IPv4Network("100.64.0.0/10")  # carrier-grade NAT (Alibaba's metadata is inside)


class WebhookPayload(BaseModel):
    """The JSON a ward's system receives."""

    type: str = "ward.notified"
    delivery_id: str
    webhook_id: str
    notification: StoredNotification


def webhook_body(notification: StoredNotification, delivery_id: str, webhook_id: str) -> str:
    """Fixed per delivery, so retries send the same bytes."""
    return WebhookPayload(delivery_id=delivery_id, webhook_id=webhook_id,
                          notification=notification).model_dump_json()


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


def host_key(host: str) -> str:
    """A host as allow-lists and comparisons use it: lower case, no [brackets] or final dot."""
    return host.strip().strip("[]").rstrip(".").lower()


def literal_address(host: str) -> IPAddress | None:
    """The address a URL's host names directly, or None for a host name."""
    try:
        return ip_address(host_key(host))
    except ValueError:
        return None


def _embedded(address: IPAddress) -> IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo client, NAT64)."""
    if not isinstance(address, IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_problem(address: IPAddress) -> str | None:
    """Why a webhook may not be delivered to `address` (English), or None: a public one."""
    inner = _embedded(address)
    if inner is not None:
        problem = address_problem(inner)
        if problem:
            return f"{problem} (inside {address})"
    checks = (
        (address in METADATA, "a cloud metadata address"),
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address (cloud metadata services live there)"),
        (address.is_multicast, "a multicast address"),
        (address.is_unspecified, "the unspecified address"),
        (address.is_private, "a private address"),
        (address.is_reserved, "a reserved address"),
        (isinstance(address, IPv4Address) and address in _SHARED, "a shared (CGNAT) address"),
        (not address.is_global, "not a public address"),
    )
    return next((f"{address} is {why}" for refused, why in checks if refused), None)
