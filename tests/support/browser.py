"""Headless Chromium (Debian's, driven by Playwright) for the page tests.

Every page opened here is watched: a request that would leave 127.0.0.1 is blocked
and recorded, and so is every console error. A phone's camera can be a picture:
Chromium's fake capture device plays a Y4M file made from a QR image. Staff pages are
signed in to as people do it: on the identity provider's own sign-in page (`sign_in`).
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Route,
    ViewportSize,
    async_playwright,
    expect,
)

from deploy.keycloak.admin import StaffUser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE: ViewportSize = {"width": 360, "height": 780}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
SIGN_IN_WAIT_MS = 60_000  # a bound against a hang, not a timing assertion


def y4m(png: bytes, path: Path, size: tuple[int, int] = (640, 480)) -> Path:
    """One 4:2:0 frame (the QR centred on white), which Chromium's fake camera loops."""
    picture = Image.open(io.BytesIO(png)).convert("RGB")
    picture.thumbnail((size[1] - 40, size[1] - 40))
    frame = Image.new("RGB", size, "white")
    frame.paste(picture, ((size[0] - picture.width) // 2, (size[1] - picture.height) // 2))
    luma, blue, red = frame.convert("YCbCr").split()
    half = (size[0] // 2, size[1] // 2)
    chroma = blue.resize(half).tobytes() + red.resize(half).tobytes()
    header = f"YUV4MPEG2 W{size[0]} H{size[1]} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + b"FRAME\n" + luma.tobytes() + chroma)
    return path


@dataclass
class Watch:
    """What the pages of one context did that they should not have."""

    outside: list[str] = field(default_factory=list)  # requests that would leave 127.0.0.1
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions

    async def only_local(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1" or url.startswith(("blob:", "data:")):
            await route.continue_()
        else:
            self.outside.append(url)
            await route.abort()

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"{message.text} ({message.location.get('url')})")


@asynccontextmanager
async def chromium(camera: Path | None = None) -> AsyncIterator[Browser]:
    """A browser; with `camera`, its camera films that Y4M file."""
    args = list(CHROMIUM_ARGS)
    if camera is not None:
        args += ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                 f"--use-file-for-fake-video-capture={camera}"]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            yield browser
        finally:
            await browser.close()


async def watched_page(browser: Browser, viewport: ViewportSize = PHONE,
                       ) -> tuple[Page, BrowserContext, Watch]:
    """A fresh context (its own storage) and page: phone-like when narrower than 800 px."""
    small = viewport["width"] < 800
    context = await browser.new_context(viewport=viewport, is_mobile=small, has_touch=small,
                                        device_scale_factor=2 if small else 1, locale="vi-VN")
    watch = Watch()
    page = await context.new_page()
    await page.route("**/*", watch.only_local)
    page.on("console", watch.console)
    page.on("pageerror", lambda error: watch.errors.append(f"uncaught: {error}"))
    return page, context, watch


@asynccontextmanager
async def phone(base: str, camera: Path) -> AsyncIterator[tuple[Page, BrowserContext, list[str]]]:
    """A phone whose camera films `camera`; the list gathers requests that would leave."""
    async with chromium(camera) as browser:
        page, context, watch = await watched_page(browser)
        await context.grant_permissions(["camera"], origin=base)
        yield page, context, watch.outside


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


async def sign_in(page: Page, url: str, user: StaffUser) -> None:
    """Open the staff page at `url`, which sends the browser to the identity provider's
    sign-in page (Keycloak's own form); sign in there as `user`; wait until the browser is
    back on the page and the page shows who is signed in (`#session .who`)."""
    await page.goto(url)
    await page.locator("#username").fill(user.username, timeout=SIGN_IN_WAIT_MS)
    await page.locator("#password").fill(user.password)
    await page.locator("#kc-login").click()
    back = origin(url) + "/"
    await page.wait_for_url(lambda address: address.startswith(back), timeout=SIGN_IN_WAIT_MS)
    await expect(page.locator("#session .who")).to_be_visible(timeout=SIGN_IN_WAIT_MS)
