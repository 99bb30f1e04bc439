"""The epidemiologist's page in a real headless Chromium against the service process:
sign-in at the identity provider, search, timeline chart, contacts of degree 1 and 2
(a fellow passenger with the journey's evidence among them), export, the people suspected
from a follow-up and a case confirmed from there, English toggle, 360 px.

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
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from playwright.async_api import Browser, async_playwright

from libs.contracts.envelope import Envelope
from libs.contracts.events.notification import FollowupRecorded
from libs.contracts.topics import Topics
from libs.contracts.vietnam_time import vn_day
from libs.runtime.auth import Role
from libs.runtime.topics_admin import delete_topics, ensure_topics
from synthetic.scenario import Journey, Ride, Scenario
from tests.support.browser import sign_in
from tests.support.kafka import eventually, publish_scenario
from tests.support.servers import Servers
from tests.support.tokens import account, bearer
from tests.support.trace_truth import plant_edges

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
        async with AsyncMongoClient[dict[str, Any]](servers.mongo_url) as client:
            await client.drop_database(environ["TRACE_MONGO_DB"])


async def _publish_followup(trace: TraceProcess, subject_id: str) -> None:
    """A follow-up with fever, as the ward-notification service publishes it."""
    event = Envelope.wrap(FollowupRecorded(
        quarantine_id="q-e2e-page", day=2, reached=True, symptoms=["ho"], temperature_c=38.6,
        by="ward-e2e", subject_id=subject_id, ward_code="26506",
        on=vn_day(datetime.now(UTC))), producer="ward-notification")
    producer = AIOKafkaProducer(bootstrap_servers=trace.bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(Topics(trace.prefix)(event.type), event.to_bytes(),
                                     key=subject_id.encode())
    finally:
        await producer.stop()


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
    # The index also flew yesterday in 14C; a passenger in 15A is a contact by the seat rule.
    flight = Journey("plane", "VN213", vn_day(datetime.now(UTC)) - timedelta(days=1))
    scenario.citizens.append(replace(edges.people["I"], ride=Ride(flight, "14C"),
                                     declaration_id="00000000-0000-4000-8000-99999999e2e0"))
    fellow = scenario.add_citizen("00070", "26506", ride=Ride(flight, "15A")).subject_id
    await publish_scenario(trace.bootstrap, Topics(trace.prefix), scenario)
    # A follow-up with fever, as the ward would record it: the person is suspected.
    suspect = scenario.add_citizen("00070", "26506").subject_id
    await _publish_followup(trace, suspect)
    index = edges["I"]

    async def projected() -> int:
        async with httpx.AsyncClient(timeout=10) as http:
            response = await http.get(f"{base}/v1/timeline", headers=EPIDEMIOLOGIST,
                                      params={"subject_id": index, "purpose": "e2e wait"})
        count = len(response.json()["movements"])
        return count if count >= 10 else 0  # 2 × 3 declaration events + 4 checkpoint events

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
    assert first == {edges[n] for n in "ACFGH"} | {fellow} and second == {edges[n] for n in "KBDJ"}
    journey = await page.locator(f"#contacts-1 li[data-subject='{fellow}'] li.shared_journey"
                                 ).text_content()
    assert journey and all(part in journey for part in ("VN213", "15A", "14C", "2 hàng"))

    async with page.expect_download() as download_info:
        await page.click("[data-export=contacts][data-format=csv]")
    download = await download_info.value
    exported = await asyncio.to_thread(Path(await download.path()).read_text)
    assert exported.startswith("subject_id,degree,via") and edges["K"] in exported
    assert f"shared_journey,{index}" in exported and ",plane,VN213," in exported

    await page.click("#show-suspected")
    item = page.locator(f"#suspected li[data-subject='{suspect}']")
    await item.wait_for()
    assert "38.6 °C (sốt)" in (await item.text_content() or "")
    await item.locator("form.confirm button").click()
    await page.wait_for_function(
        "s => document.querySelector(`#suspected li[data-subject='${s}'] [role=status]`)"
        "?.textContent.startsWith('Đã xác nhận ca')", arg=suspect)

    await page.click("#lang")
    assert await page.locator("h1").text_content() == "Movement trace"
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "trace_page_360.png"), full_page=True)
    assert hosts == {"127.0.0.1"}
