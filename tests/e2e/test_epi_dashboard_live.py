"""The epidemiologist's dashboard keeps itself current (issue 18): while "refresh every
minute" is ticked and the page is in view, the figures are asked for again each minute;
unticked, they stay as they are. Chromium's clock is Playwright's, moved on by the test
instead of waited for; the sign-in is Keycloak's, the service the e2e system's.
"""

from __future__ import annotations

from playwright.async_api import expect

from libs.runtime.auth import Role
from tests.e2e.conftest import System
from tests.support.browser import DESKTOP, chromium, sign_in, watched_page
from tests.support.tokens import account

WAIT = 60_000  # ms; a bound against a hang, not a timing assertion


async def test_the_dashboard_refreshes_every_minute_while_asked_to(system: System) -> None:
    async with chromium() as browser:
        page, context, watch = await watched_page(browser, DESKTOP)
        await page.clock.install()  # time runs as usual until the test moves it on
        await sign_in(page, system.url("movement-trace") + "/",
                      account(Role.epidemiologist, who="epi-dashboard-live"))
        panel = page.locator("#dashboard-panel")
        await expect(panel).to_have_attribute("data-loaded", "1", timeout=WAIT)
        await expect(page.locator("#dash-summary")).to_contain_text("số liệu lúc")
        await expect(page.locator("#dash-live")).to_be_checked()

        await page.clock.fast_forward("01:05")  # a minute on: asked again by itself
        await expect(panel).to_have_attribute("data-loaded", "2", timeout=WAIT)

        await page.locator("#dash-live").uncheck()
        await page.clock.fast_forward("03:00")
        await page.locator("#dash-load").click()  # a click still asks, once
        await expect(panel).to_have_attribute("data-loaded", "3", timeout=WAIT)
        await page.clock.fast_forward("02:00")
        await expect(panel).to_have_attribute("data-loaded", "3")
        await context.close()
    assert watch.outside == [], f"requests left 127.0.0.1: {watch.outside}"
    assert watch.errors == [], f"console errors: {watch.errors}"
