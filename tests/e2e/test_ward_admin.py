"""The ward-notification service's admin console (issue 18), in Chromium signed in through
Keycloak, with the five services as processes (tests/e2e/conftest.py):

an admin opens a ward by its code, sets its zone level now (by keyboard) and schedules the
next change for tomorrow; the change's event names the admin; the citizen page of a
traveller bound for that ward shows the new level. The admin adds a webhook of another
ward, sees its deliveries (the receiving address answers 404: logged as such), pauses and
resumes it and rotates its signing key. Another role is told the console is not for it,
and the API refuses it. The first load's weight is written to tests/artifacts/.
"""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from playwright.async_api import Browser, expect

from libs.contracts.envelope import parse_event
from libs.contracts.events.notification import ZoneLevelChanged
from libs.contracts.topics import ZONE_LEVEL_CHANGED, Topics
from libs.contracts.vietnam_time import vn_today
from libs.runtime.auth import Role
from tests.e2e.conftest import System
from tests.support.browser import DESKTOP, PHONE, chromium, sign_in, watched_page
from tests.support.kafka import eventually, read_topic
from tests.support.page_weight import ARTIFACTS, record_weight, weigh
from tests.support.samples import declaration_form
from tests.support.servers import Servers
from tests.support.tokens import account, bearer

WAIT = 60_000  # ms; a bound against a hang, not a timing assertion
BA_DINH, NGOC_HA = "00004", "00008"  # wards no other e2e test classifies
SECRET = re.compile(r"^[A-Za-z0-9_-]{40,}$")  # a webhook's signing secret, as shown once


async def citizen_sees_red(browser: Browser, system: System) -> None:
    """A traveller bound for Ba Đình declares; once the declaration service has learnt the
    level from zone.level_changed, the citizen page shows it: level 4 (red)."""
    declaration = system.url("declaration")
    async with httpx.AsyncClient(base_url=declaration, timeout=10) as http:
        answer = await http.post("/v1/declarations", json=declaration_form(
            "001085018901", destination_ward=BA_DINH))
        assert answer.status_code == 201, answer.text
        made = answer.json()
        token = {"authorization": f"Bearer {made['access_token']}"}

        async def red() -> bool:
            view = (await http.get(f"/v1/declarations/{made['declaration_id']}",
                                   headers=token)).json()
            return bool(view["destination"]["level"] == 4)

        await eventually(red, timeout_s=30)
    page, context, watch = await watched_page(browser, PHONE)
    await page.goto(declaration + "/")
    await page.evaluate("(item) => localStorage.setItem('khaibao.declarations', "
                        "JSON.stringify([item]))", {
                            "id": made["declaration_id"], "token": made["access_token"],
                            "name": made["full_name"], "until": made["valid_until"]})
    await page.goto(f"{declaration}/#d={made['declaration_id']}")
    await page.reload()
    line = page.locator("article.card .zone").nth(1)
    await expect(line).to_contain_text("Phường Ba Đình", timeout=WAIT)
    await expect(line.locator(".level-4")).to_have_text("Cấp 4 — đỏ")
    assert watch.outside == []
    await context.close()


async def test_an_admin_sets_a_zone_level_and_the_citizen_page_shows_it(
        system: System, servers: Servers) -> None:
    base = system.url("ward-notification")
    admin = account(Role.admin, who="ward-admin-e2e")
    async with chromium() as browser:
        page, _, watch = await watched_page(browser, PHONE)
        weight: dict[str, int] = {}
        weigh(page, base, weight)
        await sign_in(page, base + "/admin/", admin)
        await expect(page.locator("h1")).to_have_text("Quản trị cấp độ dịch và webhook")
        # By keyboard: the ward's code, Enter; the ward opens with its level (none yet).
        await page.locator("#ward").focus()
        await page.keyboard.type(BA_DINH)
        await page.keyboard.press("Enter")
        await expect(page.locator("#ward-name")).to_have_text(
            f"Phường Ba Đình, Thành phố Hà Nội ({BA_DINH})", timeout=WAIT)
        await expect(page.locator("#zone-name")).to_have_text("Vùng xanh (cấp 1) — chưa công bố")
        kib = record_weight("ward_admin", weight)
        assert kib < 120, f"the admin console weighs {kib:.1f} KiB on first load"

        # Level 4 from now, with a note: a radio by arrow keys, the note, Enter.
        await page.locator("input[name=level][value='1']").focus()
        for _ in range(3):
            await page.keyboard.press("ArrowRight")
        await expect(page.locator("input[name=level][value='4']")).to_be_checked()
        await page.locator("#note").focus()
        await page.keyboard.type("ổ dịch e2e")
        await page.keyboard.press("Enter")
        await expect(page.locator("#level-result")).to_have_text(
            "Đã đặt Vùng đỏ (cấp 4) từ bây giờ.", timeout=WAIT)
        await expect(page.locator("#zone")).to_have_attribute("data-level", "4")
        await expect(page.locator("#zone-changes li").first).to_contain_text(
            "Vùng đỏ (cấp 4) · ổ dịch e2e")

        await citizen_sees_red(browser, system)

        # Yellow from tomorrow 08:00 (Viet Nam time): scheduled, today's level unchanged.
        tomorrow = (vn_today() + timedelta(days=1)).isoformat()
        await page.locator("input[name=level][value='2']").check()
        await page.locator("input[name=when][value=later]").check()
        await page.locator("#effective-at").fill(f"{tomorrow}T08:00")
        await page.locator("#set-level").click()
        await expect(page.locator("#zone-next")).to_contain_text("Đã hẹn: Vùng vàng (cấp 2) từ",
                                                                 timeout=WAIT)
        await expect(page.locator("#zone-next")).to_contain_text("08:00")
        await expect(page.locator("#zone")).to_have_attribute("data-level", "4")
        await expect(page.locator("#zone-changes li.scheduled")).to_have_count(1)
        # English, and no sideways scrolling at 360 px.
        await page.locator("#lang").click()
        await expect(page.locator("h1")).to_have_text("Zone levels and webhooks — admin")
        await expect(page.locator("#zone-name")).to_have_text("Red (level 4)")
        width = await page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
        assert width[0] <= width[1], f"sideways scrolling at 360 px: {width}"
        await page.screenshot(path=str(ARTIFACTS / "ward_admin.png"), full_page=True)
        assert watch.outside == [] and watch.errors == [], (watch.outside, watch.errors)

    # Both changes went out as zone.level_changed, naming the admin who made them.
    async def published() -> list[tuple[int, str]] | None:
        records = await read_topic(servers.kafka_bootstrap,
                                   Topics(system.prefix)(ZONE_LEVEL_CHANGED), timeout_s=5)
        changes = [parse_event(r.value).payload for r in records]
        mine = [(int(c.level), c.set_by) for c in changes
                if isinstance(c, ZoneLevelChanged) and c.ward_code == BA_DINH]
        return mine if len(mine) >= 2 else None

    assert await eventually(published, timeout_s=30) == [(4, admin.username),
                                                         (2, admin.username)]


async def test_an_admin_adds_a_webhook_sees_its_deliveries_pauses_it_and_rotates_its_key(
        system: System) -> None:
    base = system.url("ward-notification")
    async with chromium() as browser:
        page, _, watch = await watched_page(browser, DESKTOP)
        page.on("dialog", lambda dialog: dialog.accept())
        await sign_in(page, f"{base}/admin/#ward={NGOC_HA}",
                      account(Role.admin, who="ward-admin-e2e"))
        await expect(page.locator("#ward-name")).to_contain_text("Phường Ngọc Hà", timeout=WAIT)
        await expect(page.locator("#webhooks-empty")).to_be_visible()
        # The ward's own system: here an address of this service that answers 404.
        await page.locator("#webhook-url").fill(f"{base}/no-such-receiver")
        await page.locator("#webhook-description").fill("hệ thống UBND (e2e)")
        await page.locator("#webhook-create").click()
        await expect(page.locator("#secret")).to_have_text(SECRET, timeout=WAIT)
        first_secret = await page.locator("#secret").text_content()
        hook = page.locator("#webhooks li.hook")
        await expect(hook).to_have_count(1)
        await expect(hook.locator(".hook-state")).to_have_text("Đang gửi")

        # A traveller bound for Ngọc Hà: the ward is notified, the webhook called (404).
        async with httpx.AsyncClient(base_url=system.url("declaration"), timeout=10) as http:
            answer = await http.post("/v1/declarations", json=declaration_form(
                "001085018902", destination_ward=NGOC_HA))
            assert answer.status_code == 201, answer.text
        hook_id = await hook.get_attribute("data-id")
        admin = bearer(Role.admin, who="ward-admin-e2e")
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            async def attempted() -> bool:
                log = (await http.get(f"/v1/webhooks/{hook_id}/deliveries",
                                      headers=admin)).json()
                return bool(log and log[0]["log"])

            await eventually(attempted, timeout_s=30)
        await hook.locator("details.log summary").click()
        await expect(hook.locator(".deliveries li").first).to_contain_text("404", timeout=WAIT)

        # Pause (by keyboard), resume, rotate the key: a new secret, shown once.
        await hook.locator("button.toggle").focus()
        await page.keyboard.press("Enter")
        await expect(hook.locator(".hook-state")).to_contain_text("Tạm dừng", timeout=WAIT)
        await expect(hook.locator("button.toggle")).to_be_focused()
        await hook.locator("button.toggle").click()
        await expect(hook.locator(".hook-state")).to_have_text("Đang gửi", timeout=WAIT)
        await hook.locator("button.rotate").click()
        await expect(page.locator("#webhook-result")).to_have_text("Đã đổi khoá ký.",
                                                                   timeout=WAIT)
        await expect(page.locator("#secret")).not_to_have_text(first_secret or "")
        width = await page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
        assert width[0] <= width[1], f"sideways scrolling at 1280 px: {width}"
        assert watch.outside == [] and watch.errors == [], (watch.outside, watch.errors)


async def test_the_admin_console_tells_a_wrong_role_and_the_api_refuses(system: System) -> None:
    base = system.url("ward-notification")
    async with chromium() as browser:
        page, _, watch = await watched_page(browser, PHONE)
        await sign_in(page, base + "/admin/", account(Role.ward_official, [BA_DINH],
                                                      who="ward-admin-wrong"))
        await expect(page.locator("#wrong-role")).to_contain_text("Quản trị")
        await expect(page.locator("#zone-panel")).to_be_hidden()
        await expect(page.locator("#ward-panel")).to_be_hidden()
        assert watch.outside == []
    official = bearer(Role.ward_official, [BA_DINH], who="ward-admin-wrong")
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        answer = await http.post(f"/v1/zones/{BA_DINH}/levels", headers=official,
                                 json={"level": 1})
    assert answer.status_code == 403, answer.text


