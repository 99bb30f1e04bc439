"""The ward official's console, in Chromium, signed in through Keycloak: two people in
quarantine in the ward (one lost to follow-up, shown first and in red), today's arrival,
the zone history; the official sees who one person is (a reveal, audited), records the
follow-up of everyone due today with one key each (the focus moves on to the next), a
second call with a fever by touch, then opens the list of all their wards and records
the person in the other ward as not reached, and downloads the list as CSV and XLSX.
Another role is told the console is not for it, and the follow-up API refuses it.
"""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from datetime import timedelta
from pathlib import Path
from xml.etree import ElementTree

import httpx
from playwright.async_api import Page, Response, expect

from libs.contracts.envelope import Envelope, parse_event
from libs.contracts.events.trace import QuarantineOrdered, QuarantinePlace, QuarantineReason
from libs.contracts.topics import FOLLOWUP_RECORDED, Topics
from libs.contracts.values import subject_id_for
from libs.contracts.vietnam_time import vn_today
from libs.runtime.auth import Role
from libs.runtime.settings import DEV_SUBJECT_SECRET
from tests.e2e.conftest import System
from tests.support.browser import PHONE, chromium, sign_in, watched_page
from tests.support.kafka import publish, read_topic
from tests.support.samples import declaration_form
from tests.support.servers import Servers
from tests.support.tokens import account, bearer

ARTIFACTS = Path(__file__).parents[1] / "artifacts" / "pages"
WAIT = 60_000  # ms; a bound against a hang, not a timing assertion
LOST_ID, NEW_ID = "079085007001", "079085007002"  # national ids of the two quarantined people
ELSEWHERE_ID = "079085007003"  # quarantined in the official's other ward
# Wards no other end-to-end test uses: the tests share one running system, and another's
# quarantines (the epidemiologist's console orders some) must not land in this list.
BA_RIA, CUA_NAM = "26560", "00073"  # Phường Bà Rịa (TP Hồ Chí Minh), Phường Cửa Nam (Hà Nội)


async def declare(http: httpx.AsyncClient, system: System, national_id: str, name: str,
                  phone: str) -> str:
    """A declaration arriving in Bà Rịa today (so the declaration service can reveal
    the person to its ward); the person's pseudonym."""
    form = declaration_form(national_id, departure_date=vn_today().isoformat(),
                            destination_ward=BA_RIA)
    answer = await http.post(f"{system.url('declaration')}/v1/declarations", json={
        **form, "person": {**form["person"], "full_name": name, "phone": phone}})
    assert answer.status_code == 201, answer.text
    return subject_id_for(DEV_SUBJECT_SECRET.encode(), national_id)


def order(subject_id: str, days_ago: int, ward: str = BA_RIA) -> Envelope[QuarantineOrdered]:
    start = vn_today() - timedelta(days=days_ago)
    return Envelope.wrap(QuarantineOrdered(
        quarantine_id=f"q-console-{uuid.uuid4().hex[:12]}", subject_id=subject_id, start=start,
        end=start + timedelta(days=14), place=QuarantinePlace.home,
        reason=QuarantineReason.contact, ward_code=ward, ordered_by="epi-console"),
        producer="trace")


def page_weight(page: Page, base: str) -> dict[str, Response]:
    """Every response of the console's own origin by URL (the live feed, a stream, aside).
    The page loads twice on sign-in (before and after the identity provider's page); each
    URL counts once, as on a signed-in official's cold load."""
    seen: dict[str, Response] = {}

    def keep(response: Response) -> None:
        if response.url.startswith(base) and "/v1/feed" not in response.url:
            seen.setdefault(response.url, response)

    page.on("response", keep)
    return seen


NUMBERS = {"day": int, "attempts_today": int, "missed_days": int, "temperature_c": float}
CELLS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def xlsx_rows(data: bytes) -> list[list[str | float]]:
    """The cells of the first sheet, row by row (empty cells left out), read with the
    standard library only: numbers as numbers, inline strings as text."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert "xl/workbook.xml" in archive.namelist()
        root = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    rows: list[list[str | float]] = []
    for row in root.iter(f"{CELLS}row"):
        cells: list[str | float] = []
        for c in row.iter(f"{CELLS}c"):
            if c.get("t") == "inlineStr":
                cells.append("".join(t.text or "" for t in c.iter(f"{CELLS}t")))
            else:
                cells.append(float(c.findtext(f"{CELLS}v") or "nan"))
        rows.append(cells)
    return rows


async def test_a_ward_official_follows_up_everyone_due_today_and_exports_the_list(
        system: System, servers: Servers) -> None:
    topics = Topics(system.prefix)
    async with httpx.AsyncClient(timeout=10) as http:
        lost = await declare(http, system, LOST_ID, "Trần Văn Lạc", "0911000701")
        new = await declare(http, system, NEW_ID, "Phạm Văn Mới", "0911000702")
    # Three days in without a follow-up: lost. Ordered today: day 1, just due.
    elsewhere = subject_id_for(DEV_SUBJECT_SECRET.encode(), ELSEWHERE_ID)
    other_ward = order(elsewhere, 1, CUA_NAM)
    await publish(servers.kafka_bootstrap, topics, order(lost, 3), order(new, 0), other_ward)
    base = system.url("ward-notification")
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        answer = await http.post(f"/v1/zones/{BA_RIA}/levels", headers=bearer(Role.admin),
                                 json={"level": 3, "note": "ổ dịch chợ"})
        assert answer.status_code == 201, answer.text
    official = account(Role.ward_official, [BA_RIA, CUA_NAM], who="console-e2e-wards",
                       unit="UBND phường Bà Rịa")

    async with chromium() as browser:
        page, context, watch = await watched_page(browser, PHONE)
        loaded = page_weight(page, base)
        await sign_in(page, base + "/", official)
        rows = page.locator("#due li.due")
        await expect(rows).to_have_count(2, timeout=WAIT)
        # First load, measured: every byte the console's origin sent (headers and bodies).
        sizes = [await r.request.sizes() for r in list(loaded.values())]
        kib = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes) / 1024
        print(f"\nconsole first load: {kib:.1f} KiB in {len(sizes)} responses")
        assert kib < 200, f"the console weighs {kib:.1f} KiB on first load"

        # Lost to follow-up comes first, flagged; the summary says so.
        first = rows.nth(0)
        await expect(first).to_have_class("due lost")
        await expect(first.locator(".flag")).to_contain_text("MẤT LIÊN LẠC (3 ngày)")
        await expect(page.locator("#due-summary")).to_have_text(
            "Còn 2/2 người chưa liên lạc được · 1 mất liên lạc")
        # Today's arrivals (both declared for today) and the zone's history.
        await expect(page.locator("#today-arriving")).to_have_text("Đến hôm nay: 2", timeout=WAIT)
        await page.locator("#zone-history summary").click()
        await expect(page.locator("#zone-changes li")).to_contain_text(["Vùng cam (cấp 3) (ổ dịch chợ)"])

        # Who the lost one is, to call them: one tap, audited with the follow-up as purpose.
        await first.locator("button.reveal-one").click()
        await expect(first.locator(".who-is .name")).to_have_text("Trần Văn Lạc", timeout=WAIT)
        await expect(first.locator("a.phone")).to_have_attribute("href", "tel:0911000701")

        # One key each by keyboard: Tab to the first "reached, well", Enter; the focus moves
        # on to the next person still due, Enter again.
        await first.locator("a.phone").focus()
        await page.keyboard.press("Tab")
        await expect(first.locator("button.record-well")).to_be_focused()
        await page.keyboard.press("Enter")
        await expect(first).to_have_class("due done", timeout=WAIT)
        await expect(first.locator(".due-status")).to_contain_text("đã liên lạc được")
        second = rows.nth(1)
        await expect(second.locator("button.record-well")).to_be_focused()
        await page.keyboard.press("Enter")
        await expect(second).to_have_class("due done", timeout=WAIT)
        await expect(page.locator("#due-summary")).to_have_text(
            "Còn 0/2 người chưa liên lạc được · 0 mất liên lạc")
        # A second call finds a fever: the details (temperature, a symptom), then Save.
        await first.locator("details.more summary").click()
        await first.locator("input[name=temperature]").fill("38,2")
        await first.locator("input[name=symptom][value=cough]").check()
        await first.locator("button.record-save").click()
        await expect(first.locator(".due-status")).to_contain_text("38.2 °C · ho", timeout=WAIT)
        # Reloaded, the list shows what the server holds of the day.
        await page.locator("#due-reload").click()
        await expect(rows.nth(0).locator(".due-status")).to_contain_text("38.2 °C · ho")
        await expect(rows.nth(1).locator(".due-status")).to_contain_text("không triệu chứng")

        width = await page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
        assert width[0] <= width[1], f"sideways scrolling at 360 px: {width}"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=ARTIFACTS / "ward-console-360.png", full_page=True)

        # All the official's wards in one list: the other ward's person, not reached.
        await page.locator("#due-all-wards").check()
        await expect(rows).to_have_count(3)
        there = page.locator(f'#due li[data-id="{other_ward.payload.quarantine_id}"]')
        await there.locator("button.record-missed").click()
        await expect(there.locator(".due-status")).to_contain_text("không liên lạc được",
                                                                   timeout=WAIT)
        await expect(page.locator("#due-summary")).to_have_text(
            "Còn 1/3 người chưa liên lạc được · 0 mất liên lạc")

        # The list for the official's records: CSV with a BOM, the revealed name in it.
        async with page.expect_download() as started:
            await page.locator("#export").click()
        exported = (await (await started.value).path()).read_bytes()
        assert exported.startswith("\ufeff".encode())
        table = list(csv.DictReader(io.StringIO(exported.decode("utf-8-sig"))))
        assert {(r["subject_id"], r["full_name"], r["reached_today"], r["temperature_c"],
                 r["symptoms"], r["recorded_by"]) for r in table} == {
            (lost, "Trần Văn Lạc", "yes", "38.2", "ho", official.username),
            (new, "", "yes", "", "", official.username),
            (elsewhere, "", "no", "", "", official.username)}
        # …and as XLSX: a valid ZIP (every CRC checked) whose one sheet holds the same rows.
        async with page.expect_download() as started:
            await page.locator("#export-xlsx").click()
        sheet = xlsx_rows((await (await started.value).path()).read_bytes())
        assert sheet[0] == list(table[0].keys())
        assert sorted(sheet[1:]) == sorted([
            [NUMBERS[k](v) if k in NUMBERS else v for k, v in row.items() if v != ""]
            for row in table])
        # In English, the list says the same.
        await page.locator("#lang").click()
        await expect(page.locator("#due-summary")).to_have_text(
            "1 of 3 not reached yet · 0 lost to follow-up")
        await expect(rows.nth(0).locator(".due-status")).to_contain_text("reached · phone call")
        await context.close()
    assert watch.outside == [] and watch.errors == [], (watch.outside, watch.errors)

    # The server agrees, and the events name the official.
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        due = (await http.get("/v1/followups", headers=bearer(Role.ward_official, [BA_RIA]))).json()
        assert [(d["reached_today"], d["lost_to_followup"]) for d in due] == [(True, False)] * 2
        # Another role: the API refuses it (the page says so: test_pages.py).
        for answer in (await http.get("/v1/followups", headers=bearer(Role.officer)),
                       await http.post("/v1/followups", headers=bearer(Role.officer),
                                       json={"quarantine_id": "q-x", "reached": True})):
            assert answer.status_code == 403, answer.text
    recorded = await read_topic(servers.kafka_bootstrap, topics(FOLLOWUP_RECORDED), at_least=4)
    assert [parse_event(r.value).payload.by for r in recorded] == [official.username] * 4


async def test_another_role_is_told_the_console_is_not_for_it(system: System) -> None:
    epidemiologist = account(Role.epidemiologist, who="console-e2e-epi")
    async with chromium() as browser:
        page, context, watch = await watched_page(browser, PHONE)
        await sign_in(page, system.url("ward-notification") + "/", epidemiologist)
        await expect(page.locator("#wrong-role")).to_contain_text("Cán bộ phường/xã",
                                                                  timeout=WAIT)
        await expect(page.locator("#followup-panel")).to_have_count(0)  # nothing of the work
        await context.close()
    assert watch.outside == [] and watch.errors == [], (watch.outside, watch.errors)
    async with httpx.AsyncClient(base_url=system.url("ward-notification"), timeout=10) as http:
        answer = await http.get("/v1/followups", headers=bearer(Role.epidemiologist))
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden"
