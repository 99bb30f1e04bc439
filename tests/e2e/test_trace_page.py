"""The epidemiologist's page in a real headless Chromium against the service process:
sign-in at the identity provider, search, timeline chart, contacts of degree 1 and 2,
export, English toggle, 360 px.

Only the movement-trace process is started (`python -m services.movement_trace`, as
`make run` does), on its own port, topics and database: the page needs no other service.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import Browser, async_playwright

from libs.contracts.topics import Topics
from libs.runtime.auth import Role
from libs.runtime.topics_admin import delete_topics, ensure_topics
from libs.scenario import Scenario
from tests.support.browser import sign_in
from tests.support.kafka import eventually
from tests.support.servers import Servers
from tests.support.tokens import account, bearer
from tests.support.trace_truth import plant_edges, publish

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
EPIDEMIOLOGIST = bearer(Role.epidemiologist, who="epi-page")
PORT = 18104


@dataclass(frozen=True)
class TraceProcess:
    base: str
    prefix: str
    bootstrap: str


@pytest.fixture
async def trace(servers: Servers) -> AsyncIterator[TraceProcess]:
    prefix = f"p{uuid.uuid4().hex[:8]}."
    topics = Topics(prefix).all()
    await ensure_topics(servers.kafka_bootstrap, topics, partitions=3)
    environ = {**os.environ, "KAFKA_BOOTSTRAP": servers.kafka_bootstrap, "ENV": "test",
               "MONGO_URL": servers.mongo_url, "KHAIBAO_TOPIC_PREFIX": prefix,
               "TRACE_PORT": str(PORT), "TRACE_MONGO_DB": f"{prefix.rstrip('.')}_trace",
               "LOG_LEVEL": "WARNING"}
    process = await asyncio.to_thread(
        subprocess.Popen, [sys.executable, "-m", "services.movement_trace"], env=environ,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{PORT}"
    try:
        async def ready() -> bool:
            try:
                async with httpx.AsyncClient(timeout=2) as http:
                    return (await http.get(f"{base}/readyz")).status_code == 200
            except httpx.HTTPError:
                return False

        await eventually(ready, timeout_s=60)
        yield TraceProcess(base, prefix, servers.kafka_bootstrap)
    finally:
        process.terminate()
        await asyncio.to_thread(process.wait, 20)
        await delete_topics(servers.kafka_bootstrap, topics)
        from pymongo import AsyncMongoClient
        async with AsyncMongoClient(servers.mongo_url) as client:
            await client.drop_database(environ["TRACE_MONGO_DB"])


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                    args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


async def test_epidemiologist_page_finds_timeline_and_contacts(trace: TraceProcess,
                                                               browser: Browser) -> None:
    base = trace.base
    scenario = Scenario(datetime.now(UTC) - timedelta(days=2), 2, [])
    edges = plant_edges(scenario, datetime.now(UTC).replace(microsecond=0) - timedelta(days=2))
    await publish(trace.bootstrap, Topics(trace.prefix), scenario)
    index = edges["I"]

    async def projected() -> int:
        async with httpx.AsyncClient(timeout=10) as http:
            response = await http.get(f"{base}/v1/timeline", headers=EPIDEMIOLOGIST,
                                      params={"subject_id": index, "purpose": "e2e wait"})
        count = len(response.json()["movements"])
        return count if count >= 7 else 0  # 3 declaration events + 4 checkpoint events

    movements = await eventually(projected, timeout_s=60)

    page = await browser.new_page(viewport={"width": 360, "height": 800}, accept_downloads=True)
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))
    await sign_in(page, base + "/", account(Role.epidemiologist, who="epi-page"))
    assert await page.locator("h1").text_content() == "Truy vết di chuyển"
    assert await page.locator("#session .who").get_attribute("data-user") == "epi-page"
    await page.fill("#who", index)
    await page.fill("#purpose", "điều tra ca bệnh")
    await page.click("#show-timeline")
    await page.wait_for_selector("#chart svg")
    assert await page.locator("#chart svg circle.point").count() == movements
    assert await page.locator("#chart svg rect.stay").count() == 1  # the stay with a check-out

    await page.check("#degree2")
    await page.fill("#days", "5")
    await page.click("#show-contacts")
    await page.wait_for_selector("#contacts-1 li[data-subject]")
    first = set(await page.locator("#contacts-1 li[data-subject]").evaluate_all(
        "items => items.map(i => i.dataset.subject)"))
    second = set(await page.locator("#contacts-2 li[data-subject]").evaluate_all(
        "items => items.map(i => i.dataset.subject)"))
    assert first == {edges[n] for n in "ACFGH"} and second == {edges[n] for n in "KBDJ"}

    async with page.expect_download() as download_info:
        await page.click("[data-export=contacts][data-format=csv]")
    download = await download_info.value
    exported = await asyncio.to_thread(Path(await download.path()).read_text)
    assert exported.startswith("subject_id,degree,via") and edges["K"] in exported

    await page.click("#lang")
    assert await page.locator("h1").text_content() == "Movement trace"
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "trace_page_360.png"), full_page=True)
    assert hosts == {"127.0.0.1"}
