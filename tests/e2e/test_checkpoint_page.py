"""The scanner page in a real headless Chromium on a 360-px phone viewport, its camera
fed a QR image: the officer signs in on the identity provider's page, scans, passes, goes
offline, decides, comes back online, and the queue is sent; a sign-in that lapsed while
offline keeps the queue until the officer has signed in again; sign-out ends the session.

The declaration and checkpoint services run in-process under uvicorn on free
127.0.0.1 ports against the real Kafka, FerretDB and Keycloak; the QR image is the one
the declaration service renders. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import qrcode
from playwright.async_api import BrowserContext, Page, expect

from deploy.keycloak.admin import KeycloakAdmin
from libs.contracts.events.checkpoint import CheckpointPassed, CheckpointRefused, Direction
from libs.runtime.auth import Role
from tests.conftest import ServerSlice
from tests.support.browser import CHROMIUM, phone, sign_in, y4m
from tests.support.checkpoint_kit import decided, passages_on
from tests.support.checkpoint_system import System, decode, system, verify_identity
from tests.support.tokens import account

ARTIFACTS = Path(__file__).parents[1] / "artifacts"
MARKET = "cp-hn-dongxuan-market"
OFFICER_ID = "officer-page"  # the account's name: what passages record as the officer
IDENTITY_PROVIDER = "http://127.0.0.1:8080/"

# No skip: a browser test that cannot run must fail (deploy/apt-packages.txt installs chromium).
assert CHROMIUM.exists(), "Debian's chromium is missing: apt-get install chromium"


async def scan(page: Page) -> None:
    await page.click("#scan-start")
    await expect(page.locator("#local-check")).to_contain_text("Chữ ký hợp lệ", timeout=20000)


async def traveller(services: System, env: ServerSlice, national_id: str) -> dict[str, Any]:
    """A verified declaration the checkpoint service knows, at the market."""
    await services.add_checkpoint(MARKET, "market")
    declared = await services.declare(national_id)
    await verify_identity(env, declared)
    await services.checkpoint_knows(declared, MARKET)
    return declared


async def test_an_officer_scans_passes_and_queues_a_decision_while_offline(
        env: ServerSlice, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    async with system(env, tmp_path) as services:
        declared = await traveller(services, env, "001085012430")
        camera = y4m(declared["png"], tmp_path / "qr.y4m")
        officer = account(Role.officer, [MARKET], who=OFFICER_ID)
        async with phone(services.checkpoint, camera) as (page, context, outside):
            await sign_in(page, f"{services.checkpoint}/", officer)
            await expect(page.locator("body")).to_have_attribute("data-ready", "yes")
            assert "code=" not in page.url, "the sign-in's code does not stay in the address bar"
            await expect(page.locator("#checkpoint")).to_have_value(MARKET)
            await expect(page.locator("#direction")).to_have_value("in")
            await scan(page)
            await expect(page.locator("#who")).to_have_text("Nguyễn V. A.")
            await expect(page.locator("#status")).to_have_text("Đã xác minh")
            await expect(page.locator("#doc")).to_contain_text("001******430")  # the shared masking policy
            await expect(page.locator("#rec-decision")).to_have_text("Cho qua")
            await page.screenshot(path=str(ARTIFACTS / "checkpoint-scan.png"), full_page=True)
            await page.click("#pass")
            await expect(page.locator("#notice")).to_have_text("Đã ghi nhận")
            await expect(page.locator("#pass")).to_be_disabled()  # no second tap

            await page.click("#lang")
            await expect(page.locator("h1")).to_have_text("QR scanner — checkpoint")
            await expect(page.locator("#status")).to_have_text("Verified")
            await expect(page.locator("#rec-decision")).to_have_text("Pass")
            await page.screenshot(path=str(ARTIFACTS / "checkpoint-scan-en.png"), full_page=True)
            await page.click("#lang")

            assert await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            await page.wait_for_function("Boolean(navigator.serviceWorker.controller)")
            await context.set_offline(True)
            await expect(page.locator("#net")).to_have_text("Ngoại tuyến")
            await page.select_option("#direction", "out")
            await page.click("#next")
            await expect(page.locator("#local-check")).to_contain_text("Không có mạng",
                                                                      timeout=20000)
            await page.click("#pass")
            await expect(page.locator("#notice")).to_have_text(
                "Đã lưu trên máy, sẽ gửi khi có mạng")
            await expect(page.locator("#queue")).to_have_text("1")
            await page.screenshot(path=str(ARTIFACTS / "checkpoint-offline.png"), full_page=True)
            await page.reload()  # still offline: the service worker serves the page
            await expect(page.locator("#queue")).to_have_text("1")
            await expect(page.locator("#keys-status")).not_to_have_text("")
            # Signed in still, from this phone's storage: no network, no sign-in page.
            await expect(page.locator("#session .who")).to_contain_text("ngoại tuyến")
            await expect(page.locator("#checkpoint")).to_have_value(MARKET)
            # Booted (its own offline try at the queue done), so going online sends it.
            await expect(page.locator("body")).to_have_attribute("data-ready", "yes")
            await context.set_offline(False)
            await expect(page.locator("#queue")).to_have_text("0", timeout=20000)
            await expect(page.locator("#notice")).to_have_text("Đã gửi các quyết định chờ: 1")

            forged = decode(declared["png"])
            forged = forged[:70] + ("B" if forged[70] == "A" else "A") + forged[71:]
            with (tmp_path / "forged.png").open("wb") as png:
                qrcode.make(forged).save(png)
            await page.set_input_files("#photo", str(tmp_path / "forged.png"))
            await expect(page.locator("#local-check")).to_have_text(
                "Mã đã bị sửa đổi (chữ ký không khớp)")
            await expect(page.locator("#decide")).to_be_hidden()
            await page.screenshot(path=str(ARTIFACTS / "checkpoint-tampered.png"), full_page=True)

            await page.click("#lookup summary")
            await page.fill("[name=national_id]", "001 085 012 430")
            await page.fill("[name=date_of_birth]", "1985-03-14")
            await page.click("#lookup-form button[type=submit]")
            await expect(page.locator("#who")).to_have_text("Nguyễn V. A.")
            await page.click("#refer")
            await expect(page.locator("#notice")).to_have_text("Đã ghi nhận")

            token_text = decode(declared["png"])
            by_noble = await page.evaluate(
                """async ([token]) => {
                    const m = await import('/static/qr-token.js');
                    const keys = JSON.parse(localStorage.getItem('kb.jwks'));
                    const claims = await m.verifyToken(token, keys, {forceNoble: true});
                    return claims.subject;
                }""", [token_text])
            decoder = await page.locator("body").get_attribute("data-decoder")
            width = await page.evaluate("document.documentElement.scrollWidth")
        events = await passages_on(env, at_least=3, settle_s=2.0)
    assert outside == [], f"requests left 127.0.0.1: {outside}"
    assert width <= 360, "no sideways scrolling on a 360-px phone"
    assert by_noble == declared["declaration_id"]
    assert decoder in ("jsQR", "BarcodeDetector")
    passed = [e for e in events if type(e.payload) is CheckpointPassed]
    assert decided(passed, events[0].payload.subject_id) == [
        (MARKET, Direction.in_, OFFICER_ID), (MARKET, Direction.out, OFFICER_ID)]
    [referred] = [e.payload for e in events if isinstance(e.payload, CheckpointRefused)]
    assert referred.reason == "referred_to_medical"


async def test_an_officer_signs_in_passes_a_traveller_and_signs_out(
        env: ServerSlice, tmp_path: Path) -> None:
    async with system(env, tmp_path) as services:
        declared = await traveller(services, env, "001085012431")
        camera = y4m(declared["png"], tmp_path / "qr.y4m")
        officer = account(Role.officer, [MARKET], who="officer-sign-out")
        async with phone(services.checkpoint, camera) as (page, _, outside):
            await page.goto(f"{services.checkpoint}/")
            # Not signed in: the page sends the phone to the identity provider's sign-in page.
            await expect(page.locator("#kc-login")).to_be_visible(timeout=30000)
            assert page.url.startswith(IDENTITY_PROVIDER), page.url
            await sign_in(page, f"{services.checkpoint}/", officer)
            who = page.locator("#session .who")
            await expect(who).to_have_attribute("data-user", officer.username)
            await expect(who).to_contain_text("Cán bộ chốt")
            await expect(page.locator("body")).to_have_attribute("data-ready", "yes")
            await expect(page.locator("#checkpoint")).to_have_value(MARKET)
            await scan(page)
            await expect(page.locator("#who")).to_have_text("Nguyễn V. A.")
            await page.click("#pass")
            await expect(page.locator("#notice")).to_have_text("Đã ghi nhận")

            await page.click("#sign-out")
            # The identity provider ends the session and sends the phone back to the page,
            # which, signed out, is at the sign-in page again.
            await expect(page.locator("#kc-login")).to_be_visible(timeout=30000)
            assert page.url.startswith(IDENTITY_PROVIDER), page.url
            await page.goto(f"{services.checkpoint}/")  # reopened: still signed out
            await expect(page.locator("#kc-login")).to_be_visible(timeout=30000)
            assert page.url.startswith(IDENTITY_PROVIDER), page.url
        events = await passages_on(env, at_least=1)
    assert outside == [], f"requests left 127.0.0.1: {outside}"
    assert decided(events, events[0].payload.subject_id) == [
        (MARKET, Direction.in_, officer.username)]


def end_sessions(username: str) -> None:
    """What the identity provider does when a session's idle time is up (or an admin ends
    it): the refresh token no longer works."""
    admin = KeycloakAdmin.from_environment()
    user = admin.find_user(username)
    assert user is not None
    admin.call("POST", f"/users/{user['id']}/logout")


SPOIL_STORED_TOKEN = """([expired]) => {
  // The stored access token as a service sees it after hours offline: refused (its
  // signature spoiled, which a service answers with 401 as it does an expired token).
  // `expired`: keycloak-js sees it past its expiry too (a day of clock skew).
  const stored = JSON.parse(localStorage.getItem("khaibao.session"));
  const token = stored.token.replace(/[^.]+$/, "c3BvaWxlZA");
  localStorage.setItem("khaibao.session", JSON.stringify(
    { ...stored, token, ...(expired ? { timeSkew: -86400 } : {}) }));
}"""


async def offline_decision_then_reload(page: Page, context: BrowserContext, *,
                                       end_session_of: str | None, expired: bool) -> None:
    """A decision queued offline, then the page reopened, still offline, with its stored
    token spoiled (and `end_session_of`'s session ended at the identity provider)."""
    await expect(page.locator("body")).to_have_attribute("data-ready", "yes")
    await page.wait_for_function("Boolean(navigator.serviceWorker.controller)")
    await context.set_offline(True)
    await scan(page)
    await expect(page.locator("#local-check")).to_contain_text("Không có mạng")
    await page.click("#pass")
    await expect(page.locator("#queue")).to_have_text("1")
    if end_session_of:
        await asyncio.to_thread(end_sessions, end_session_of)
    await page.evaluate(SPOIL_STORED_TOKEN, [expired])
    await page.reload()
    await expect(page.locator("body")).to_have_attribute("data-ready", "yes")
    await expect(page.locator("#queue")).to_have_text("1")


# Either way the page learns the sign-in lapsed: keycloak-js sees the token expired and
# its refresh is refused, or it sends the token, the service refuses it (401) and then the
# refresh is refused.
@pytest.mark.parametrize("expired", [True, False], ids=["expired-on-the-phone", "refused-by-the-service"])
async def test_a_decision_queued_while_the_sign_in_lapsed_waits_for_a_new_sign_in(
        env: ServerSlice, tmp_path: Path, expired: bool) -> None:
    async with system(env, tmp_path) as services:
        declared = await traveller(services, env, "001085012432")
        camera = y4m(declared["png"], tmp_path / "qr.y4m")
        officer = account(Role.officer, [MARKET], who="officer-lapsed")
        async with phone(services.checkpoint, camera) as (page, context, outside):
            await sign_in(page, f"{services.checkpoint}/", officer)
            # Offline for long: the session ends at the identity provider, the token expires.
            await offline_decision_then_reload(
                page, context, end_session_of=officer.username, expired=expired)
            await context.set_offline(False)
            await expect(page.locator("#notice")).to_have_text(
                "Phiên đăng nhập đã hết: hãy đăng nhập lại để gửi 1 quyết định đang chờ",
                timeout=20000)
            await expect(page.locator("#queue")).to_have_text("1")  # kept, not dropped
            await expect(page.locator("#session .who")).to_contain_text("phiên đăng nhập đã hết")
            await page.screenshot(path=str(ARTIFACTS / "checkpoint-sign-in-again.png"),
                                  full_page=True)

            await page.click("#sign-in")
            await page.locator("#username").fill(officer.username)
            await page.locator("#password").fill(officer.password)
            await page.locator("#kc-login").click()
            await expect(page.locator("#queue")).to_have_text("0", timeout=30000)
            await expect(page.locator("#notice")).to_have_text("Đã gửi các quyết định chờ: 1")
        events = await passages_on(env, at_least=1)
    assert outside == [], f"requests left 127.0.0.1: {outside}"
    assert decided(events, events[0].payload.subject_id) == [
        (MARKET, Direction.in_, officer.username)]


async def test_a_token_the_service_refuses_is_renewed_once_and_the_decision_sent(
        env: ServerSlice, tmp_path: Path) -> None:
    """The page reopened offline keeps the token it held; the service refuses it (401) once
    the network is back although the session lives: the page takes a new token and sends
    again, rather than asking the officer to sign in."""
    async with system(env, tmp_path) as services:
        declared = await traveller(services, env, "001085012433")
        camera = y4m(declared["png"], tmp_path / "qr.y4m")
        officer = account(Role.officer, [MARKET], who="officer-renewed")
        async with phone(services.checkpoint, camera) as (page, context, outside):
            await sign_in(page, f"{services.checkpoint}/", officer)
            await offline_decision_then_reload(page, context, end_session_of=None, expired=False)
            await context.set_offline(False)
            await expect(page.locator("#queue")).to_have_text("0", timeout=20000)
            await expect(page.locator("#notice")).to_have_text("Đã gửi các quyết định chờ: 1")
            await expect(page.locator("#session .who")).not_to_contain_text("phiên đăng nhập đã hết")
        events = await passages_on(env, at_least=1)
    assert outside == [], f"requests left 127.0.0.1: {outside}"
    assert decided(events, events[0].payload.subject_id) == [
        (MARKET, Direction.in_, officer.username)]
