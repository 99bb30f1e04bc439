"""The scan benchmark's HTTP client reads what it is answered (it measures the 2× row)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from bench.raw_http import RawHttp, request_bytes

# What the little server answers, by path: status, extra headers, body.
ANSWERS = {b"/ok": (200, b"", b'{"ok":true}'), b"/busy": (503, b"retry-after: 1\r\n", b"{}"),
           b"/bye": (200, b"connection: close\r\n", b""),
           b"/chunked": (200, b"transfer-encoding: chunked\r\n", b"")}


@pytest.fixture
async def server() -> AsyncIterator[tuple[int, list[bytes]]]:
    """A loopback HTTP/1.1 server; the list collects (per connection) each request's body."""
    bodies: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:  # the client hung up
                writer.close()
                return
            lines = head.split(b"\r\n")
            path = lines[0].split()[1]
            length = next(int(line.split(b":")[1]) for line in lines
                          if line.lower().startswith(b"content-length"))
            bodies.append(await reader.readexactly(length))
            status, headers, body = ANSWERS[path]
            size = b"" if b"chunked" in headers else b"content-length: %d\r\n" % len(body)
            writer.write(b"HTTP/1.1 %d X\r\n%s%s\r\n%s" % (status, headers, size, body))
            if b"close" in headers:
                writer.close()
                return

    listening = await asyncio.start_server(serve, "127.0.0.1", 0)
    yield listening.sockets[0].getsockname()[1], bodies
    listening.close()
    await listening.wait_closed()


async def test_statuses_are_read_and_connections_kept(server: tuple[int, list[bytes]]) -> None:
    port, bodies = server
    host = f"127.0.0.1:{port}"
    ok = request_bytes("POST", host, "/ok", {"authorization": "Bearer x"}, {"tên": "Nguyễn"})
    async with RawHttp("127.0.0.1", port, max_connections=4, timeout_s=2) as http:
        statuses = [await http.send(ok), await http.send(request_bytes("GET", host, "/busy", {}))]
        assert statuses == [200, 503]
        assert len(http.idle) == 1  # both on one kept-alive connection
        assert json.loads(bodies[0]) == {"tên": "Nguyễn"} and bodies[1] == b""
        assert await http.send(request_bytes("GET", host, "/bye", {})) == 200
        assert http.idle == []  # the server closed it: not kept


async def test_what_it_cannot_read_counts_as_no_answer(server: tuple[int, list[bytes]]) -> None:
    port, _ = server
    async with RawHttp("127.0.0.1", port, max_connections=4, timeout_s=2) as http:
        assert await http.send(request_bytes("GET", f"127.0.0.1:{port}", "/chunked", {})) == 0
    async with RawHttp("127.0.0.1", 1, max_connections=1, timeout_s=2) as closed:  # none on 1
        assert await closed.send(request_bytes("GET", "127.0.0.1:1", "/ok", {})) == 0
