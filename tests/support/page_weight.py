"""A staff page's weight on its first load: the bytes its own service sent."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from playwright.async_api import Page, Request

ARTIFACTS = Path(__file__).parents[1] / "artifacts"


def weigh(page: Page, origin: str, into: dict[str, int]) -> None:
    """The bytes (headers and body) of each response from `origin`, by path: the sign-in
    loads the page twice (before and after Keycloak), a file is counted once."""
    async def finished(request: Request) -> None:
        if request.url.startswith(origin):
            sizes = await request.sizes()
            into[urlsplit(request.url).path] = (sizes["responseBodySize"]
                                                + sizes["responseHeadersSize"])

    page.on("requestfinished", finished)


def record_weight(name: str, weight: dict[str, int]) -> float:
    """Writes tests/artifacts/<name>.json; the KiB of the first load."""
    total = sum(weight.values())
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{name}.json").write_text(json.dumps(
        {"first_load_bytes": total, "files": dict(sorted(weight.items()))}, indent=1))
    print(f"\n{name}: first load {total / 1024:.1f} KiB in {len(weight)} responses")
    return total / 1024
