"""Seeing the person, in the pages: a ward official reveals an arriving traveller's phone,
the traveller's own card then shows that someone looked (and why), an admin finds it in
the audit, and the official signs out. Five services as processes, Keycloak's sign-in.
"""

from __future__ import annotations

import json

import httpx
from playwright.async_api import expect

from libs.contracts.values import subject_id_for
from libs.runtime.auth import Role
from libs.runtime.settings import DEV_SUBJECT_SECRET
from tests.e2e.conftest import System
from tests.support.browser import DESKTOP, PHONE, chromium, sign_in, watched_page
from tests.support.samples import VUNG_TAU, declaration_form
from tests.support.tokens import account

WAIT = 60_000  # ms; a bound against a hang, not a timing assertion
PURPOSE = "gọi điện hướng dẫn tự theo dõi sức khoẻ"
CITIZEN_ID = "079185004321"


async def test_a_ward_reveals_an_arrival_and_the_person_sees_it(system: System) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        answer = await http.post(f"{system.url('declaration')}/v1/declarations", json={
            **declaration_form(CITIZEN_ID),
            "person": {**declaration_form()["person"], "national_id": CITIZEN_ID,
                       "full_name": "Lê Thị Thu", "date_of_birth": "1985-05-02",
                       "gender": "female", "phone": "0987001122"}})
    assert answer.status_code == 201, answer.text
    declared = answer.json()
    official = account(Role.ward_official, [VUNG_TAU], who="reveal-e2e-ward",
                       unit="UBND phường Vũng Tàu")
    admin = account(Role.admin, who="reveal-e2e-admin")

    async with chromium() as browser:
        ward, _, ward_watch = await watched_page(browser, PHONE)
        await sign_in(ward, system.url("ward-notification") + "/", official)
        pseudonym = subject_id_for(DEV_SUBJECT_SECRET.encode(), CITIZEN_ID)
        card = ward.locator("#inbox li.arriving", has_text=pseudonym[:10])
        await expect(card).to_have_count(1, timeout=WAIT)
        await card.locator("details.reveal summary").click()
        await card.locator("details.reveal input[name=purpose]").fill(PURPOSE)
        await card.locator("details.reveal button[type=submit]").click()
        await expect(card.locator(".revealed a.phone")).to_have_text("0987001122", timeout=WAIT)
        await expect(card.locator(".revealed .name")).to_have_text("Lê Thị Thu")

        # Her own card, on her phone: who looked (the unit, never the official's name).
        citizen, citizen_context, citizen_watch = await watched_page(browser, PHONE)
        remembered = [{"id": declared["declaration_id"], "token": declared["access_token"],
                       "name": "Lê Thị Thu", "until": declared["valid_until"]}]
        await citizen_context.add_init_script(
            f"localStorage.setItem('khaibao.declarations', {json.dumps(json.dumps(remembered))})")
        await citizen.goto(system.url("declaration") + "/")
        await citizen.locator("#mine-list button", has_text="Lê Thị Thu").click()
        accesses = citizen.locator("article.card details.accesses")
        await accesses.locator("summary").click()
        seen = accesses.locator("li.access-reveal")
        await expect(seen).to_contain_text(PURPOSE, timeout=WAIT)
        await expect(seen).to_contain_text("Cán bộ phường/xã (UBND phường Vũng Tàu)")
        await expect(seen).not_to_contain_text("reveal-e2e-ward")

        # The admin's audit page lists the reveal under the official's account.
        audit, _, audit_watch = await watched_page(browser, DESKTOP)
        await sign_in(audit, system.url("movement-trace") + "/", admin)
        await audit.locator("#audit-user").fill(official.username)
        await audit.locator("#audit-kind").select_option("reveal")
        await audit.locator("#audit-form button[type=submit]").click()
        row = audit.locator("#audit-rows tr.audit-reveal")
        await expect(row).to_have_count(1, timeout=WAIT)
        await expect(row).to_contain_text(PURPOSE)

        # Sign-out ends the session: the page asks for the sign-in form again.
        await ward.locator("#sign-out").click()
        await expect(ward.locator("#username")).to_be_visible(timeout=WAIT)
        await ward.goto(system.url("ward-notification") + "/")
        await expect(ward.locator("#username")).to_be_visible(timeout=WAIT)
    for watch in (ward_watch, citizen_watch, audit_watch):
        assert watch.outside == [] and watch.errors == [], (watch.outside, watch.errors)
