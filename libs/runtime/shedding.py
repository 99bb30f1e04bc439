"""Load shedding: a process works on at most `limit` requests at once and answers the
rest 503 with `Retry-After` at once, instead of queueing them until they time out.

Past its capacity a service that queues gets slower for everyone (scans at twice the
capacity once waited 38 s each and failed anyway); one that sheds keeps serving what
it can at full speed and tells the rest, within milliseconds, to come back — the
scanner page and the kiosk do, later each time. Operational routes (health, metrics),
the pages' files and live streams are never shed: they are cheap, or long by nature.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

from libs.runtime import metrics
from libs.runtime.errors import error_body

EXEMPT_PREFIXES = ("/healthz", "/readyz", "/metrics", "/static/", "/shared/", "/docs",
                   "/openapi.json", "/asyncapi", "/sw.js", "/v1/feed")
BUSY = json.dumps(error_body(
    "overloaded", "Hệ thống đang quá tải, vui lòng thử lại sau giây lát",
    "The service is at capacity; retry in a moment")).encode()


class LoadShedder:
    """Pure ASGI middleware; `limit` requests in flight per process (not per route)."""

    def __init__(self, app: ASGIApp, limit: int, retry_after_s: int = 1) -> None:
        self.app, self.limit, self.retry_after = app, limit, str(retry_after_s)
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/" or \
                scope["path"].startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            metrics.HTTP_SHED.inc()
            await send({"type": "http.response.start", "status": 503, "headers": [
                (b"content-type", b"application/json"), (b"retry-after", self.retry_after.encode()),
                (b"content-length", str(len(BUSY)).encode())]})
            await send({"type": "http.response.body", "body": BUSY})
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
