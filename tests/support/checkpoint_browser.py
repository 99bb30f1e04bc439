"""A phone-sized headless Chromium (Debian's, driven by Playwright) whose camera is a
picture: Chromium's fake capture device plays a Y4M file made from a QR image."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from PIL import Image
from playwright.async_api import BrowserContext, Page, Route, async_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 360, "height": 780}


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


@asynccontextmanager
async def phone(base: str, camera: Path) -> AsyncIterator[tuple[Page, BrowserContext, list[str]]]:
    """A page whose every request that would leave `base` is blocked and recorded."""
    outside: list[str] = []

    async def only_local(route: Route) -> None:
        url = route.request.url
        if url.startswith(base) or url.startswith("blob:") or url.startswith("data:"):
            await route.continue_()
        else:
            outside.append(url)
            await route.abort()

    args = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={camera}"]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                            device_scale_factor=2, locale="vi-VN")
        await context.grant_permissions(["camera"], origin=base)
        page = await context.new_page()
        await page.route("**/*", only_local)
        try:
            yield page, context, outside
        finally:
            await browser.close()
