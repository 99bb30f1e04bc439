"""Where a webhook may go: its host resolved and every address checked, at registration
and again at each delivery's connection (domain/webhooks.address_problem says which
addresses are refused).

A name may resolve to a public address when a ward registers it and to 127.0.0.1 or
169.254.169.254 later (DNS rebinding), so the check cannot be made once: the delivery
client connects through `GuardedBackend`, which resolves the host itself, refuses the
connection if any address it gets is not public, and connects to the address it checked
(TLS still verifies the host name), so no second lookup can change the answer in
between. Hosts the operator allow-lists (`webhook_allowed_hosts`) are not checked.
"""

from __future__ import annotations

import asyncio
import socket
import typing
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import httpcore
import httpx

from services.ward_notification.domain.webhooks import (
    REFUSED,
    IPAddress,
    address_problem,
    host_key,
    literal_address,
)

Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]


class AddressRefused(httpcore.ConnectError):
    """A connection the address rules refuse; httpx raises it as a ConnectError."""


class Unresolvable(Exception):
    """The host name has no address (or the lookup failed)."""


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (TCP), in the resolver's order."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise Unresolvable(f"{host} does not resolve: {error}") from None
    found: list[IPAddress] = []
    for *_, sockaddr in infos:
        address = literal_address(str(sockaddr[0]).split("%")[0])  # drop an IPv6 zone
        if address is not None and address not in found:
            found.append(address)
    if not found:
        raise Unresolvable(f"{host} does not resolve")
    return found


async def checked_addresses(host: str, port: int, resolver: Resolver = resolve,
                            timeout_s: float = 5.0) -> list[IPAddress]:
    """The addresses of `host`, all public; AddressRefused naming the first that is not,
    Unresolvable when there are none."""
    literal = literal_address(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            addresses = await asyncio.wait_for(resolver(host_key(host), port), timeout_s)
        except TimeoutError:
            raise Unresolvable(f"{host} did not resolve within {timeout_s:g} s") from None
    for address in addresses:
        problem = address_problem(address)
        if problem:
            via = "" if literal is not None else f"{host} resolves to {address}: "
            raise AddressRefused(f"{REFUSED}: {via}{problem}")
    return addresses


async def destination_problem(url: str, allowed: frozenset[str], resolver: Resolver = resolve,
                              timeout_s: float = 5.0) -> str | None:
    """Why a subscription URL (already well formed: domain/webhooks.url_problem) may not be
    registered, or None."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host_key(host) in allowed:
        return None
    try:
        await checked_addresses(host, parts.port or (443 if parts.scheme == "https" else 80),
                                resolver, timeout_s)
    except AddressRefused as refused:
        return str(refused).removeprefix(f"{REFUSED}: ")
    except Unresolvable as error:
        return str(error)
    return None


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend with the address rules applied to every connection."""

    def __init__(self, allowed: frozenset[str], resolver: Resolver = resolve,
                 inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self.allowed = allowed
        self.resolver = resolver
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int,
                          timeout: float | None = None,  # noqa: ASYNC109 — httpcore's signature
                          local_address: str | None = None,
                          socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None
                          ) -> httpcore.AsyncNetworkStream:
        if host_key(host) in self.allowed:
            return await self.inner.connect_tcp(host, port, timeout, local_address,
                                                socket_options)
        try:
            addresses = await checked_addresses(host, port, self.resolver, timeout or 5.0)
        except Unresolvable as error:
            raise httpcore.ConnectError(str(error)) from None
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(str(address), port, timeout, local_address,
                                                    socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        assert failure is not None, "checked_addresses returns at least one address"
        raise failure

    async def connect_unix_socket(
            self, path: str,
            timeout: float | None = None,  # noqa: ASYNC109 — httpcore's signature
            socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused(f"{REFUSED}: webhooks are not sent to local sockets")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport on a connection pool that connects through GuardedBackend."""

    def __init__(self, allowed: frozenset[str], resolver: Resolver = resolve) -> None:
        super().__init__(trust_env=False)
        # httpx has no public way to hand its pool a network backend; the pool is
        # httpcore's public API, built here as httpx builds it for the defaults.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False), keepalive_expiry=5.0,
            network_backend=GuardedBackend(allowed, resolver))
