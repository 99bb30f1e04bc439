"""The live feed (SSE) over a real HTTP server on 127.0.0.1, fed through the real Kafka."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from libs.runtime.auth import Role
from services.ward_notification.app import build
from services.ward_notification.settings import Settings
from tests.conftest import ServerSlice
from tests.support.notification_kit import declaration, serving
from tests.support.samples import VUNG_TAU
from tests.support.tokens import bearer

VUNGTAU = bearer(Role.ward_official, [VUNG_TAU])
WAIT_S = 30  # a bound against a hung stream, not a timing assertion


async def _events(response: httpx.Response) -> Any:
    """Parsed SSE events (name, id, data) of a streaming response."""
    data: list[str]
    name, event_id, data = "message", None, []
    async for line in response.aiter_lines():
        if line == "":
            if data:
                yield name, event_id, json.loads("\n".join(data))
            name, event_id, data = "message", None, []
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("id:"):
            event_id = line[3:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())


async def _first(stream: Any, name: str) -> tuple[str | None, dict[str, Any]]:
    async for event_name, event_id, data in stream:
        if event_name == name:
            return event_id, data
    raise AssertionError(f"the stream ended before a {name!r} event")


async def test_the_feed_delivers_a_new_notification(env: ServerSlice) -> None:
    settings = env.settings(Settings, feed_poll_s=0.2)
    decl = declaration()
    async with serving(build(settings)) as base, httpx.AsyncClient(base_url=base) as client:
        async with client.stream("GET", "/v1/feed", headers=VUNGTAU, timeout=WAIT_S) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            events = _events(response)
            _, ready = await asyncio.wait_for(_first(events, "ready"), WAIT_S)
            assert ready == {"wards": [VUNG_TAU]}
            await env.publish(decl)
            bucket, note = await asyncio.wait_for(_first(events, "notification"), WAIT_S)
        assert note["reason"] == "arriving" and note["ward_code"] == VUNG_TAU
        assert note["declaration_id"] == decl.payload.declaration_id

        # A browser that reconnects says where it was: the feed resumes from there.
        resumed = {**VUNGTAU, "last-event-id": str(bucket)}
        async with client.stream("GET", "/v1/feed", headers=resumed, timeout=WAIT_S) as again:
            _, replayed = await asyncio.wait_for(_first(_events(again), "notification"), WAIT_S)
        assert replayed["id"] == note["id"]

        refused = await client.get("/v1/feed", headers=VUNGTAU, params={"ward": "00070"})
        anonymous = await client.get("/v1/feed")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "ward_forbidden"
    assert anonymous.status_code == 401
