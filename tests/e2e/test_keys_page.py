"""The QR signing keys page of the declaration service (issue 18's admin console), in
Chromium signed in through Keycloak: an admin rotates the key (a confirm step) and sees the
new one active and the old one verifying; a code signed with the new key scans at the
checkpoint (its service fetches the keys again for the unknown kid); the admin then retires
the old key (typing the last 4 characters of its kid) and sees who retired it, and it
leaves GET /v1/keys. Another role is told the page is not for it, and the API refuses it.
The first load's weight is written to tests/artifacts/keys_page.json.
"""

from __future__ import annotations

from typing import Any

import httpx
from playwright.async_api import expect

from libs.runtime.auth import Role
from tests.e2e.conftest import System
from tests.support.browser import PHONE, chromium, sign_in, watched_page
from tests.support.declaration_samples import form
from tests.support.kafka import eventually
from tests.support.page_weight import ARTIFACTS, record_weight, weigh
from tests.support.qr_codes import read_qr
from tests.support.tokens import account, bearer

WAIT = 60_000  # ms; a bound against a hang, not a timing assertion
CHECKPOINT = "cp-keys-e2e"
ADMIN = bearer(Role.admin, who="keys-admin-e2e")


async def scans_at_the_checkpoint(system: System) -> tuple[str, str]:
    """A new declaration's QR, scanned at a checkpoint: (the kid it was signed with, the
    declaration the checkpoint found)."""
    async with httpx.AsyncClient(timeout=10) as http:
        made = await http.put(f"{system.url('checkpoint')}/v1/checkpoints/{CHECKPOINT}",
                              headers=ADMIN, json={"name": "Chốt khoá e2e", "kind": "road",
                                                   "ward_code": "00070"})
        assert made.status_code in (200, 201), made.text
        declared = (await http.post(f"{system.url('declaration')}/v1/declarations",
                                    json=form())).json()
        png = await http.get(system.url("declaration") + declared["qr"]["png"], headers=ADMIN)
        [token] = read_qr(png.content)

        async def scanned() -> dict[str, Any] | None:
            answer = await http.post(f"{system.url('checkpoint')}/v1/scans", headers=ADMIN,
                                     json={"checkpoint_id": CHECKPOINT, "token": token})
            # 404 until the declaration's event reaches the checkpoint; a 422 would be the
            # token refused (its key unknown there).
            assert answer.status_code in (200, 404), answer.text
            return answer.json() if answer.status_code == 200 else None

        answer = await eventually(scanned, timeout_s=120)
    return png.headers["x-qr-key-id"], answer["person"]["declaration_id"]


async def test_an_admin_rotates_then_retires_the_old_key(system: System) -> None:
    base = system.url("declaration")
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        old = (await http.get("/v1/keys")).json()["active"]
    async with chromium() as browser:
        page, _, watch = await watched_page(browser, PHONE)
        weight: dict[str, int] = {}
        weigh(page, base, weight)
        await sign_in(page, base + "/keys/", account(Role.admin, who="keys-admin-e2e"))
        active = page.locator("#active li.key")
        await expect(active).to_have_attribute("data-kid", old, timeout=WAIT)
        kib = record_weight("keys_page", weight)
        assert kib < 100, f"the keys page weighs {kib:.1f} KiB on first load"
        await expect(page.locator("#cli-panel pre")).to_contain_text(
            "python -m services.declaration.keyring")

        # Rotate: the button asks first; cancelling changes nothing.
        await page.locator("#rotate").click()
        await expect(page.locator("#rotate-confirm")).to_be_visible()
        await page.locator("#rotate-no").click()
        await expect(page.locator("#rotate-confirm")).to_be_hidden()
        await expect(active).to_have_attribute("data-kid", old)
        await page.locator("#rotate").click()
        await page.locator("#rotate-yes").click()
        await expect(page.locator("#result")).to_contain_text("Đã đổi khoá", timeout=WAIT)
        await expect(active).not_to_have_attribute("data-kid", old)
        new = await active.get_attribute("data-kid")
        assert new and new in await page.locator("#result").inner_text()
        await expect(active.locator(".made")).to_contain_text("keys-admin-e2e")
        verifying = page.locator(f"#verifying li.key[data-kid='{old}']")
        await expect(verifying).to_be_visible()

        # The very next code is signed with the new key, and scans at the checkpoint.
        kid, found = await scans_at_the_checkpoint(system)
        assert kid == new and found

        # Retire the old key: the confirm names the consequence and wants its last 4 chars.
        await verifying.locator(".retire-open").click()
        await expect(verifying.locator(".warning")).to_contain_text("KHÔNG quét được")
        typed, confirm = verifying.locator(".retire-kid"), verifying.locator(".retire-yes")
        await typed.fill("zzzz")
        await expect(confirm).to_be_disabled()
        await typed.fill(old[-4:])
        await expect(confirm).to_be_enabled()
        await typed.press("Enter")
        await expect(page.locator("#result")).to_contain_text("Đã thu hồi khoá", timeout=WAIT)
        retired = page.locator(f"#retired li.key[data-kid='{old}']")
        await expect(retired.locator(".gone")).to_contain_text("keys-admin-e2e")
        await expect(page.locator("#verifying li.key")).to_have_count(0)

        await page.locator("#lang").click()
        await expect(page.locator("#retired-panel h2")).to_have_text("Retired keys")
        await expect(page.locator("#result")).to_contain_text(f"Key {old} retired")
        width = await page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
        assert width[0] <= width[1], f"sideways scrolling at 360 px: {width}"
        await page.screenshot(path=str(ARTIFACTS / "keys_page.png"), full_page=True)
        assert watch.outside == [] and watch.errors == [], (watch.outside, watch.errors)
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        published = (await http.get("/v1/keys")).json()
    assert published["active"] == new and [k["kid"] for k in published["keys"]] == [new]


async def test_the_keys_page_and_api_refuse_a_wrong_role(system: System) -> None:
    officer = ["cp-hn-noibai-airport"]
    async with chromium() as browser:
        page, _, watch = await watched_page(browser, PHONE)
        await sign_in(page, system.url("declaration") + "/keys/",
                      account(Role.officer, officer, who="keys-wrong"))
        await expect(page.locator("#wrong-role")).to_contain_text("Quản trị")
        await expect(page.locator("#keys-panel")).to_be_hidden()
        assert watch.outside == []
    async with httpx.AsyncClient(base_url=system.url("declaration"), timeout=10) as http:
        headers = bearer(Role.officer, officer, who="keys-wrong")
        rotate = await http.post("/v1/admin/keys/rotate", headers=headers)
        listing = await http.get("/v1/admin/keys", headers=headers)
    assert (rotate.status_code, listing.status_code) == (403, 403)
