"""A minimal HTTP/1.1 keep-alive client, for open-loop load of hundreds of requests a second.

Why not httpx here: its connection pool matches every waiting request against every
connection each time one frees (httpcore's `_assign_requests_to_connections`), so with
thousands of requests waiting — an open-loop run at twice a service's capacity — the load
generator itself took a whole core and the run never ended (7 Dec: py-spy found it there,
with the checkpoint process at 20 % CPU). This client writes prebuilt bytes and reads the
status line, the headers and a `Content-Length` body: what the services answer a
benchmark with (no chunked bodies, no TLS, no redirects; anything else is an error).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from typing import Any

Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]
IDLE_REUSE_S = 2.0  # uvicorn closes a connection idle 5 s; one idle longer is not reused


def request_bytes(method: str, host: str, path: str, headers: Mapping[str, str],
                  body: Any = None) -> bytes:
    """One whole request; `body` is sent as JSON when given."""
    payload = b"" if body is None else json.dumps(body).encode()
    lines = [f"{method} {path} HTTP/1.1", f"host: {host}", f"content-length: {len(payload)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if payload:
        lines.append("content-type: application/json")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


class RawHttp:
    """At most `max_connections` requests in flight, each on a kept-alive connection."""

    def __init__(self, host: str, port: int, *, max_connections: int, timeout_s: float) -> None:
        self.host, self.port, self.timeout_s = host, port, timeout_s
        self.slots = asyncio.Semaphore(max_connections)
        self.idle: list[tuple[float, Connection]] = []  # (when it fell idle, connection)

    async def send(self, request: bytes) -> int:
        """The answer's status; 0 when none came within the timeout (waiting for a
        connection included) or the connection failed."""
        try:
            async with asyncio.timeout(self.timeout_s), self.slots:
                connection = await self._connection()
                try:
                    status, keep = await self._exchange(connection, request)
                except BaseException:
                    connection[1].close()
                    raise
                if keep:
                    self.idle.append((time.monotonic(), connection))
                else:
                    connection[1].close()
                return status
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError):
            return 0

    async def _connection(self) -> Connection:
        while self.idle:
            idle_since, connection = self.idle.pop()
            if time.monotonic() - idle_since < IDLE_REUSE_S:
                return connection
            connection[1].close()
        return await asyncio.open_connection(self.host, self.port)

    @staticmethod
    async def _exchange(connection: Connection, request: bytes) -> tuple[int, bool]:
        reader, writer = connection
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head[:-4].split(b"\r\n")
        status = int(status_line.split()[1])
        length, keep = 0, True
        for line in header_lines:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection":
                keep = value.strip().lower() != b"close"
            elif name == b"transfer-encoding":
                raise ValueError("chunked answers are not read by this client")
        await reader.readexactly(length)
        return status, keep

    async def __aenter__(self) -> RawHttp:
        return self

    async def __aexit__(self, *_: object) -> None:
        for _since, (_reader, writer) in self.idle:
            writer.close()
        self.idle.clear()
