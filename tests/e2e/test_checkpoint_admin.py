"""The checkpoint service's admin console (issue 18), in Chromium signed in through
Keycloak, with the five services as processes (tests/e2e/conftest.py):

an admin adds a venue (keyboard only), the API gives it to its officer as written, with
the admin as its last writer; the admin renames it and the officer's scanner offers it
under its new name; a second venue with the same code is refused (a PUT would replace);
the admin retires it: it leaves the list of those in service, and a scan there is refused
(409 checkpoint_inactive) where it was accepted for checking before. Another role is told
the console is not for it, and the API refuses it. The first load's weight is written to
tests/artifacts/checkpoint_admin.json.
"""

from __future__ import annotations

import httpx
from playwright.async_api import expect

from libs.runtime.auth import Role
from tests.e2e.conftest import System
from tests.support.browser import PHONE, chromium, sign_in, watched_page
from tests.support.page_weight import ARTIFACTS, record_weight, weigh
from tests.support.samples import HOAN_KIEM
from tests.support.tokens import account, bearer

WAIT = 60_000  # ms; a bound against a hang, not a timing assertion
VENUE = "cp-admin-e2e-market"
OFFICER = (Role.officer, [VENUE])


async def scan_answer(base: str) -> httpx.Response:
    """A scan at the venue by its officer (with a token that is no QR code)."""
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        return await http.post("/v1/scans", headers=bearer(*OFFICER, who="cp-admin-officer"),
                               json={"checkpoint_id": VENUE, "token": "not-a-qr-token"})


async def test_an_admin_creates_edits_and_retires_a_venue(system: System) -> None:
    base = system.url("checkpoint")
    admin = account(Role.admin, who="cp-admin-e2e")
    async with chromium() as browser:
        page, _, watch = await watched_page(browser, PHONE)
        page.on("dialog", lambda dialog: dialog.accept())
        weight: dict[str, int] = {}
        weigh(page, base, weight)
        await sign_in(page, base + "/admin/", admin)
        await expect(page.locator("h1")).to_have_text("Quản trị chốt và địa điểm")
        await expect(page.locator("#count")).not_to_be_empty(timeout=WAIT)
        kib = record_weight("checkpoint_admin", weight)
        assert kib < 120, f"the admin console weighs {kib:.1f} KiB on first load"

        # A venue, by keyboard only: "+ Add", then each field in turn, Enter to save.
        await page.locator("#new").focus()
        await page.keyboard.press("Enter")
        await expect(page.locator("#f-id")).to_be_focused()
        await page.keyboard.type(VENUE)
        await page.keyboard.press("Tab")
        await page.keyboard.type("Chợ thử nghiệm")
        await page.keyboard.press("Tab")
        await page.keyboard.press("End")  # the last kind: a venue (check-in / check-out)
        await expect(page.locator("#f-kind")).to_have_value("venue")
        await page.keyboard.press("Tab")
        await page.keyboard.type(HOAN_KIEM)
        for value in ("21.0285", "105.8542"):
            await page.keyboard.press("Tab")
            await page.keyboard.type(value)
        await page.keyboard.press("Tab")
        await expect(page.locator("#f-stay")).to_be_focused()
        await page.keyboard.type("90")
        await page.keyboard.press("Enter")
        await expect(page.locator("#done")).to_have_text(f"Đã thêm {VENUE}.", timeout=WAIT)
        row = page.locator(f'#checkpoints li[data-id="{VENUE}"]')
        await expect(row).to_contain_text("địa điểm (vào / ra) · tự động ra sau 90 phút")
        await expect(row).to_contain_text(f"bởi {admin.username}")

        # Its officer gets it as written, with the admin as its last writer.
        officer = bearer(*OFFICER, who="cp-admin-officer")
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            stored = (await http.get(f"/v1/checkpoints/{VENUE}", headers=officer)).json()
        assert (stored["name"], stored["kind"], stored["ward_code"], stored["latitude"],
                stored["stay_max_minutes"], stored["active"], stored["updated_by"]) == (
            "Chợ thử nghiệm", "venue", HOAN_KIEM, 21.0285, 90, True, admin.username)
        assert (await scan_answer(base)).status_code != 409  # in service: the token is checked

        # Renamed: the form opens on the name, Enter saves.
        await row.locator("button.edit").click()
        await expect(page.locator("#f-name")).to_be_focused()
        await expect(page.locator("#f-id")).to_have_js_property("readOnly", True)
        await page.locator("#f-name").fill("Chợ Hàng Da (thử nghiệm)")
        await page.keyboard.press("Enter")
        await expect(page.locator("#done")).to_have_text(f"Đã lưu {VENUE}.", timeout=WAIT)
        await expect(row.locator(".name")).to_have_text("Chợ Hàng Da (thử nghiệm)")
        await expect(row.locator("button.edit")).to_be_focused()

        # The same code again is refused: a PUT would have replaced the venue.
        await page.locator("#new").click()
        await page.locator("#f-id").fill(VENUE)
        await page.locator("#f-name").fill("Trùng mã")
        await page.locator("#f-ward").fill(HOAN_KIEM)
        await page.locator("#save").click()
        await expect(page.locator("#form-error")).to_have_text(
            f"Mã {VENUE} đã có. Hãy sửa chốt đó, hoặc chọn mã khác.")
        await page.locator("#cancel").click()

        width = await page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
        assert width[0] <= width[1], f"sideways scrolling at 360 px: {width}"
        await page.screenshot(path=str(ARTIFACTS / "checkpoint_admin.png"), full_page=True)

        # The officer's scanner offers it under its new name.
        scanner, _, scanner_watch = await watched_page(browser, PHONE)
        await sign_in(scanner, base + "/", account(*OFFICER, who="cp-admin-officer"))
        await expect(scanner.locator("#checkpoint option")).to_have_text(
            ["Chợ Hàng Da (thử nghiệm) (Phường Hoàn Kiếm)"], timeout=WAIT)
        await expect(scanner.locator("#admin-link")).to_be_hidden()
        await scanner.close()

        # Retired: out of the list of those in service, in that of the retired ones.
        await row.locator("button.retire").click()
        await expect(page.locator("#done")).to_have_text(f"Đã ngừng {VENUE}.", timeout=WAIT)
        await expect(row).to_have_count(0)
        await page.locator("#filter-active").select_option("false")
        await expect(row).to_contain_text("Đã ngừng", timeout=WAIT)
        await expect(row.locator("button.restore")).to_be_visible()
        # English, then the scanner's API refuses a scan there.
        await page.locator("#lang").click()
        await expect(page.locator("h1")).to_have_text("Checkpoints and venues — admin")
        await expect(row.locator("button.restore")).to_have_text("Back in service")
        # The one 404 expected: the page asking whether the new code is free.
        free = f"status of 404 (Not Found) ({base}/v1/checkpoints/{VENUE})"
        assert [e for e in watch.errors if free not in e] == [], watch.errors
        assert watch.outside == [] and scanner_watch.outside == []
    refused = await scan_answer(base)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "checkpoint_inactive")


async def test_the_checkpoint_admin_console_tells_a_wrong_role_and_the_api_refuses(
        system: System) -> None:
    base = system.url("checkpoint")
    async with chromium() as browser:
        page, _, watch = await watched_page(browser, PHONE)
        await sign_in(page, base + "/admin/", account(Role.officer, ["cp-hn-noibai-airport"],
                                                      who="cp-admin-wrong"))
        await expect(page.locator("#wrong-role")).to_contain_text("Quản trị")
        await expect(page.locator("#list-panel")).to_be_hidden()
        assert watch.outside == []
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        answer = await http.put(f"/v1/checkpoints/{VENUE}-wrong",
                                headers=bearer(Role.officer, ["cp-hn-noibai-airport"],
                                               who="cp-admin-wrong"),
                                json={"name": "Không được", "kind": "road",
                                      "ward_code": HOAN_KIEM})
    assert answer.status_code == 403, answer.text
