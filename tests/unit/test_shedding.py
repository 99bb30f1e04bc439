"""Load shedding: past the limit, a request is answered 503 + Retry-After at once."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from libs.runtime.shedding import LoadShedder


def slow_app(release: asyncio.Event, arrived: asyncio.Queue[str]) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        arrived.put_nowait(scope["path"])
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})
    return app


async def test_requests_past_the_limit_are_shed_at_once_the_others_served() -> None:
    release, arrived = asyncio.Event(), asyncio.Queue[str]()
    shedder = LoadShedder(slow_app(release, arrived), limit=3, retry_after_s=2)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=shedder),
                                 base_url="http://svc") as client:
        held = [asyncio.create_task(client.get("/v1/scans")) for _ in range(3)]
        for _ in held:  # all three are inside the app
            await asyncio.wait_for(arrived.get(), timeout=1)
        assert shedder.in_flight == 3
        shed = await asyncio.wait_for(client.get("/v1/scans"), timeout=1)
        health = asyncio.create_task(client.get("/healthz"))  # never shed
        release.set()
        served = await asyncio.gather(*held)
    assert shed.status_code == 503 and shed.headers["retry-after"] == "2"
    assert json.loads(shed.content)["error"]["code"] == "overloaded"
    assert [r.status_code for r in served] == [200, 200, 200]
    assert (await health).status_code == 200
    assert shedder.in_flight == 0
