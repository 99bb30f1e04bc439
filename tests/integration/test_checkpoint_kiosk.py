"""A real QR image from the declaration service → the kiosk command line (zxing-cpp) →
the checkpoint API → `checkpoint.passed` on Kafka."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import qrcode

from libs.runtime.auth import Role
from tests.conftest import ServerSlice
from tests.support.checkpoint_kit import passages_on
from tests.support.checkpoint_system import decode, system, verify_identity
from tests.support.tokens import bearer

MARKET = "cp-hn-dongxuan-market"
REPO = Path(__file__).parents[2]


async def kiosk(base_url: str, *args: str) -> tuple[int, list[dict[str, Any]]]:
    """The command line as a kiosk runs it (a process of its own; this loop serves the API)."""
    token = bearer(Role.officer, [MARKET], who="kiosk-1").token
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.checkpoint.kiosk", *args, "--checkpoint", MARKET,
        "--url", base_url, env={"CHECKPOINT_TOKEN": token, "PATH": "/usr/bin"}, cwd=REPO,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    lines = [json.loads(line) for line in out.decode().splitlines()]
    assert lines, err.decode()
    assert process.returncode is not None
    return process.returncode, lines


async def test_a_qr_image_checks_in_through_the_kiosk_and_reaches_kafka(
        env: ServerSlice, tmp_path: Path) -> None:
    async with system(env, tmp_path) as services:
        await services.add_checkpoint(MARKET, "market")
        declared = await services.declare("001085012420")
        await verify_identity(env, declared)
        await services.checkpoint_knows(declared, MARKET)
        image = tmp_path / "qr.png"
        image.write_bytes(declared["png"])
        status, lines = await kiosk(services.checkpoint, str(image), "--direction", "in")
        assert status == 0, lines
        [result] = lines
        assert (result["who"], result["status"], result["decision"]) == (
            "Nguyễn V. A.", "verified", "pass")

        forged = decode(declared["png"])
        forged = forged[:60] + ("A" if forged[60] != "A" else "B") + forged[61:]
        with (tmp_path / "forged.png").open("wb") as png:
            qrcode.make(forged).save(png)
        (tmp_path / "blank.png").write_bytes(_blank_png())
        status, lines = await kiosk(services.checkpoint, str(tmp_path / "forged.png"),
                              str(tmp_path / "blank.png"), "--direction", "in")
        events = await passages_on(env, at_least=1, settle_s=2.0)
    assert status == 1
    assert [line["error"]["code"] for line in lines] == ["qr_tampered", "no_qr_code"]
    [passed] = events
    assert (passed.payload.passage_id, passed.payload.checkpoint_id, passed.payload.direction) == (
        result["passage_id"], MARKET, "in")
    assert passed.payload.declaration_id == declared["declaration_id"]


def _blank_png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(out, format="PNG")
    return out.getvalue()
