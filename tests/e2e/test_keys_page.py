"""The QR signing keys page of the declaration service (issue 18's admin console), in
Chromium signed in through Keycloak: an admin sees the key that signs new codes, as the
scanners get it from GET /v1/keys, and how rotation is done; another role is told the page
is not for it. The first load's weight is written to tests/artifacts/keys_page.json.
"""

from __future__ import annotations

import httpx
from playwright.async_api import expect

from libs.runtime.auth import Role
from tests.e2e.conftest import System
from tests.support.browser import PHONE, chromium, sign_in, watched_page
from tests.support.page_weight import ARTIFACTS, record_weight, weigh
from tests.support.tokens import account

WAIT = 60_000  # ms; a bound against a hang, not a timing assertion


async def test_an_admin_sees_the_current_qr_signing_key(system: System) -> None:
    base = system.url("declaration")
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        published = (await http.get("/v1/keys")).json()
    async with chromium() as browser:
        page, _, watch = await watched_page(browser, PHONE)
        weight: dict[str, int] = {}
        weigh(page, base, weight)
        await sign_in(page, base + "/keys/", account(Role.admin, who="keys-admin-e2e"))
        keys = page.locator("#keys li.key")
        await expect(keys).to_have_count(len(published["keys"]), timeout=WAIT)
        current = page.locator("#keys li.key.active")
        await expect(current).to_have_count(1)
        await expect(current).to_have_attribute("data-kid", published["active"])
        await expect(current.locator(".role")).to_have_text("Khoá hiện tại — ký mọi mã QR mới")
        await expect(page.locator("#rotate-panel pre")).to_contain_text(
            "python -m services.declaration.keyring rotate")
        kib = record_weight("keys_page", weight)
        assert kib < 100, f"the keys page weighs {kib:.1f} KiB on first load"
        await page.locator("#lang").click()
        await expect(current.locator(".role")).to_have_text(
            "Current key — signs every new QR code")
        width = await page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
        assert width[0] <= width[1], f"sideways scrolling at 360 px: {width}"
        await page.screenshot(path=str(ARTIFACTS / "keys_page.png"), full_page=True)
        assert watch.outside == [] and watch.errors == [], (watch.outside, watch.errors)


async def test_the_keys_page_tells_a_wrong_role(system: System) -> None:
    async with chromium() as browser:
        page, _, watch = await watched_page(browser, PHONE)
        await sign_in(page, system.url("declaration") + "/keys/",
                      account(Role.officer, ["cp-hn-noibai-airport"], who="keys-wrong"))
        await expect(page.locator("#wrong-role")).to_contain_text("Quản trị")
        await expect(page.locator("#keys-panel")).to_be_hidden()
        assert watch.outside == []
