"""`make run`'s demo data, loaded into the running services as `make run` loads it."""

from __future__ import annotations

import asyncio

import httpx

from deploy.local import demo
from libs.contracts.vietnam_time import vn_today
from libs.runtime.auth import Role
from tests.e2e.conftest import System
from tests.support.tokens import bearer


async def test_every_demo_paper_form_is_accepted_whatever_the_hour(system: System) -> None:
    url = system.url("declaration")

    def load() -> list[str]:
        with httpx.Client(timeout=30) as http:
            return demo.declarations(http, url)

    ids = await asyncio.to_thread(load)
    assert len(set(ids)) == demo.DECLARATIONS == 60
    officer = bearer(Role.officer, ['demo-desk'], who='demo-officer')
    async with httpx.AsyncClient(timeout=10) as http:
        stored = [(await http.get(f"{url}/v1/declarations/{i}", headers=officer)).json()
                  for i in ids[:5]]
    departures = {s["departure_date"] for s in stored}
    assert departures <= {vn_today(n).isoformat() for n in range(3)}, departures
