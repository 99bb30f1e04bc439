"""The officer's hands in the console's browser tests: every key pressed is counted
(a chord such as Shift+Tab by its keys), and every move to another Tab stop."""

from __future__ import annotations

from playwright.async_api import Page


class Typist:
    def __init__(self, page: Page) -> None:
        self.page, self.keys, self.tabs = page, 0, 0

    async def type(self, text: str) -> None:
        await self.page.keyboard.type(text)
        self.keys += len(text)

    async def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            await self.page.keyboard.press(key)
            self.keys += len(key.split("+"))
            self.tabs += key.split("+")[-1] == "Tab"

    async def field(self, text: str) -> None:
        """Type into the focused field, then Tab on."""
        if text:
            await self.type(text)
        await self.press("Tab")
