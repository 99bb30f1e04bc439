"""The whole journey, as its users meet it, in a real headless Chromium (issue 11).

A citizen declares on a phone and gets a QR; it turns verified on her status view;
an officer films that QR (the image the citizen's page showed) with the scanner page
and passes her; the destination ward's page shows it live; an epidemiologist finds
her timeline and the person who passed the same checkpoint minutes before. The staff
sign in as they do at work: on the identity provider's sign-in page.

The five services run as processes (tests/e2e/conftest.py). The API is used only for
what no user of these pages does: loading the registry, adding the checkpoint, and
the other traveller's declaration and passage. Screenshots of every step go to
tests/artifacts/journey/, and also to docs/journey/ with KHAIBAO_UPDATE_DOCS=1 (the
README's pictures).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.async_api import Locator, Page, expect

from libs.contracts.values import subject_id_for
from libs.runtime.auth import Role
from libs.runtime.settings import DEV_SUBJECT_SECRET
from tests.e2e.conftest import System
from tests.support.browser import CHROMIUM, PHONE, Watch, chromium, sign_in, watched_page, y4m
from tests.support.checkpoint_system import decode
from tests.support.kafka import eventually
from tests.support.samples import HOAN_KIEM, VUNG_TAU, declaration_form
from tests.support.tokens import account, bearer

ARTIFACTS = Path(__file__).parents[1] / "artifacts" / "journey"
DOCS = Path(__file__).parents[2] / "docs" / "journey"
CHECKPOINT = "cp-journey-phapvan"
WAIT = 120_000  # ms; a bound against a hang (first consumer-group joins are slow), not a timing
CITIZEN = {"national_id": "001085012450", "full_name": "Trần Văn Bình",
           "date_of_birth": "1985-03-14", "gender": "male", "permanent_ward": HOAN_KIEM,
           "status": "living"}
OTHER = {"national_id": "001190012461", "full_name": "Lê Thị Hoa", "date_of_birth": "1990-07-02",
         "gender": "female", "permanent_ward": HOAN_KIEM, "status": "living"}

# No skip: a browser test that cannot run must fail (deploy/apt-packages.txt installs chromium).
assert CHROMIUM.exists(), "Debian's chromium is missing: apt-get install chromium"


def subject(person: dict[str, str]) -> str:
    return subject_id_for(DEV_SUBJECT_SECRET.encode(), person["national_id"])


async def shot(page: Page, name: str) -> None:
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=path, full_page=True, scale="css")
    if os.environ.get("KHAIBAO_UPDATE_DOCS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)  # 128 colours: a third of the bytes
        Image.open(path).quantize(128).save(DOCS / path.name, optimize=True)


async def setup(system: System) -> None:
    """The registry knows both travellers; the checkpoint exists."""
    async with httpx.AsyncClient(timeout=30) as http:
        rows = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in (CITIZEN, OTHER))
        loaded = await http.post(f"{system.url('identity-verification')}/v1/residents/import",
                                 content=rows.encode(), headers={
                                     **bearer(Role.admin, who="journey-admin"),
                                     "content-type": "application/x-ndjson"})
        assert loaded.status_code == 200, loaded.text
        added = await http.put(f"{system.url('checkpoint')}/v1/checkpoints/{CHECKPOINT}",
                               headers=bearer(Role.admin, who="journey-admin"), json={
                                   "name": "Chốt Pháp Vân", "kind": "road", "ward_code": HOAN_KIEM,
                                   "latitude": 20.95, "longitude": 105.84})
        assert added.status_code in (200, 201), added.text


async def other_traveller_passes(system: System) -> None:
    """Someone else declares and is passed at the same checkpoint, minutes earlier."""
    body = declaration_form(OTHER["national_id"])
    body["person"].update({k: OTHER[k] for k in ("full_name", "date_of_birth", "gender")})
    officer = bearer(Role.officer, [CHECKPOINT], who="journey-other-officer")
    async with httpx.AsyncClient(timeout=30) as http:
        declared = (await http.post(f"{system.url('declaration')}/v1/declarations",
                                    json=body)).json()
        png = await http.get(system.url("declaration") + declared["qr"]["png"],
                             headers={"authorization": f"Bearer {declared['access_token']}"})
        token = decode(png.content)

        async def verified_scan() -> dict[str, Any] | None:
            answer = await http.post(f"{system.url('checkpoint')}/v1/scans", headers=officer,
                                     json={"checkpoint_id": CHECKPOINT, "token": token})
            ok = answer.status_code == 200 and answer.json()["person"]["status"] == "verified"
            return answer.json() if ok else None

        scan = await eventually(verified_scan, timeout_s=WAIT / 1000, interval_s=1)
        passed = await http.post(f"{system.url('checkpoint')}/v1/passages", headers=officer, json={
            "scan_id": scan["scan_id"], "decision": "pass", "direction": "through"})
        assert passed.status_code == 201, passed.text


async def fill_declaration(page: Page) -> None:
    async def place(name: str, province: str, ward: str) -> None:
        box = page.locator(f"[data-place='{name}']")
        await box.locator("select.province").select_option(province)
        await box.locator("select.ward").select_option(ward)

    await page.fill("[name='person.full_name']", CITIZEN["full_name"])
    await page.fill("[name='person.date_of_birth']", CITIZEN["date_of_birth"])
    await page.select_option("[name='person.gender']", CITIZEN["gender"])
    await page.fill("[name='person.national_id']", CITIZEN["national_id"])
    await page.fill("[name='person.phone']", "0987 654 321")
    await place("residence.permanent", "1", HOAN_KIEM)
    await page.fill("[name='residence.permanent.address']", "8 Hàng Ngang")
    await place("trip.origin", "1", HOAN_KIEM)
    await place("trip.destination", "79", VUNG_TAU)
    await page.fill("[name='trip.transport.number']", "30H-456.78")
    await page.check("[name=consent]")


async def click_until(page: Page, button: str, found: Locator) -> None:
    """Search again, as a person would, until the projection has caught up."""
    for _ in range(60):
        await page.click(button)
        try:
            await expect(found).to_be_visible(timeout=2_000)
            return
        except AssertionError:
            pass
    await expect(found).to_be_visible()


@pytest.mark.timeout(900)
async def test_the_journey_from_declaration_to_contacts(system: System, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await setup(system)
    watches: dict[str, Watch] = {}

    async with chromium() as citizen_phone:  # 1. the citizen declares and gets a QR
        page, _, watches["declaration"] = await watched_page(
            citizen_phone, {"width": 360, "height": 740})
        await page.goto(system.url("declaration") + "/")
        await expect(page.locator("body[data-ready=true]")).to_be_attached(timeout=WAIT)
        await fill_declaration(page)
        await shot(page, "01-declare")
        await page.click("#submit")
        card = page.locator("article.card").first
        await expect(card.locator("img.qr")).to_have_js_property("complete", True, timeout=WAIT)
        # Usually still "being verified" here; the verdict may already be back, though.
        await expect(card.locator(".status")).to_have_text(
            re.compile("Đang xác minh|Đã xác minh"))
        await shot(page, "02-qr")
        qr_png = bytes(await card.locator("img.qr").evaluate(  # the very image it shows
            "async img => [...new Uint8Array(await (await fetch(img.src)).arrayBuffer())]"))

        await other_traveller_passes(system)  # setup, while her declaration is being verified
        # 2. without a reload, her status view turns verified
        await expect(card.locator(".status")).to_have_text("Đã xác minh", timeout=WAIT)
        await expect(card.locator(".level")).to_have_count(2)
        await shot(page, "03-verified")

    camera = y4m(qr_png, tmp_path / "qr.y4m")
    async with chromium(camera) as browser:
        # The destination ward's page is open before she reaches the checkpoint.
        ward, _, watches["ward"] = await watched_page(browser, PHONE)
        await sign_in(ward, f"{system.url('ward-notification')}/",
                      account(Role.ward_official, [VUNG_TAU], who="journey-ward"))
        await expect(ward.locator("#live")).to_have_attribute("data-state", "open", timeout=WAIT)
        arriving = ward.locator("#inbox li.arriving", has_text=subject(CITIZEN)[:10])
        await expect(arriving).to_have_count(1, timeout=WAIT)
        await ward.evaluate("window.sameDocument = true")

        # 3. the officer films her QR and passes her
        scanner, context, watches["checkpoint"] = await watched_page(browser, PHONE)
        await context.grant_permissions(["camera"], origin=system.url("checkpoint"))
        await sign_in(scanner, f"{system.url('checkpoint')}/",
                      account(Role.officer, [CHECKPOINT], who="journey-officer"))
        await expect(scanner.locator("body")).to_have_attribute("data-ready", "yes", timeout=WAIT)
        await scanner.select_option("#checkpoint", CHECKPOINT)
        await expect(scanner.locator("#direction")).to_have_value("through")
        await scanner.click("#scan-start")
        await expect(scanner.locator("#local-check")).to_contain_text("Chữ ký hợp lệ",
                                                                      timeout=30_000)
        await expect(scanner.locator("#who")).to_have_text("Trần V. B.")
        await expect(scanner.locator("#status")).to_have_text("Đã xác minh")
        await shot(scanner, "04-scan")
        await scanner.click("#pass")
        await expect(scanner.locator("#notice")).to_have_text("Đã ghi nhận")
        await shot(scanner, "05-passed")

        # 4. the destination ward sees it live
        passed = ward.locator("#inbox li.passed", has_text=subject(CITIZEN)[:10])
        await expect(passed).to_have_count(1, timeout=WAIT)
        await expect(passed).to_contain_text(CHECKPOINT)
        assert await ward.evaluate("window.sameDocument === true"), "the page was not reloaded"
        await shot(ward, "06-ward")

        # 5. the epidemiologist finds her timeline and her contact
        trace, _, watches["trace"] = await watched_page(browser, PHONE)
        await sign_in(trace, system.url("movement-trace") + "/",
                      account(Role.epidemiologist, who="journey-epi"))
        await trace.fill("#who", CITIZEN["national_id"])
        await trace.fill("#purpose", "điều tra ca bệnh")
        passage = trace.locator("#movements li", has_text=CHECKPOINT)
        await click_until(trace, "#show-timeline", passage)
        await expect(passage).to_contain_text("Qua chốt")
        await expect(trace.locator("#chart svg circle.point")).not_to_have_count(0)
        await shot(trace, "07-timeline")
        contact = trace.locator(f"#contacts-1 li[data-subject='{subject(OTHER)}']")
        await click_until(trace, "#show-contacts", contact)
        await expect(contact).to_contain_text(CHECKPOINT)
        await expect(trace.locator("#contacts-1 li[data-subject]")).to_have_count(1)
        await shot(trace, "08-contacts")

    for name, watch in watches.items():
        assert watch.outside == [], f"{name}: requests left 127.0.0.1: {watch.outside}"
        assert watch.errors == [], f"{name}: console errors: {watch.errors}"
