"""Where webhooks may go (issue 22, finding 4): only public addresses, after resolving the
host, at registration and at every connection, unless the operator allow-lists the host.
The connection check is shown with a resolver that changes its answer (DNS rebinding)."""

from __future__ import annotations

import typing
from ipaddress import ip_address

import httpcore
import pytest

from services.ward_notification.domain.webhooks import REFUSED, IPAddress, address_problem
from services.ward_notification.service.webhook_addresses import (
    AddressRefused,
    GuardedBackend,
    destination_problem,
)
from services.ward_notification.settings import Settings

REFUSED_ADDRESSES = {
    "127.0.0.1": "loopback", "127.8.9.10": "loopback", "::1": "loopback",
    "169.254.169.254": "link-local", "fe80::1": "link-local",
    "10.1.2.3": "private", "172.16.0.1": "private", "192.168.1.1": "private",
    "fd00:ec2::254": "metadata", "168.63.129.16": "metadata",
    "100.100.100.200": "shared", "0.0.0.0": "unspecified", "::": "unspecified",
    "224.0.0.1": "multicast", "ff02::1": "multicast", "240.0.0.1": "",
    "192.0.2.10": "private", "198.18.0.1": "private",
    "::ffff:127.0.0.1": "loopback", "::ffff:169.254.169.254": "link-local",
    "2002:7f00:1::": "loopback",  # 6to4 around 127.0.0.1
    "64:ff9b::a9fe:a9fe": "link-local",  # NAT64 around 169.254.169.254
}
PUBLIC = ["93.184.215.14", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2001:4860:4860::8888"]


@pytest.mark.parametrize("address", REFUSED_ADDRESSES)
def test_non_public_addresses_are_refused_and_say_why(address: str) -> None:
    problem = address_problem(ip_address(address))
    assert problem is not None and REFUSED_ADDRESSES[address] in problem, problem


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_problem(ip_address(address)) is None


class Dns:
    """A resolver whose answers a test sets (and changes)."""

    def __init__(self, **answers: list[str]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[IPAddress]:
        self.asked.append(host)
        return [ip_address(a) for a in self.answers[host.replace(".", "_")]]


class Recorder(httpcore.AsyncNetworkBackend):
    """Records where connections would go instead of connecting."""

    def __init__(self) -> None:
        self.connected: list[tuple[str, int]] = []

    async def connect_tcp(self, host: str, port: int,
                          timeout: float | None = None,  # noqa: ASYNC109 — httpcore's
                          local_address: str | None = None,
                          socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None
                          ) -> httpcore.AsyncNetworkStream:
        self.connected.append((host, port))
        return httpcore.AsyncMockStream([])


async def test_registration_resolves_the_host_and_checks_every_address() -> None:
    dns = Dns(hooks_example=["93.184.215.14"], mixed_example=["93.184.215.14", "10.0.0.5"],
              inside_example=["192.168.1.20"])
    nothing: frozenset[str] = frozenset()
    assert await destination_problem("https://hooks.example/x", nothing, dns) is None
    mixed = await destination_problem("https://mixed.example/x", nothing, dns)
    assert mixed is not None and "10.0.0.5" in mixed and "private" in mixed
    assert await destination_problem("http://[::1]:8080/x", nothing, dns) is not None
    assert await destination_problem("http://169.254.169.254/latest", nothing, dns) is not None
    assert dns.asked == ["hooks.example", "mixed.example"]  # literals need no lookup
    # The operator's allow-list lets a host inside the network through, unresolved.
    inside = frozenset({"inside.example"})
    assert await destination_problem("http://inside.example/x", inside, dns) is None
    assert await destination_problem("http://inside.example/x", nothing, dns) is not None


async def test_a_real_lookup_of_localhost_is_refused() -> None:
    problem = await destination_problem("http://localhost:8080/x", frozenset())
    assert problem is not None and "loopback" in problem and "localhost resolves to" in problem


async def test_each_connection_checks_again_and_connects_to_the_address_it_checked() -> None:
    dns = Dns(hooks_example=["93.184.215.14"])
    inner = Recorder()
    backend = GuardedBackend(frozenset(), dns, inner)
    await backend.connect_tcp("hooks.example", 443)
    assert inner.connected == [("93.184.215.14", 443)]  # pinned: no second lookup
    dns.answers["hooks_example"] = ["127.0.0.1"]  # the name now points inside (rebinding)
    with pytest.raises(AddressRefused) as refused:
        await backend.connect_tcp("hooks.example", 443)
    assert str(refused.value).startswith(REFUSED) and "loopback" in str(refused.value)
    with pytest.raises(AddressRefused):
        await backend.connect_tcp("::1", 80)
    with pytest.raises(AddressRefused):
        await backend.connect_unix_socket("/var/run/docker.sock")
    assert inner.connected == [("93.184.215.14", 443)]  # nothing else was connected to
    allowed = GuardedBackend(frozenset({"127.0.0.1"}), dns, inner)
    await allowed.connect_tcp("127.0.0.1", 9000)
    assert inner.connected[-1] == ("127.0.0.1", 9000)


def test_the_allow_list_is_a_comma_separated_setting() -> None:
    settings = Settings(webhook_allowed_hosts=" Hooks.Example. ,[::1], 10.0.0.5")
    assert settings.webhook_allowed == frozenset({"hooks.example", "::1", "10.0.0.5"})
    assert Settings().webhook_allowed == frozenset()
