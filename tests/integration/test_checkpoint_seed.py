"""`python -m services.checkpoint.seed` loads the set through the API, idempotently."""

from __future__ import annotations

import httpx
from asgi_lifespan import LifespanManager

from libs.runtime.auth import Role
from services.checkpoint.app import build
from services.checkpoint.seed import seed_direct, seed_via_api
from services.checkpoint.seed_data import SEED
from tests.conftest import ServerSlice
from tests.support.checkpoint_kit import ADMIN, Keys, settings
from tests.support.tokens import bearer


async def test_seeding_twice_creates_the_set_once(env: ServerSlice) -> None:
    app = build(settings(env), key_source=Keys().source)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        token = bearer(Role.admin, who="seed").token
        first = await seed_via_api("http://service", token, transport)
        second = await seed_via_api("http://service", token, transport)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            airports = (await client.get("/v1/checkpoints?kind=airport&limit=500",
                                         headers=ADMIN)).json()
            everything = (await client.get("/v1/checkpoints", headers=ADMIN)).json()
    assert first == (len(SEED), 0) and second == (0, len(SEED))
    assert everything["total"] == len(SEED)
    noi_bai = next(c for c in airports["items"] if c["checkpoint_id"] == "cp-hn-noibai-airport")
    assert (noi_bai["ward_name"], noi_bai["province_name"]) == ("Xã Nội Bài", "Thành phố Hà Nội")
    assert noi_bai["latitude"] and noi_bai["source"]


async def test_seeding_straight_into_the_store(env: ServerSlice) -> None:
    assert await seed_direct(settings(env)) == (len(SEED), 0)
    assert await seed_direct(settings(env)) == (0, len(SEED))
