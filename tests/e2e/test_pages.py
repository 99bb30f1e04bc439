"""Every service's page, in a real headless Chromium, at 360 px (a phone) and 1280 px:
no sideways scrolling, Vietnamese and English, usable by keyboard, no console errors,
nothing fetched from outside 127.0.0.1.

The pages' own flows are tested by test_<page>_page.py and test_journey.py; these are
the checks every page owes its users, whatever it does. Pages that need a token get
one in the #fragment, as `make run`'s links give it, so their signed-in view is checked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from libs.runtime.auth import Role, mint
from tests.e2e.conftest import System
from tests.support.browser import CHROMIUM, chromium, watched_page

ARTIFACTS = Path(__file__).parents[1] / "artifacts" / "pages"
WAIT = 60_000  # ms; a bound against a hang, not a timing assertion
TABS = 4  # controls after the language switch that Tab must show focused

# No skip: a browser test that cannot run must fail (deploy/apt-packages.txt installs chromium).
assert CHROMIUM.exists(), "Debian's chromium is missing: apt-get install chromium"


@dataclass(frozen=True)
class Spec:
    service: str
    vi: str  # the h1 in each language
    en: str
    ready: str = "h1"  # a selector present once the page has set itself up
    role: Role | None = None  # a token in the #fragment, for this role
    scope: tuple[str, ...] = ()

    def path(self) -> str:
        token = self.role and mint(f"pages-{self.role.value}", self.role, self.scope)
        return f"/#token={token}" if token else "/"


PAGES = [
    Spec("declaration", "Khai báo y tế", "Health declaration", ready="body[data-ready=true]"),
    Spec("identity-verification", "Xác minh danh tính", "Identity verification"),
    Spec("checkpoint", "Quét mã QR — chốt kiểm soát", "QR scanner — checkpoint",
         ready="body[data-ready=yes]", role=Role.officer, scope=("cp-hn-noibai-airport",)),
    Spec("movement-trace", "Truy vết di chuyển", "Movement trace"),
    Spec("ward-notification", "Thông báo phường/xã", "Ward notifications",
         ready="#live[data-state=open]", role=Role.ward_official, scope=("00070",)),
]

FOCUSED = """() => {
  const el = document.activeElement;
  const box = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  return {
    name: `${el.tagName.toLowerCase()}#${el.id || el.name || ""}`,
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight
      && box.right > 0 && box.left < innerWidth,
    // A date field shows focus on its focused part (day, month, year), not on its outline.
    ring: el.type === "date" || el.type === "datetime-local"
      || (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
      || style.boxShadow !== "none",
  };
}"""


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


async def fits(page: Page) -> None:
    width = await page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
    assert width[0] <= width[1], f"sideways scrolling: {width[0]} px wide in {width[1]}"


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("spec", PAGES, ids=[spec.service for spec in PAGES])
async def test_page_fits_speaks_both_languages_and_works_by_keyboard(
        system: System, browser: Browser, spec: Spec, width: int) -> None:
    page, context, watch = await watched_page(browser, {"width": width, "height": 800})
    try:
        await page.goto(system.url(spec.service) + spec.path())
        await expect(page.locator(spec.ready)).to_be_attached(timeout=WAIT)
        await expect(page.locator("h1")).to_have_text(spec.vi)
        await fits(page)

        # The first Tab reaches the language switch; Enter and Space both work it.
        await page.keyboard.press("Tab")
        await expect(page.locator("#lang")).to_be_focused()
        await page.keyboard.press("Enter")
        await expect(page.locator("h1")).to_have_text(spec.en)
        await expect(page.locator("html")).to_have_attribute("lang", "en")
        await fits(page)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=ARTIFACTS / f"{spec.service}-{width}-en.png", full_page=True)
        await page.keyboard.press("Space")
        await expect(page.locator("h1")).to_have_text(spec.vi)
        await expect(page.locator("html")).to_have_attribute("lang", "vi")

        # Tab on through the main controls: each is on screen and shows it has focus.
        path = ["button#lang"]
        for _ in range(TABS):
            await page.keyboard.press("Tab")
            focused = await page.evaluate(FOCUSED)
            path.append(focused["name"])
            assert focused["name"] != "body#", f"Tab left the page too soon: {path}"
            assert focused["onScreen"] and focused["ring"], f"focus not visible: {focused} {path}"
    finally:
        await context.close()
    assert watch.outside == [], f"requests left 127.0.0.1: {watch.outside}"
    assert watch.errors == [], f"console errors: {watch.errors}"
