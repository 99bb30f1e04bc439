"""The HTTP shell every service shares: error shape, body limit, correlation id.

No lifespan runs here, so no server is needed: these routes never touch Kafka or the store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter
from pydantic import BaseModel

from libs.runtime.http import MAX_BODY_BYTES, Service, create_app
from libs.runtime.kafka import make_broker
from libs.runtime.mongo import make_client
from libs.runtime.settings import ServiceSettings


class Body(BaseModel):
    name: str
    count: int


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    router = APIRouter()

    @router.post("/echo")
    async def echo(body: Body) -> Body:
        return body

    settings = ServiceSettings()
    app = create_app(Service(settings=settings, broker=make_broker(settings),
                             mongo=make_client(settings), title="t", description="d",
                             routers=[router]))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as http:
        yield http


async def test_wrong_types_give_field_errors(client: httpx.AsyncClient) -> None:
    response = await client.post("/echo", json={"name": "Lê Thị Hoa", "count": "many"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert set(error["message"]) == {"vi", "en"}
    assert list(error["fields"]) == ["count"]


async def test_malformed_json_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.post("/echo", content=b'{"name": "x",',
                                 headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"


async def test_huge_bodies_are_refused_before_parsing(client: httpx.AsyncClient) -> None:
    huge = b'{"name": "' + b"x" * MAX_BODY_BYTES + b'", "count": 1}'
    response = await client.post("/echo", content=huge,
                                 headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


async def test_unknown_route_and_correlation_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/nope", headers={"x-correlation-id": "req-42"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert response.headers["x-correlation-id"] == "req-42"
    fresh = await client.post("/echo", json={"name": "Ánh", "count": 1})
    assert fresh.status_code == 200 and fresh.json() == {"name": "Ánh", "count": 1}
    assert len(fresh.headers["x-correlation-id"]) == 36


async def test_huge_streamed_bodies_without_length_are_refused(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b"x" * 65536

    response = await client.post("/echo", content=chunks(),
                                 headers={"content-type": "application/json"})
    assert response.status_code == 413
