"""Every service's page, in a real headless Chromium, at 360 px (a phone) and 1280 px:
no sideways scrolling, Vietnamese and English, usable by keyboard, no console errors,
nothing fetched from outside 127.0.0.1.

The pages' own flows are tested by test_<page>_page.py and test_journey.py; these are
the checks every page owes its users, whatever it does. Staff pages are signed in to on
the identity provider's sign-in page by an account of the role each is for, so their
signed-in view is checked; an account of another role gets a page that says so, and the
page's API refuses it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from libs.runtime.auth import Role
from tests.e2e.conftest import System
from tests.support.browser import CHROMIUM, DESKTOP, chromium, sign_in, watched_page
from tests.support.tokens import account, bearer

ARTIFACTS = Path(__file__).parents[1] / "artifacts" / "pages"
WAIT = 60_000  # ms; a bound against a hang, not a timing assertion
TABS = 4  # controls after the language switch that Tab must show focused

# No skip: a browser test that cannot run must fail (deploy/apt-packages.txt installs chromium).
assert CHROMIUM.exists(), "Debian's chromium is missing: apt-get install chromium"


@dataclass(frozen=True)
class Refused:
    """A call of the page's own API that an account of another role must be refused."""

    method: str
    path: str
    body: dict[str, Any] | None = None


@dataclass(frozen=True)
class Spec:
    service: str
    vi: str  # the h1 in each language
    en: str
    ready: str = "h1"  # a selector present once the page has set itself up
    role: Role | None = None  # a staff page: an account of this role signs in
    scope: tuple[str, ...] = ()
    wrong: Role | None = None  # a role the page is not for
    refused: Refused | None = None  # …and what its API refuses that role
    said: tuple[str, ...] = field(default=())  # the role names the wrong-role page gives
    path: str = "/"  # a console under the service's page
    autofocus: str | None = None  # the field a page puts the focus in, for typing at once
    tabs: int = TABS  # controls after the language switch that Tab must show focused

    @property
    def id(self) -> str:
        return self.service + self.path.rstrip("/").replace("/", "-")

    async def open(self, page: Page, system: System) -> None:
        url = system.url(self.service) + self.path
        if self.role is None:
            await page.goto(url)
        else:
            await sign_in(page, url, account(self.role, self.scope,
                                             who=f"pages-{self.role.value}".replace("_", "-")))


NATIONAL_ID = {"national_id": "001085012345"}
PAGES = [
    Spec("declaration", "Khai báo y tế", "Health declaration", ready="body[data-ready=true]"),
    Spec("identity-verification", "Xác minh danh tính", "Identity verification",
         ready="#work:not([hidden])", role=Role.officer, wrong=Role.ward_official,
         refused=Refused("POST", "/v1/residents/lookup", NATIONAL_ID),
         said=("Cán bộ chốt", "Quản trị")),
    Spec("checkpoint", "Quét mã QR — chốt kiểm soát", "QR scanner — checkpoint",
         ready="body[data-ready=yes]", role=Role.officer, scope=("cp-hn-noibai-airport",),
         wrong=Role.epidemiologist, refused=Refused("GET", "/v1/checkpoints"),
         said=("Cán bộ chốt", "Quản trị")),
    Spec("movement-trace", "Truy vết di chuyển", "Movement trace",
         ready="#search:not([hidden])", role=Role.epidemiologist, wrong=Role.officer,
         refused=Refused("POST", "/v1/subjects", NATIONAL_ID), said=("Dịch tễ", "Quản trị")),
    Spec("ward-notification", "Thông báo phường/xã", "Ward notifications",
         ready="#live[data-state=open]", role=Role.ward_official, scope=("00070",),
         wrong=Role.officer, refused=Refused("GET", "/v1/notifications"),
         said=("Cán bộ phường/xã", "Quản trị")),
    # The consoles under a service's page (issue 18).
    Spec("declaration", "Nhập tờ khai giấy", "Paper form entry", path="/officer/",
         ready="body[data-ready=yes]", autofocus="#full-name", role=Role.officer, wrong=Role.ward_official,
         refused=Refused("GET", "/v1/entries"), said=("Cán bộ chốt", "Quản trị")),
    Spec("declaration", "Khoá ký mã QR", "QR signing keys", path="/keys/",
         ready="#keys-panel:not([hidden])", tabs=2, role=Role.admin, wrong=Role.officer,
         refused=Refused("GET", "/v1/admin/keys"), said=("Quản trị",)),
    Spec("checkpoint", "Quản trị chốt và địa điểm", "Checkpoints and venues — admin",
         path="/admin/", ready="#list-panel:not([hidden])", role=Role.admin,
         wrong=Role.officer, refused=Refused("PUT", "/v1/checkpoints/cp-pages-refused", {
             "name": "Chốt thử", "kind": "road", "ward_code": "00070"}), said=("Quản trị",)),
    Spec("ward-notification", "Quản trị cấp độ dịch và webhook",
         "Zone levels and webhooks — admin", path="/admin/", ready="#ward-panel:not([hidden])",
         tabs=3,  # the ward to manage first: the rest opens once one is chosen
         role=Role.admin, wrong=Role.ward_official, refused=Refused(
             "POST", "/v1/zones/00070/levels", {"level": 2}),
         said=("Quản trị",)),
]
STAFF = [spec for spec in PAGES if spec.role is not None]

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
@pytest.mark.parametrize("spec", PAGES, ids=[spec.id for spec in PAGES])
async def test_page_fits_speaks_both_languages_and_works_by_keyboard(
        system: System, browser: Browser, spec: Spec, width: int) -> None:
    page, context, watch = await watched_page(browser, {"width": width, "height": 800})
    try:
        await spec.open(page, system)
        await expect(page.locator(spec.ready)).to_be_attached(timeout=WAIT)
        await expect(page.locator("h1")).to_have_text(spec.vi)
        await fits(page)
        if spec.autofocus is not None:
            await expect(page.locator(spec.autofocus)).to_be_focused()
            await page.click("h1")  # Tab from the page's top, as the other pages start

        # The first Tab reaches the language switch; Enter and Space both work it.
        await page.keyboard.press("Tab")
        await expect(page.locator("#lang")).to_be_focused()
        await page.keyboard.press("Enter")
        await expect(page.locator("h1")).to_have_text(spec.en)
        await expect(page.locator("html")).to_have_attribute("lang", "en")
        await fits(page)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=ARTIFACTS / f"{spec.id}-{width}-en.png", full_page=True)
        await page.keyboard.press("Space")
        await expect(page.locator("h1")).to_have_text(spec.vi)
        await expect(page.locator("html")).to_have_attribute("lang", "vi")

        # Tab on through the main controls: each is on screen and shows it has focus.
        path = ["button#lang"]
        for _ in range(spec.tabs):
            await page.keyboard.press("Tab")
            focused = await page.evaluate(FOCUSED)
            path.append(focused["name"])
            assert focused["name"] != "body#", f"Tab left the page too soon: {path}"
            assert focused["onScreen"] and focused["ring"], f"focus not visible: {focused} {path}"
    finally:
        await context.close()
    assert watch.outside == [], f"requests left 127.0.0.1: {watch.outside}"
    assert watch.errors == [], f"console errors: {watch.errors}"


@pytest.mark.parametrize("spec", STAFF, ids=[spec.id for spec in STAFF])
async def test_a_staff_page_refuses_an_account_of_another_role(
        system: System, browser: Browser, spec: Spec) -> None:
    assert spec.wrong is not None and spec.refused is not None
    wrong = spec.wrong
    page, context, watch = await watched_page(browser, DESKTOP)
    try:
        await sign_in(page, system.url(spec.service) + spec.path,
                      account(wrong, who=f"pages-wrong-{wrong.value}".replace("_", "-")))
        refusal = page.locator("#wrong-role")
        await expect(refusal).to_be_visible(timeout=WAIT)
        for role in spec.said:
            await expect(refusal).to_contain_text(role)
        await expect(page.locator("main > *")).to_have_count(1)  # nothing of the page's work
        await expect(page.locator("#sign-out")).to_be_visible()  # to sign in as someone else
        await page.keyboard.press("Tab")
        await page.keyboard.press("Enter")  # the language switch: the refusal in English
        await expect(refusal).to_contain_text("Wrong role for this page")
    finally:
        await context.close()
    async with httpx.AsyncClient(base_url=system.url(spec.service), timeout=30) as http:
        answer = await http.request(spec.refused.method, spec.refused.path,
                                    json=spec.refused.body, headers=bearer(wrong))
    assert answer.status_code == 403, answer.text
    assert answer.json()["error"]["code"] == "forbidden"
    assert watch.outside == [], f"requests left 127.0.0.1: {watch.outside}"
    assert watch.errors == [], f"console errors: {watch.errors}"
