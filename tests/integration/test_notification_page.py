"""The ward page in a real headless Chromium: sign-in at the identity provider, live inbox,
acknowledge, zone level, English.

Needs Debian's `chromium` (deploy/apt-packages.txt) and `playwright` (dev extras).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from libs.runtime.auth import Role
from services.ward_notification.app import build
from services.ward_notification.settings import Settings
from tests.conftest import ServerSlice
from tests.support.browser import sign_in
from tests.support.notification_kit import declaration, serving
from tests.support.samples import VUNG_TAU
from tests.support.tokens import account, bearer

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
WAIT_MS = 30_000  # a bound against a hung page, not a timing assertion


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    assert shutil.which(CHROMIUM), "apt-get install chromium (see deploy/apt-packages.txt)"
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        await launched.close()


async def _open(browser: Browser, base: str, width: int) -> tuple[Page, list[str]]:
    page = await browser.new_page(viewport={"width": width, "height": 740})
    hosts: list[str] = []
    page.on("request", lambda request: hosts.append(urlsplit(request.url).hostname or ""))
    await sign_in(page, f"{base}/", account(Role.ward_official, [VUNG_TAU], who="official-vt"))
    return page, hosts


async def test_the_ward_page_updates_live_and_acknowledges(env: ServerSlice,
                                                           browser: Browser) -> None:
    settings = env.settings(Settings, feed_poll_s=0.2, arrivals_cache_s=0)
    async with serving(build(settings)) as base:
        page, hosts = await _open(browser, base, width=360)
        await expect(page.locator("#live")).to_have_attribute("data-state", "open",
                                                              timeout=WAIT_MS)
        await expect(page.locator("#empty")).to_be_visible()
        await expect(page.locator("#session .who")).to_contain_text("Cán bộ phường/xã")
        await expect(page.locator("#ward")).to_have_value(VUNG_TAU)  # the account's ward
        await expect(page.locator("#zone-name")).to_contain_text("Vùng xanh")
        assert await page.locator("h1").text_content() == "Thông báo phường/xã"

        await env.publish(declaration())  # arrives while the page is open
        note = page.locator("#inbox li.arriving")
        await expect(note).to_have_count(1, timeout=WAIT_MS)
        await expect(note).to_contain_text("Người đến")
        await note.locator("button.ack").click()
        await expect(note).to_have_class("note arriving read", timeout=WAIT_MS)
        api = await page.request.get(f"{base}/v1/notifications",
                                     headers=dict(bearer(Role.ward_official, [VUNG_TAU])))
        assert (await api.json())["items"][0]["read"] is True

        await page.locator("#lang").click()
        await expect(page.locator("h1")).to_have_text("Ward notifications")
        await expect(note).to_contain_text("Arriving")
        await expect(note).to_contain_text("Phường Hoàn Kiếm")  # the origin, named
        await expect(page.locator("#zone-name")).to_contain_text("Green")
        await expect(page.locator("#arrivals")).to_contain_text("arrivals in 14 days: 1")
        # Readable at 360 px: nothing wider than the screen.
        assert await page.evaluate("document.documentElement.scrollWidth") <= 360
        await page.screenshot(path=str(env_screenshot(env)))
        await page.close()
    assert set(hosts) == {"127.0.0.1"}  # no request leaves the machine


def env_screenshot(env: ServerSlice) -> str:
    # Kept for a person to look at; the folder is ignored by git.
    from deploy.local.procs import REPO

    folder = REPO / ".state" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / "ward-notification-360.png")
