"""The scanner page in a real headless Chromium on a 360-px phone viewport, its camera
fed a QR image: scan, pass, go offline, decide, come back online, the queue is sent.

The declaration and checkpoint services run in-process under uvicorn on free
127.0.0.1 ports against the real Kafka and FerretDB; the QR image is the one the
declaration service renders. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

from pathlib import Path

import qrcode
from playwright.async_api import Page, expect

from libs.contracts.events.checkpoint import CheckpointPassed, CheckpointRefused, Direction
from libs.runtime.auth import Role, mint
from tests.conftest import ServerSlice
from tests.support.browser import CHROMIUM, phone, y4m
from tests.support.checkpoint_kit import decided, passages_on
from tests.support.checkpoint_system import decode, system, verify_identity

ARTIFACTS = Path(__file__).parents[1] / "artifacts"
MARKET = "cp-hn-dongxuan-market"
OFFICER_ID = "officer-page"

# No skip: a browser test that cannot run must fail (deploy/apt-packages.txt installs chromium).
assert CHROMIUM.exists(), "Debian's chromium is missing: apt-get install chromium"


async def scan(page: Page) -> None:
    await page.click("#scan-start")
    await expect(page.locator("#local-check")).to_contain_text("Chữ ký hợp lệ", timeout=20000)


async def test_an_officer_scans_passes_and_queues_a_decision_while_offline(
        env: ServerSlice, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    async with system(env, tmp_path) as services:
        await services.add_checkpoint(MARKET, "market")
        declared = await services.declare("001085012430")
        await verify_identity(env, declared)
        await services.checkpoint_knows(declared, MARKET)
        camera = y4m(declared["png"], tmp_path / "qr.y4m")
        token = mint(OFFICER_ID, Role.officer, [MARKET])
        async with phone(services.checkpoint, camera) as (page, context, outside):
            await page.goto(f"{services.checkpoint}/#token={token}")
            await expect(page.locator("body")).to_have_attribute("data-ready", "yes")
            assert "token=" not in page.url, "the token does not stay in the address bar"
            await expect(page.locator("#checkpoint")).to_have_value(MARKET)
            await expect(page.locator("#direction")).to_have_value("in")
            await scan(page)
            await expect(page.locator("#who")).to_have_text("Nguyễn V. A.")
            await expect(page.locator("#status")).to_have_text("Đã xác minh")
            await expect(page.locator("#doc")).to_contain_text("0**********0")
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
            await context.set_offline(False)
            await expect(page.locator("#queue")).to_have_text("0", timeout=20000)
            await expect(page.locator("#notice")).to_have_text("Đã gửi các quyết định chờ: 1")

            forged = decode(declared["png"])
            forged = forged[:70] + ("B" if forged[70] == "A" else "A") + forged[71:]
            qrcode.make(forged).save(tmp_path / "forged.png")
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
