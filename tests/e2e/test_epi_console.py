"""The epidemiologist's console (issue 18), in a real headless Chromium signed in through
Keycloak, with the five services as processes (tests/e2e/conftest.py):

three travellers declare and pass the same checkpoint a minute apart, and one of them
meets a fourth at another; the epidemiologist confirms the first as a case in the
console, sees the other two proposed as F1 with the checkpoint as evidence, orders
quarantine for both from the keyboard, sees the network drawn (case → F1 → F2); the
checkpoint then refuses one of them and the destination ward's follow-up list holds both;
the other is released early;
the dashboard's figures equal counts taken from the trace's stores. A ward official
signing in to the console is told it is not for them, and the API refuses them too.
The page weight (bytes transferred from the service on the first load) is written to
tests/artifacts/epi_console.json.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from playwright.async_api import Page, Request, expect
from pymongo import AsyncMongoClient

from libs.contracts.values import subject_id_for
from libs.contracts.vietnam_time import vn_today
from libs.runtime.auth import Role
from libs.runtime.settings import DEV_SUBJECT_SECRET
from tests.e2e.conftest import System
from tests.support.browser import DESKTOP, PHONE, chromium, sign_in, watched_page
from tests.support.checkpoint_system import decode
from tests.support.kafka import eventually
from tests.support.samples import HOAN_KIEM, VUNG_TAU, declaration_form
from tests.support.servers import Servers
from tests.support.tokens import account, bearer

ARTIFACTS = Path(__file__).parents[1] / "artifacts"
CHECKPOINT = "cp-epi-console"
MARKET = "cp-epi-console-market"  # where the first F1 meets a fourth traveller: an F2
WAIT = 60_000  # ms; a bound against a hang, not a timing assertion
PEOPLE = [{"national_id": nid, "full_name": name, "date_of_birth": born, "gender": gender,
           "permanent_ward": HOAN_KIEM, "status": "living"}
          for nid, name, born, gender in (("001085018801", "Phạm Văn Ca", "1985-02-11", "male"),
                                          ("001190018802", "Đỗ Thị Một", "1990-04-21", "female"),
                                          ("001088018803", "Vũ Văn Hai", "1988-09-30", "male"),
                                          ("001192018804", "Hồ Thị Bốn", "1992-12-01", "female"))]
OFFICER = bearer(Role.officer, [CHECKPOINT, MARKET], who="epi-console-officer")
ADMIN = bearer(Role.admin, who="epi-console-admin")
# The dashboard's figures, and what each one counts in the trace's own collections.
MOVEMENT_COUNTS = {"followups": "followed_up", "verified": "identity_verified",
                   "rejected": "identity_rejected", "passed": "passed", "refused": "refused"}


def subject(person: dict[str, str]) -> str:
    return subject_id_for(DEV_SUBJECT_SECRET.encode(), person["national_id"])


async def declare(system: System, http: httpx.AsyncClient, person: dict[str, str]) -> str:
    """Declares (destination: Vũng Tàu); returns the QR's token."""
    body = declaration_form(person["national_id"])
    body["person"].update({k: person[k] for k in ("full_name", "date_of_birth", "gender")})
    declared = (await http.post(f"{system.url('declaration')}/v1/declarations", json=body)).json()
    png = await http.get(system.url("declaration") + declared["qr"]["png"],
                         headers={"authorization": f"Bearer {declared['access_token']}"})
    return decode(png.content)


async def pass_at(system: System, http: httpx.AsyncClient, token: str, checkpoint: str) -> None:
    """Waits until the checkpoint knows the person verified, then passes them."""
    async def verified_scan() -> dict[str, Any] | None:
        answer = await http.post(f"{system.url('checkpoint')}/v1/scans", headers=OFFICER,
                                 json={"checkpoint_id": checkpoint, "token": token})
        ok = answer.status_code == 200 and answer.json()["person"]["status"] == "verified"
        return answer.json() if ok else None

    scan = await eventually(verified_scan, timeout_s=WAIT / 1000, interval_s=0.5)
    passed = await http.post(f"{system.url('checkpoint')}/v1/passages", headers=OFFICER, json={
        "scan_id": scan["scan_id"], "decision": "pass", "direction": "through"})
    assert passed.status_code == 201, passed.text


async def setup(system: System, http: httpx.AsyncClient) -> list[str]:
    rows = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in PEOPLE)
    loaded = await http.post(f"{system.url('identity-verification')}/v1/residents/import",
                             content=rows.encode(), headers={
                                 **ADMIN, "content-type": "application/x-ndjson"})
    assert loaded.status_code == 200, loaded.text
    for checkpoint in (CHECKPOINT, MARKET):
        added = await http.put(f"{system.url('checkpoint')}/v1/checkpoints/{checkpoint}",
                               headers=ADMIN, json={"name": f"Chốt {checkpoint}", "kind": "road",
                                                    "ward_code": HOAN_KIEM, "latitude": 20.96,
                                                    "longitude": 105.84})
        assert added.status_code in (200, 201), added.text
    tokens = [await declare(system, http, p) for p in PEOPLE]
    for token in tokens[:3]:  # the case and two F1 at the checkpoint, a minute apart
        await pass_at(system, http, token, CHECKPOINT)
    for token in (tokens[1], tokens[3]):  # the first F1 and the F2 at the market
        await pass_at(system, http, token, MARKET)
    return tokens


def weigh(page: Page, origin: str, into: dict[str, int]) -> None:
    """Records the bytes (headers and body) of each response from `origin`, by path: the
    sign-in loads the page twice (before and after Keycloak), a file is counted once."""
    async def finished(request: Request) -> None:
        if request.url.startswith(origin):
            sizes = await request.sizes()
            into[urlsplit(request.url).path] = (sizes["responseBodySize"]
                                                + sizes["responseHeadersSize"])

    page.on("requestfinished", finished)


async def store_counts(system: System, servers: Servers, days: list[str]) -> dict[str, int]:
    """The dashboard's figures counted straight from the trace's collections."""
    async with AsyncMongoClient[dict[str, Any]](servers.mongo_url) as client:
        db = client[system.environ["TRACE_MONGO_DB"]]
        counts = {"cases": await db["cases"].count_documents({"confirmed_day": {"$in": days}}),
                  "quarantines": await db["quarantines"].count_documents(
                      {"ordered_day": {"$in": days}}),
                  "f1": await db["quarantines"].count_documents(
                      {"ordered_day": {"$in": days}, "reason": "contact"}),
                  "arrivals": await db["arrivals"].count_documents(
                      {"arrival_date": {"$in": days}})}
        for figure, kind in MOVEMENT_COUNTS.items():
            counts[figure] = await db["movements"].count_documents(
                {"day": {"$in": days}, "kind": kind})
    return counts


async def test_an_epidemiologist_confirms_a_case_and_quarantines_two_contacts(
        system: System, servers: Servers) -> None:
    trace_url = system.url("movement-trace")
    f0, one, two, f2 = (subject(p) for p in PEOPLE)
    async with httpx.AsyncClient(timeout=30) as http:
        tokens = await setup(system, http)

        async def projected() -> bool:  # the five passages reached the trace
            found = await http.get(f"{trace_url}/v1/contacts", headers=bearer(
                Role.epidemiologist, who="epi-console-wait"), params={
                "subject_id": f0, "days": 1, "degree": 2, "purpose": "e2e wait"})
            return {(c["subject_id"], c["degree"]) for c in found.json()["contacts"]} == {
                (one, 1), (two, 1), (f2, 2)}

        await eventually(projected, timeout_s=WAIT / 1000)

        weight: dict[str, int] = {}
        async with chromium() as browser:
            page, _, watch = await watched_page(browser, PHONE)
            weigh(page, trace_url, weight)
            await sign_in(page, trace_url + "/", account(Role.epidemiologist, who="epi-console"))
            await expect(page.locator("#dashboard-panel")).to_have_attribute("data-loaded", "1",
                                                                             timeout=WAIT)
            first_load = {"static": sum(n for p, n in weight.items() if not p.startswith("/v1/")),
                          "api": sum(n for p, n in weight.items() if p.startswith("/v1/")),
                          "files": dict(sorted(weight.items()))}

            # 1. Confirm the case; both F1 proposed, with the checkpoint as evidence.
            await page.fill("#purpose", "điều tra ổ dịch bảng điều khiển")
            await page.fill("#case-who", PEOPLE[0]["national_id"])
            await expect(page.locator("#case-date")).to_have_value(vn_today().isoformat())
            await page.click("#case-confirm")
            proposed = page.locator("#proposed li[data-subject]")
            await expect(proposed).to_have_count(2, timeout=WAIT)
            assert set(await proposed.evaluate_all("items => items.map(i => i.dataset.subject)")
                       ) == {one, two}
            await expect(proposed.first.locator("li.exposure")).to_contain_text(CHECKPOINT)
            await expect(page.locator("#case-summary")).to_contain_text("epi-console")

            # 2. Both chosen (the default), ordered from the keyboard.
            await page.focus("#order-chosen")
            await page.keyboard.press("Enter")
            orders = page.locator("#orders li.order")
            await expect(orders).to_have_count(2, timeout=WAIT)
            await expect(page.locator("#order-status")).to_have_text(
                "Đã ra 2 lệnh mới (0 đã có từ trước).")
            await expect(orders.first).to_contain_text("epi-console")  # ordered_by

            # 3. The network: the case, its two F1, the F2 the first one met at the market;
            # each edge names the checkpoint. At 360 px it scrolls in its own box.
            await page.click("#draw-network")
            await expect(page.locator("#network g.node")).to_have_count(4, timeout=WAIT)
            edges = page.locator("#network g.edge")
            await expect(edges).to_have_count(3)
            met = {(await e.get_attribute("data-from"), await e.get_attribute("data-to")):
                   await e.locator("text.evidence").text_content() or "" for e in await edges.all()}
            assert set(met) == {(f0, one), (f0, two), (one, f2)}
            assert MARKET in met[one, f2] and CHECKPOINT in met[f0, one]
            await expect(page.locator(f"#network g.node.f2[data-subject='{f2}']")).to_have_count(1)
            assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            ARTIFACTS.mkdir(exist_ok=True)
            await page.screenshot(path=str(ARTIFACTS / "epi_console_360.png"), full_page=True)

            # 4. The checkpoint refuses the first F1 (and the officer records it); the
            # destination ward's follow-up list holds both.
            async def quarantined() -> dict[str, Any] | None:
                body = (await http.post(f"{system.url('checkpoint')}/v1/scans", headers=OFFICER,
                                        json={"checkpoint_id": CHECKPOINT,
                                              "token": tokens[1]})).json()
                return body if body["person"]["quarantine"] else None

            scan = await eventually(quarantined, timeout_s=WAIT / 1000)
            assert scan["recommendation"]["reasons"][0]["code"] == "quarantined"
            recorded = await http.post(f"{system.url('checkpoint')}/v1/passages", headers=OFFICER,
                                       json={"scan_id": scan["scan_id"], "decision": "refuse",
                                             "direction": "through"})
            assert recorded.status_code == 201, recorded.text

            async def ward_lists_both() -> set[str] | None:
                body = (await http.get(f"{system.url('ward-notification')}/v1/followups",
                                       headers=bearer(Role.ward_official, [VUNG_TAU],
                                                      who="epi-console-ward"))).json()
                found = {d["subject_id"] for d in body} & {one, two}
                return found if found == {one, two} else None

            await eventually(ward_lists_both, timeout_s=WAIT / 1000)

            # 5. The second F1 released early (a negative test), from the keyboard.
            second = page.locator(f"#orders li.order[data-subject='{two}']")
            await second.locator("button.release").focus()
            await page.keyboard.press("Enter")
            await expect(second.locator(".badge")).to_contain_text("đã dỡ cách ly", timeout=WAIT)
            await expect(page.locator("#orders button.release")).to_have_count(1)

            # 6. The dashboard (desktop-wide now) shows what the stores hold. Events may
            # still be on their way: refresh until both sides agree (a wrong count never does).
            await page.set_viewport_size(DESKTOP)
            await page.locator("#dash-live").uncheck()  # each load below is the click's own
            days = [(vn_today() - timedelta(days=n)).isoformat() for n in range(14)]

            async def agreeing() -> dict[str, int] | None:
                loaded = int(await page.locator("#dashboard-panel").get_attribute("data-loaded")
                             or 0)
                await page.click("#dash-load")
                await expect(page.locator("#dashboard-panel")).to_have_attribute(
                    "data-loaded", str(loaded + 1))
                shown = {name: int(await page.locator(f"#dash-totals td[data-count={name}]")
                                   .text_content() or -1) for name in MOVEMENT_COUNTS.keys()
                         | {"cases", "quarantines", "f1", "arrivals"}}
                return shown if shown == await store_counts(system, servers, days) else None

            shown = await eventually(agreeing, timeout_s=WAIT / 1000, interval_s=0.5)
            assert shown["cases"] >= 1 and shown["f1"] >= 2 and shown["passed"] >= 3
            assert shown["refused"] >= 1 and shown["verified"] >= 3
            await expect(page.locator("#chart-hours .uplot")).to_have_count(1)
            assert await page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
            ARTIFACTS.mkdir(exist_ok=True)
            await page.screenshot(path=str(ARTIFACTS / "epi_console.png"), full_page=True)

    (ARTIFACTS / "epi_console.json").write_text(json.dumps({"first_load_bytes": first_load},
                                                           indent=1))
    print(f"epidemiologist's console, first load from the service: {first_load}")
    assert watch.outside == [] and watch.errors == [], (watch.outside, watch.errors)


async def test_the_console_tells_a_wrong_role_and_the_api_refuses(system: System) -> None:
    trace_url = system.url("movement-trace")
    async with chromium() as browser:
        page, _, watch = await watched_page(browser, PHONE)
        await sign_in(page, trace_url + "/", account(Role.ward_official, [VUNG_TAU],
                                                     who="epi-console-wrong"))
        await expect(page.locator("#wrong-role")).to_contain_text("Dịch tễ")
        await expect(page.locator("#case-panel")).to_be_hidden()
        await expect(page.locator("#dashboard-panel")).to_be_hidden()
    ward = bearer(Role.ward_official, [VUNG_TAU], who="epi-console-wrong")
    async with httpx.AsyncClient(base_url=trace_url, timeout=10) as http:
        dashboard = await http.get("/v1/dashboard", headers=ward, params={"purpose": "xem thử"})
        confirm = await http.post("/v1/cases", headers=ward, json={
            "purpose": "xem thử", "subject_id": "a" * 64,
            "positive_test_date": vn_today().isoformat()})
    assert (dashboard.status_code, confirm.status_code) == (403, 403), (dashboard.text,
                                                                       confirm.text)
    assert watch.outside == []
