"""Foreigners' paper forms in the officers' console, in Chromium, signed in through
Keycloak as an officer, by keyboard only (keystrokes and Tab stops counted as for the
citizen's form in test_officer_console.py): the form switched to a foreigner's from the
keyboard; a passport checked as it is typed; the nationality found by its name typed
without accents; an arrival by plane; the kind of form and the trip kept for the next
passenger; a bad passport refused beside its field in both languages; a citizen's form
after them. The store holds the passport and nationality and no national ID; the same
form again is the same declaration; the officer's entries show the masked passport.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Request, expect
from pymongo import AsyncMongoClient

from libs.runtime.auth import Role
from tests.e2e.conftest import System
from tests.support.browser import DESKTOP, PHONE, chromium, sign_in, watched_page
from tests.support.declaration_samples import HOAN_KIEM, OFFICER, VUNG_TAU
from tests.support.servers import Servers
from tests.support.tokens import account
from tests.support.typist import Typist

ARTIFACTS = Path(__file__).parents[1] / "artifacts" / "pages"
WAIT = 60_000  # ms; a bound against a hang, not a timing assertion
TAN_SON_NHAT = "26968"  # Phường Tân Sơn Nhất, TP Hồ Chí Minh: the airport's ward


async def switch_kind(hands: Typist) -> None:
    """From the name field: back to the kind of form, tick or untick it, on to the name."""
    await hands.press("Shift+Tab")
    await hands.press("Space")
    await hands.press("Tab")


async def foreigner(hands: Typist, name: str, born: str, gender: str, passport: str,
                    country: str, ward: str, address: str) -> None:
    """The top of a foreigner's paper form, in its order, from the name to the address."""
    await hands.field(name)
    await hands.field(born)
    await hands.press(gender)
    await hands.press("Tab")
    await hands.field(passport)
    await hands.field(country)  # Tab takes the first match
    await hands.field("")  # no phone on this form
    await hands.field(ward)
    await hands.field(address)


async def kept_trip_to_the_pledge(hands: Typist) -> None:
    """With the trip kept: past "stays elsewhere", "change the trip", the two groups of
    boxes and the doses, the pledge signed, saved."""
    await hands.press("Tab", 5)
    await hands.press("Space")
    await hands.press("Enter")


async def test_an_officer_types_foreigners_paper_forms_then_a_citizens(
        system: System, servers: Servers) -> None:
    base = system.url("declaration")
    officer = account(Role.officer, who="officer-foreigners-e2e")
    sent: list[Request] = []
    async with chromium() as browser:
        page, context, watch = await watched_page(browser, DESKTOP)
        page.on("request", lambda r: sent.append(r) if r.url.endswith(
            "/v1/declarations/paper") else None)
        await sign_in(page, base + "/officer/", officer)
        await expect(page.locator("body[data-ready=yes]")).to_be_attached(timeout=WAIT)
        form, saved = page.locator("#form"), page.locator("#saved")
        passport, check = page.locator("#passport"), page.locator("#passport-check")
        await expect(page.locator("#full-name")).to_be_focused()
        await expect(passport).to_be_hidden()

        # Form 1: the switch to a foreigner's form from the name field, then an arrival by
        # plane from the airport's ward.
        hands = Typist(page)
        await hands.press("Shift+Tab")
        await expect(page.locator("#foreigner")).to_be_focused()
        await hands.press("Space")
        await hands.press("Tab")
        await expect(page.locator("#full-name")).to_be_focused()
        await expect(page.locator("#national-id")).to_be_hidden()
        await expect(passport).to_be_visible()
        await expect(form.locator(".ward-search span").first).to_have_text(
            "Phường/xã nơi lưu trú tại Việt Nam")
        await hands.field("Kim Min-jun")
        await hands.field("02021990")
        await hands.press("1")
        await hands.press("Tab")
        await hands.type("m 12")
        await expect(check).to_have_text("Còn thiếu ít nhất 2 ký tự")
        await hands.type("34")
        await expect(check).to_have_text("Số hộ chiếu sẽ lưu: M1234")
        await hands.type(" 5678")
        await expect(check).to_have_text("Số hộ chiếu sẽ lưu: M12345678")
        await hands.press("Tab")
        await hands.field("han quoc")  # Hàn Quốc, typed without its accents
        await expect(form.locator("[name='person.nationality']")).to_have_value("KR")
        await expect(form.locator(".country-search input[role=combobox]")).to_have_value(
            "Hàn Quốc (KR)")
        await hands.field("")  # no phone
        await hands.field("vung tau")  # where they stay: a hotel
        await hands.field("Khách sạn Biển Xanh")
        await hands.press("Tab")  # "stays elsewhere": no
        await hands.field("tan son nhat")  # from the airport
        await hands.field("vung tau")
        await expect(form.locator("[name='trip.origin_ward']")).to_have_value(TAN_SON_NHAT)
        await hands.press("Tab")  # departure: today, as filled
        await hands.press("m")  # mode: "Máy bay"
        await expect(form.locator("[name='trip.transport.mode']")).to_have_value("plane")
        await hands.press("Tab")
        await hands.field("KE 681")
        await hands.press("Tab", 2)  # symptoms, exposures
        await hands.field("2")  # vaccine doses
        await hands.press("Space")  # the signed pledge
        await hands.press("Enter")
        await expect(saved).to_contain_text("Đã lưu tờ số 1: Kim Min-jun", timeout=WAIT)
        kim = await saved.get_attribute("data-id")
        first = (hands.keys, hands.tabs)
        await expect(page.locator("#full-name")).to_be_focused()
        await expect(page.locator("#foreigner")).to_be_checked()  # kept for the next passenger
        await expect(page.locator("#trip-kept")).to_contain_text("Phường Tân Sơn Nhất")
        await expect(form.locator("[name='person.nationality']")).to_have_value("")

        # Form 2: the next passenger of the flight; the kind of form and the trip kept.
        hands = Typist(page)
        await foreigner(hands, "Tanaka Yuki", "15/08/1992", "2", "TZ1234567", "nhat ban",
                        "hoan kiem", "Khách sạn Phố Cổ")
        await expect(form.locator("[name='person.nationality']")).to_have_value("JP")
        await kept_trip_to_the_pledge(hands)
        await expect(saved).to_contain_text("Đã lưu tờ số 2: Tanaka Yuki", timeout=WAIT)
        second = (hands.keys, hands.tabs)
        tanaka = sent[-1].post_data

        # Form 3: a passport the service refuses, shown beside its field in both languages.
        hands = Typist(page)
        await foreigner(hands, "John Smith", "1/1/1980", "1", "X12#45", "hoa ky",
                        "hoan kiem", "12 Hàng Bạc")
        await expect(form.locator("[name='person.nationality']")).to_have_value("US")
        await expect(check).to_have_text("Số hộ chiếu chỉ gồm chữ cái không dấu và chữ số")
        await expect(passport).to_have_attribute("aria-invalid", "true")
        await page.locator("#consent").check()
        await page.keyboard.press("Control+Enter")
        beside = page.locator("[data-error-for='person.passport']")
        await expect(beside).to_have_text("Số hộ chiếu gồm 5 đến 20 chữ cái hoặc chữ số",
                                          timeout=WAIT)
        await expect(passport).to_be_focused()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=ARTIFACTS / "officer-foreigner-desktop.png", full_page=True)
        await page.locator("#lang").click()
        await expect(beside).to_have_text("A passport number has 5 to 20 letters or digits")
        await expect(form.locator(".country-search input[role=combobox]")).to_have_value(
            "United States (US)")
        await page.locator("#lang").click()
        await expect(saved).to_contain_text("tờ số 2")  # nothing saved
        # No passport at all: the service asks for a document, beside the passport too.
        await passport.fill("")
        await page.keyboard.press("Control+Enter")
        await expect(beside).to_have_text(
            "Cần số CCCD/CMND, hoặc số hộ chiếu với người nước ngoài", timeout=WAIT)
        await expect(passport).to_be_focused()
        await passport.press_sequentially("X1234567")
        await passport.press("Enter")
        await expect(saved).to_contain_text("Đã lưu tờ số 3: John Smith", timeout=WAIT)

        # Form 4: a citizen's, after the foreigners: the kind of form switched back.
        hands = Typist(page)
        await switch_kind(hands)
        await expect(page.locator("#foreigner")).not_to_be_checked()
        await expect(page.locator("#national-id")).to_be_visible()
        await expect(passport).to_be_hidden()
        await hands.field("Nguyễn Văn An")
        await hands.field("14031985")
        await hands.press("1")
        await hands.press("Tab")
        await hands.field("001085012345")
        await expect(page.locator("#cccd-check")).to_have_text("CCCD hợp lệ: sinh năm 1985, Nam")
        await hands.field("")
        await hands.field("hoan kiem")
        await hands.field("12 Hàng Bạc")
        await kept_trip_to_the_pledge(hands)
        await expect(saved).to_contain_text("Đã lưu tờ số 4: Nguyễn Văn An", timeout=WAIT)
        citizen = await saved.get_attribute("data-id")
        fourth = (hands.keys, hands.tabs)
        print(f"\nforeigner's paper form 1 (switch and trip included): {first[0]} keys, "
              f"{first[1]} Tab stops; form 2 (kind and trip kept): {second[0]} keys, "
              f"{second[1]} Tab stops; citizen's form after them (switch back included): "
              f"{fourth[0]} keys, {fourth[1]} Tab stops")
        # As the citizen's kept-trip form (test_officer_console.py), a country more.
        assert second[1] <= 13 and second[0] <= 80, second

        # The officer's entries of the day: the foreigners by masked passport and country.
        await page.locator("[data-tab=entries]").click()
        rows = page.locator("#entries-table tbody tr")
        await expect(rows).to_have_count(4, timeout=WAIT)
        kim_row = page.locator(f"#entries-table tr[data-id='{kim}']")
        await expect(kim_row).to_contain_text("Kim M.")
        await expect(kim_row).to_contain_text("Hộ chiếu ******678 · Hàn Quốc (KR)")
        await expect(page.locator(f"#entries-table tr[data-id='{citizen}']")).to_contain_text(
            "001******345")
        await expect(page.locator("#entries-table")).not_to_contain_text("M12345678")
        await page.locator("#lang").click()
        await expect(kim_row).to_contain_text("Passport ******678 · South Korea (KR)")
        await page.locator("#lang").click()

        # At 360 px, a foreigner's form scrolls nowhere sideways.
        await page.set_viewport_size(PHONE)
        await page.locator("[data-tab=paper]").click()
        await page.locator("#foreigner").check()
        width = await page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
        assert width[0] <= width[1], f"sideways scrolling at 360 px: {width}"
        await page.screenshot(path=ARTIFACTS / "officer-foreigner-360.png", full_page=True)
        await context.close()
    # The two refusals asked for above are the browser's only complaints.
    assert watch.outside == [] and len(watch.errors) == 2, (watch.outside, watch.errors)
    assert all("422" in e and "/v1/declarations/paper" in e for e in watch.errors), watch.errors

    # The store: passport and nationality for the foreigner, no national ID; the citizen's
    # the other way round.
    assert kim is not None and citizen is not None
    stored = await declarations(system, servers, kim, citizen)
    kim_person, kim_trip = stored[kim]["person"], stored[kim]["trip"]
    assert (kim_person["passport"], kim_person["nationality"]) == ("M12345678", "KR")
    assert kim_person.get("national_id") is None
    assert kim_trip["origin_ward"] == TAN_SON_NHAT and kim_trip["destination_ward"] == VUNG_TAU
    assert (kim_trip["transport"]["mode"], kim_trip["transport"]["number"]) == ("plane", "KE681")
    assert stored[kim]["channel"] == "paper" and stored[kim]["entered_by"] == officer.username
    assert stored[citizen]["person"]["national_id"] == "001085012345"
    assert stored[citizen]["person"].get("passport") is None
    assert stored[citizen]["residence"]["permanent"]["ward_code"] == HOAN_KIEM

    # The same foreigner's form sent again is the same declaration, nothing new stored.
    assert tanaka is not None
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        again = await http.post("/v1/declarations/paper", json=json.loads(tanaka),
                                headers=OFFICER)
    assert again.status_code == 201, again.text
    assert again.json()["duplicate"] is True


async def declarations(system: System, servers: Servers, *ids: str) -> dict[str, dict[str, Any]]:
    """The declarations as the store holds them (the published event's body), by id."""
    async with AsyncMongoClient[dict[str, Any]](servers.mongo_url) as client:
        collection = client[system.environ["DECLARATION_MONGO_DB"]]["declarations"]
        found = await collection.find({"_id": {"$in": list(ids)}}).to_list()
    assert len(found) == len(ids), found
    return {doc["_id"]: doc["declaration"] for doc in found}
