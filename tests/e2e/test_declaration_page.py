"""The citizen page in a real headless Chromium on a 360-px phone viewport.

The service runs in-process under uvicorn on a free 127.0.0.1 port, against the
real Kafka and FerretDB; Chromium is Debian's, driven by Playwright. Screenshots
go to tests/artifacts/.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from playwright.async_api import Page, Route, expect

from deploy.local.procs import free_port
from libs.contracts.envelope import Envelope
from libs.contracts.events.identity import IdentityVerified
from libs.contracts.events.notification import ZoneLevel, ZoneLevelChanged
from libs.contracts.topics import DECLARATION_SUBMITTED
from libs.contracts.values import subject_id_for
from libs.runtime.qr_tokens import QrVerifier
from libs.runtime.settings import DEV_SUBJECT_SECRET
from services.declaration.app import build
from tests.conftest import ServerSlice
from tests.support.browser import CHROMIUM, PHONE, chromium, watched_page
from tests.support.declaration_kit import events_on, settings
from tests.support.declaration_samples import HOAN_KIEM, VUNG_TAU
from tests.support.qr_codes import read_qr

ARTIFACTS = Path(__file__).parents[1] / "artifacts"
NATIONAL_ID = "001085012345"

# No skip: a browser test that cannot run must fail (deploy/apt-packages.txt installs chromium).
assert CHROMIUM.exists(), "Debian's chromium is missing: apt-get install chromium"


@asynccontextmanager
async def served(env: ServerSlice, tmp_path: Path) -> AsyncIterator[str]:
    port = free_port()
    app = build(settings(env, qr_key_file=tmp_path / "qr.json"))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                                           access_log=False, lifespan="on"))
    task = asyncio.create_task(server.serve())
    for _ in range(600):  # bounded: the lifespan joins Kafka and the store first
        if server.started or task.done():
            break
        await asyncio.sleep(0.1)
    assert server.started, "the service did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 60)


@asynccontextmanager
async def phone() -> AsyncIterator[tuple[Page, list[str]]]:
    """A phone-sized page; any request that would leave 127.0.0.1 is blocked and recorded."""
    async with chromium() as browser:
        page, _, watch = await watched_page(browser, PHONE)
        yield page, watch.outside


async def pick_place(page: Page, place: str, province: str, ward: str) -> None:
    box = page.locator(f"[data-place='{place}']")
    await box.locator("select.province").select_option(province)
    await box.locator("select.ward").select_option(ward)


async def fill_form(page: Page) -> None:
    await page.fill("[name='person.full_name']", "Nguyễn Văn An")
    await page.fill("[name='person.date_of_birth']", "1985-03-14")
    await page.select_option("[name='person.gender']", "female")  # contradicts the CCCD
    await page.fill("[name='person.national_id']", NATIONAL_ID)
    await page.fill("[name='person.phone']", "0912 345 678")
    await pick_place(page, "residence.permanent", "1", HOAN_KIEM)
    await page.fill("[name='residence.permanent.address']", "12 Hàng Bạc")
    await pick_place(page, "trip.origin", "1", HOAN_KIEM)
    await pick_place(page, "trip.destination", "79", VUNG_TAU)
    await page.fill("[name='trip.transport.number']", "29A-123.45")
    await page.check("input[name='health.symptoms'][value='cough']")
    await page.fill("[name='health.vaccination_doses']", "3")
    await page.fill("[name='health.last_dose_date']", "2022-01-15")
    await page.check("[name=consent]")


async def add_child(page: Page) -> None:
    await page.click("#add-dependant")
    child = page.locator(".dependant").first
    await child.locator("[data-field='person.full_name']").fill("Nguyễn Minh Khôi")
    await child.locator("[data-field='person.date_of_birth']").fill("2015-06-01")
    await child.locator("[data-field='person.gender']").select_option("male")
    await child.locator("[data-field='person.national_id']").fill("001215001234")


def decode_element(png: Path) -> str:
    found = read_qr(png.read_bytes())
    assert len(found) == 1, f"{len(found)} codes in {png}"
    return found[0]


async def test_a_citizen_declares_on_a_phone_and_sees_the_qr_and_status(
        env: ServerSlice, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    async with served(env, tmp_path) as base, phone() as (page, outside):
        await page.goto(base + "/")
        await expect(page.locator("body[data-ready=true]")).to_be_attached(timeout=30_000)
        await expect(page.locator("h1")).to_have_text("Khai báo y tế")
        provinces = page.locator("[data-place='residence.permanent'] select.province option")
        assert await provinces.count() == 35  # 34 provinces and the prompt
        await fill_form(page)
        await page.click("#submit")
        error = page.locator("[data-error-for='person.national_id']")
        await expect(error).to_contain_text("giới tính nam")
        await page.screenshot(path=ARTIFACTS / "declaration-errors-vi.png", full_page=True)
        await page.click("#lang")
        await expect(error).to_contain_text("The CCCD digits say male")
        await expect(page.locator("#submit")).to_have_text("Send declaration")
        await page.click("#lang")

        await page.select_option("[name='person.gender']", "male")
        await add_child(page)
        await page.click("#submit")
        await expect(page.locator("article.card")).to_have_count(2, timeout=15_000)
        card = page.locator("article.card").first
        await expect(card.locator(".status")).to_have_text("Đang xác minh", timeout=15_000)
        await expect(card.locator("img.qr")).to_have_js_property("complete", True)
        assert await card.locator("img.qr").evaluate("img => img.naturalWidth") > 0
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        await page.screenshot(path=ARTIFACTS / "declaration-submitted.png", full_page=True)

        stored = await page.evaluate("JSON.parse(localStorage['khaibao.declarations'])")
        assert [d["name"] for d in stored] == ["Nguyễn Văn An", "Nguyễn Minh Khôi"]
        mine = stored[0]
        child_card = page.locator("article.card").nth(1)
        await expect(child_card.locator("img.qr")).to_have_js_property("complete", True)
        await card.locator("img.qr").screenshot(path=ARTIFACTS / "declaration-qr.png")
        await check_qr(base, mine["id"], decode_element(ARTIFACTS / "declaration-qr.png"))

        # The page keeps refreshing: the zone level and the verification show up by themselves.
        await env.publish(Envelope.wrap(ZoneLevelChanged(
            ward_code=VUNG_TAU, level=ZoneLevel.orange, effective_at=datetime.now(UTC),
            set_by="health-authority"), producer="notification"), key=VUNG_TAU)
        await expect(card.locator(".level-3")).to_have_text("Cấp 3 — cam", timeout=60_000)
        subject = subject_id_for(DEV_SUBJECT_SECRET.encode(), NATIONAL_ID)
        await env.publish(Envelope.wrap(IdentityVerified(
            declaration_id=mine["id"], subject_id=subject), producer="identity"))
        await expect(card.locator(".status")).to_have_text("Đã xác minh", timeout=60_000)
        await page.screenshot(path=ARTIFACTS / "declaration-verified.png", full_page=True)

        # Reopened later on the same phone.
        await page.goto(base + "/")
        await expect(page.locator("#mine-list button")).to_have_count(2)
        await page.locator("#mine-list button", has_text="Nguyễn Văn An").click()
        await expect(page.locator("article.card .status")).to_have_text("Đã xác minh")
        await svg_decodes(page, base, mine)
    assert outside == []


async def check_qr(base: str, declaration_id: str, text: str) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        jwks = (await client.get("/v1/keys")).json()
    assert QrVerifier.from_jwks(jwks).verify(text).subject == declaration_id


async def svg_decodes(page: Page, base: str, mine: dict[str, Any]) -> None:
    """The SVG variant, drawn by the browser itself, decodes too."""
    async with httpx.AsyncClient(base_url=base) as client:
        svg = await client.get(f"/v1/declarations/{mine['id']}/qr.svg",
                               headers={"authorization": f"Bearer {mine['token']}"})
    await page.set_content(f"<body style='margin:0;background:#fff'>{svg.text}</body>")
    await page.locator("svg").screenshot(path=ARTIFACTS / "declaration-qr-svg.png")
    await check_qr(base, mine["id"], decode_element(ARTIFACTS / "declaration-qr-svg.png"))


async def test_sending_again_after_a_lost_answer_gives_the_same_declaration(
        env: ServerSlice, tmp_path: Path) -> None:
    """A cheap phone loses its signal after the server stored the declaration: the
    citizen sees "try again", presses send again and gets that declaration, not a second."""
    answers: list[dict[str, Any]] = []

    async def lose_the_first_answer(route: Route) -> None:
        if answers:
            await route.continue_()
            return
        answers.append(await (await route.fetch()).json())  # the server got it and answered
        await route.abort("connectionreset")  # but the phone never sees the answer

    async with served(env, tmp_path) as base, phone() as (page, outside):
        await page.goto(base + "/")
        await expect(page.locator("body[data-ready=true]")).to_be_attached(timeout=30_000)
        await fill_form(page)
        await page.select_option("[name='person.gender']", "male")
        await page.route("**/v1/declarations", lose_the_first_answer)
        await page.click("#submit")
        await expect(page.locator("#form-error")).to_contain_text("thử lại")
        await page.click("#submit")
        await expect(page.locator("article.card")).to_have_count(1, timeout=15_000)
        stored = await page.evaluate("JSON.parse(localStorage['khaibao.declarations'])")
        published = await events_on(env, DECLARATION_SUBMITTED, at_least=1, settle_s=2.0)
    assert [answer["declaration_id"] for answer in answers] == [d["id"] for d in stored]
    assert [e.payload.declaration_id for _, e in published] == [stored[0]["id"]]
    assert outside == []
