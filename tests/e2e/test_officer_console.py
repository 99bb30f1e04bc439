"""The officers' console of the declaration service, in Chromium, signed in through
Keycloak as an officer: three paper forms typed by keyboard only (keystrokes and Tab stops
counted; the CCCD checked as it is typed; wards found by names typed without accents; the
trip kept for the next form; the same form again stores nothing), then a CSV with one bad
row imported after a preview (the bad row named in both languages, the others stored, a
second import stores nothing twice), a flight's manifest, a green-lane truck with its
driver and its QR, and the officer's own entries of the day. The events
name the officer. Another role is told the console is not for it, and the API refuses it.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.async_api import FilePayload, Page, Response, expect

from libs.contracts.envelope import parse_event
from libs.contracts.events.declaration import DeclarationSubmitted
from libs.contracts.topics import DECLARATION_SUBMITTED, VEHICLE_DECLARED, Topics
from libs.runtime.auth import Role
from tests.e2e.conftest import System
from tests.support.browser import DESKTOP, PHONE, chromium, sign_in, watched_page
from tests.support.declaration_samples import (
    HOAN_KIEM,
    PAPER_HEADER,
    VUNG_TAU,
    csv_bytes,
    paper_row,
)
from tests.support.kafka import read_topic
from tests.support.servers import Servers
from tests.support.tokens import account, bearer
from tests.support.typist import Typist

MANIFEST = ["full_name", "date_of_birth", "gender", "nationality", "passport", "national_id",
            "seat", "destination_ward", "destination_address"]
ARTIFACTS = Path(__file__).parents[1] / "artifacts" / "pages"
WAIT = 60_000  # ms; a bound against a hang, not a timing assertion


def first_load(page: Page, base: str) -> dict[str, Response]:
    seen: dict[str, Response] = {}

    def keep(response: Response) -> None:
        if response.url.startswith(base):
            seen.setdefault(response.url.split("?")[0], response)

    page.on("response", keep)
    return seen


async def person(hands: Typist, name: str, born: str, gender: str, national_id: str,
                 ward: str, address: str) -> None:
    """The top of the paper form, in its order, from the name field to the address."""
    await hands.field(name)
    await hands.field(born)
    await hands.press(gender)
    await hands.press("Tab")
    await hands.field(national_id)
    await hands.field("")  # no phone on this form
    await hands.field(ward)  # Tab takes the first match
    await hands.field(address)


async def test_an_officer_types_three_paper_forms_and_imports_a_csv(
        system: System, servers: Servers) -> None:
    base = system.url("declaration")
    officer = account(Role.officer, who="officer-console-e2e")
    async with chromium() as browser:
        page, context, watch = await watched_page(browser, DESKTOP)
        loaded = first_load(page, base)
        await sign_in(page, base + "/officer/", officer)
        await expect(page.locator("body[data-ready=yes]")).to_be_attached(timeout=WAIT)
        sizes = [await r.request.sizes() for r in list(loaded.values())]
        kib = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes) / 1024
        print(f"\nofficer console first load: {kib:.1f} KiB in {len(sizes)} responses")
        assert kib < 400, f"the console weighs {kib:.1f} KiB on first load"
        await expect(page.locator("h1")).to_have_text("Nhập tờ khai giấy")
        await expect(page.locator("#form .ward-search span").first).to_have_text(
            "Phường/xã thường trú")
        form, saved = page.locator("#form"), page.locator("#saved")

        # Form 1, with its trip. The focus starts on the name.
        await expect(page.locator("#full-name")).to_be_focused()
        hands = Typist(page)
        await person(hands, "Nguyễn Văn An", "14031985", "1", "001085012345", "hoan kiem",
                     "12 Hàng Bạc")
        await expect(page.locator("#cccd-check")).to_have_text("CCCD hợp lệ: sinh năm 1985, Nam")
        await expect(form.locator("[name='residence.permanent.ward_code']")).to_have_value("00070")
        await hands.press("Tab")  # "stays elsewhere": no
        await hands.field("hoan kiem")  # from
        await hands.field("vung tau")  # to
        await expect(form.locator("[name='trip.destination_ward']")).to_have_value("26506")
        await hands.press("Tab")  # departure: today, as filled
        await hands.press("Tab")  # mode: coach, as filled
        await hands.field("51B12345")
        await hands.press("Tab", 2)  # symptoms, exposures: one stop each, none ticked
        await hands.field("2")  # vaccine doses
        await hands.press("Space")  # the signed pledge
        await hands.press("Enter")
        await expect(saved).to_contain_text("Đã lưu tờ số 1: Nguyễn Văn An", timeout=WAIT)
        first = (hands.keys, hands.tabs)
        await expect(page.locator("#full-name")).to_be_focused()
        await expect(page.locator("#trip-kept")).to_contain_text("Phường Vũng Tàu")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=ARTIFACTS / "officer-console-desktop.png", full_page=True)

        # Form 2: the trip is kept (one Tab stop); a cough ticked inside its group.
        hands = Typist(page)
        await person(hands, "Trần Thị Bình", "02/07/1990", "2", "079190000123", "vung tau",
                     "5 Trần Phú")
        await expect(page.locator("#cccd-check")).to_have_text("CCCD hợp lệ: sinh năm 1990, Nữ")
        await hands.press("Tab", 2)  # "stays elsewhere", "change the trip"
        await hands.press("ArrowDown")  # fever → cough
        await hands.press("Space")
        await hands.press("Tab", 2)  # exposures; doses left empty
        await hands.press("Tab")
        await hands.press("Space")
        await hands.press("Enter")
        await expect(saved).to_contain_text("Đã lưu tờ số 2: Trần Thị Bình", timeout=WAIT)
        second = (hands.keys, hands.tabs)

        # Form 3: a CCCD that contradicts the date of birth is flagged as it is typed.
        hands = Typist(page)
        await hands.field("Lê Văn Cường")
        await hands.field("1/1/2001")
        await hands.press("1")
        await hands.press("Tab")
        await hands.type("001085")
        await expect(page.locator("#cccd-check")).to_have_text("Còn thiếu 6 số")
        await hands.type("000456")
        await expect(page.locator("#cccd-check")).to_have_text(
            "CCCD ghi năm sinh 1985, khác ngày sinh đã nhập")
        await expect(page.locator("#national-id")).to_have_attribute("aria-invalid", "true")
        await hands.press("Backspace", 12)
        await hands.field("001201000456")
        await expect(page.locator("#cccd-check")).to_have_text("CCCD hợp lệ: sinh năm 2001, Nam")
        await hands.field("")
        await hands.field("hoàn kiếm")
        await hands.field("1 Tràng Tiền")
        await hands.press("Tab", 5)  # to the pledge, by the kept trip and the groups
        await hands.press("Space")
        await hands.press("Enter")
        await expect(saved).to_contain_text("Đã lưu tờ số 3: Lê Văn Cường", timeout=WAIT)
        print(f"paper form 1 (with its trip): {first[0]} keys, {first[1]} Tab stops; "
              f"form 2 (trip kept): {second[0]} keys, {second[1]} Tab stops")
        assert second[1] <= 12 and second[0] <= 70, second

        # The same form typed again (a second officer's pass): nothing new is stored.
        hands = Typist(page)
        await person(hands, "Trần Thị Bình", "02071990", "2", "079190000123", "vung tau",
                     "5 Trần Phú")
        await hands.press("Tab", 2)
        await hands.press("ArrowDown")
        await hands.press("Space")
        await hands.press("Tab", 3)
        await hands.press("Space")
        await hands.press("Enter")
        await expect(saved).to_have_attribute("data-duplicate", "true", timeout=WAIT)
        await expect(saved).to_contain_text("đã được nhập trước đó")

        # A field the server refuses is shown beside the field, the form kept.
        await page.locator("#full-name").fill("X")
        await page.locator("#consent").check()
        await page.keyboard.press("Control+Enter")
        await expect(page.locator("#form-error")).to_be_visible(timeout=WAIT)
        await expect(page.locator("[data-error-for='person.full_name']")).not_to_be_empty()
        await expect(page.locator("#full-name")).to_have_value("X")

        # A CSV of three forms, one with a bad ID number: previewed, imported, imported again.
        rows = [paper_row("001085099001", "Phạm Văn Dũng"), paper_row("12", "Hoàng Thị Em"),
                paper_row("001185099003", "Vũ Thị Giang", gender="nữ")]
        upload = FilePayload(name="chot-dem.csv", mimeType="text/csv",
                             buffer=csv_bytes(PAPER_HEADER, rows, bom=True))
        await page.locator("[data-tab=import]").click()
        await page.locator("#import-file").set_input_files(upload)
        await expect(page.locator("#preview-summary")).to_contain_text("3 dòng trong tệp chot-dem.csv")
        await expect(page.locator("#preview-table tbody tr")).to_have_count(3)
        await page.locator("#import-send").click()
        await expect(page.locator("#report-summary")).to_have_text(
            "3 dòng: lưu mới 2, đã có trước 0, lỗi 1.", timeout=WAIT)
        bad = page.locator("#report-errors tbody tr")
        await expect(bad).to_have_count(1)
        await expect(bad.locator("td").nth(0)).to_have_text("3")  # line 3: the header is line 1
        await expect(bad.locator("td").nth(1)).to_have_text("national_id")
        await expect(bad.locator("td").nth(3)).not_to_be_empty()  # the English message too
        await page.locator("#import-send").click()
        await expect(page.locator("#report-summary")).to_have_text(
            "3 dòng: lưu mới 0, đã có trước 2, lỗi 1.", timeout=WAIT)

        # A flight's manifest: the arrival typed above the file, two passengers stored.
        await page.locator("#import-format").select_option("manifest")
        arrival = page.locator("#manifest")
        await arrival.locator("[name=number]").fill("VN 213")
        await arrival.locator("input[role=combobox]").fill("hoan kiem")
        await page.keyboard.press("Enter")
        await arrival.locator("[name=country_of_departure]").fill("KR")
        passengers = [
            {"full_name": "Kim Min-jun", "date_of_birth": "1990-02-02", "gender": "male",
             "nationality": "KR", "passport": "M12345678", "seat": "12A",
             "destination_ward": VUNG_TAU, "destination_address": "Khách sạn Biển Xanh"},
            {"full_name": "Đỗ Hoàng Nam", "date_of_birth": "1988-08-08", "gender": "male",
             "nationality": "VN", "national_id": "001088012345", "seat": "12B",
             "destination_ward": HOAN_KIEM}]
        await page.locator("#import-file").set_input_files(FilePayload(
            name="vn213.csv", mimeType="text/csv", buffer=csv_bytes(MANIFEST, passengers)))
        await expect(page.locator("#preview-table tbody tr")).to_have_count(2)
        await page.locator("#import-send").click()
        await expect(page.locator("#report-summary")).to_have_text(
            "2 dòng: lưu mới 2, đã có trước 0, lỗi 0.", timeout=WAIT)

        # A green-lane truck with its driver; its QR code shown, and printed on its own.
        await page.locator("[data-tab=vehicle]").click()
        truck = page.locator("#vehicle-form")
        await truck.locator("[name=plate]").fill("29C-123.45")
        await truck.locator("[name=vehicle_type]").select_option("refrigerated_truck")
        await truck.locator("[name=cargo]").fill("Rau quả tươi")
        await truck.locator("[name=permit_number]").fill("GL-2026-000777")
        for ward, typed in (("origin_ward", "hoan kiem"), ("destination_ward", "sai gon"),
                            ("depot.ward_code", "hoan kiem")):
            await truck.locator(f".ward-search[data-name='{ward}'] input[role=combobox]").fill(typed)
            await page.keyboard.press("Enter")
        await expect(truck.locator("[name='destination_ward']")).to_have_value("26740")
        await truck.locator("[name='depot.address']").fill("Kho lạnh số 3")
        driver = truck.locator(".crew-member").nth(0)
        await driver.locator("[name='crew.0.person.full_name']").fill("Đỗ Văn Hải")
        await driver.locator("[name='crew.0.person.date_of_birth']").fill("20/05/1980")
        await driver.locator("[name='crew.0.person.gender']").select_option("male")
        await driver.locator("[name='crew.0.person.national_id']").fill("001080000555")
        await driver.locator("[name='crew.0.person.phone']").fill("0912000555")
        await driver.locator("input[role=combobox]").fill("hoan kiem")
        await page.keyboard.press("Enter")
        await driver.locator("[name='crew.0.residence.permanent.address']").fill("9 Lý Thái Tổ")
        await truck.locator("#vehicle-consent").check()
        await truck.locator("#vehicle-submit").click()
        await expect(page.locator("#vehicle-saved")).to_contain_text("Đã khai báo xe 29C12345",
                                                                     timeout=WAIT)
        await expect(page.locator("#vehicle-crew li")).to_have_count(1)
        await expect(page.locator("#vehicle-qr")).to_have_attribute("src", re.compile("^blob:"))
        assert await page.locator("#vehicle-qr").evaluate(
            "img => img.decode().then(() => img.naturalWidth)") > 0
        await page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
        await page.locator("#vehicle-print").click()
        await expect(page.locator("body")).to_have_attribute("data-printed", "yes")
        await expect(page.locator("#qr-print img")).to_be_attached()

        # The officer's entries of the day: three typed, four imported, the truck's driver.
        await page.locator("[data-tab=entries]").click()
        await expect(page.locator("#entries-table tbody tr")).to_have_count(8, timeout=WAIT)
        await expect(page.locator("#entries-count")).to_have_text("(8)")
        await expect(page.locator("#entries-table")).to_contain_text("Trần T. B.")
        # In English, the same list.
        await page.locator("#lang").click()
        await expect(page.locator("h1")).to_have_text("Paper form entry")
        await expect(page.locator("#entries-table thead")).to_contain_text("Declarant")

        # Usable on a phone at the gate: nothing scrolls sideways at 360 px.
        await page.set_viewport_size(PHONE)
        await page.locator("[data-tab=paper]").click()
        width = await page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
        assert width[0] <= width[1], f"sideways scrolling at 360 px: {width}"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=ARTIFACTS / "officer-console-360.png", full_page=True)
        await context.close()
    # The one refusal asked for above is the browser's only complaint.
    refused = [e for e in watch.errors if "422" in e and "/v1/declarations/paper" in e]
    assert len(refused) == 1, watch.errors
    assert watch.outside == [] and len(watch.errors) == 1, (watch.outside, watch.errors)

    # Every declaration stored names the officer who entered it (8 events: 3 typed, 4
    # imported, the driver's; the duplicate form and the second import published nothing).
    # The topic is shared with the other tests of the session: the officer's are picked out.
    topic = Topics(system.prefix)(DECLARATION_SUBMITTED)
    entered: list[DeclarationSubmitted] = []
    for _ in range(10):  # each read waits for the topic; the relays publish within seconds
        records = await read_topic(servers.kafka_bootstrap, topic, at_least=8, settle_s=1.0)
        entered = [p for r in records
                   if isinstance(p := parse_event(r.value).payload, DeclarationSubmitted)
                   and p.entered_by == officer.username]
        if len(entered) >= 8:
            break
    assert sorted(p.channel.value for p in entered) == ["import"] * 4 + ["paper"] * 3 + ["web"]
    vehicles = await read_topic(servers.kafka_bootstrap, Topics(system.prefix)(VEHICLE_DECLARED))
    assert officer.username in {parse_event(r.value).payload.entered_by for r in vehicles}


async def test_another_role_is_told_the_console_is_not_for_it(system: System) -> None:
    official = account(Role.ward_official, ["00070"], who="officer-console-wrong")
    base = system.url("declaration")
    async with chromium() as browser:
        page, context, watch = await watched_page(browser, PHONE)
        await sign_in(page, base + "/officer/", official)
        refusal = page.locator("#wrong-role")
        await expect(refusal).to_contain_text("Cán bộ chốt", timeout=WAIT)
        await expect(page.locator("#work")).to_have_count(0)  # nothing of the work
        await context.close()
    assert watch.outside == [] and watch.errors == [], (watch.outside, watch.errors)
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        for answer in (await http.get("/v1/entries", headers=bearer(Role.ward_official)),
                       await http.post("/v1/declarations/paper", json={},
                                       headers=bearer(Role.ward_official))):
            assert answer.status_code == 403, answer.text
            assert answer.json()["error"]["code"] == "forbidden"
