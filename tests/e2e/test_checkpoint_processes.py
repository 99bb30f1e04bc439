"""The checkpoint service as `make run` starts it (its own process, keys fetched from the
declaration process over HTTP), seeded by its CLI and driven by the kiosk CLI."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import httpx

from libs.runtime.auth import Role
from services.checkpoint.seed_data import SEED
from tests.e2e.conftest import System
from tests.support.declaration_samples import form
from tests.support.kafka import eventually
from tests.support.tokens import bearer

REPO = Path(__file__).parents[2]
STATION = "cp-hn-mydinh-bus"  # from the seed set


async def cli(system: System, *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", *args, cwd=REPO, env=system.environ,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, out.decode()


async def test_seeded_station_checks_a_declared_traveller_in_through_the_kiosk(
        system: System, tmp_path: Path) -> None:
    status, out = await cli(system, "services.checkpoint.seed")
    assert status == 0, out
    assert f"({len(SEED)} in the seed set)" in out
    officer = bearer(Role.officer, [STATION], who="kiosk-e2e").token
    async with httpx.AsyncClient(timeout=10) as http:
        declared = (await http.post(f"{system.url('declaration')}/v1/declarations",
                                    json=form(person__national_id="001085012440"))).json()
        png = await http.get(system.url("declaration") + declared["qr"]["png"],
                             headers={"authorization": f"Bearer {declared['access_token']}"})
        (tmp_path / "qr.png").write_bytes(png.content)

        async def known() -> dict[str, Any] | None:
            answer = await http.post(f"{system.url('checkpoint')}/v1/scans/lookup", json={
                "checkpoint_id": STATION, "national_id": "001085012440",
                "date_of_birth": "1985-03-14"}, headers={"authorization": f"Bearer {officer}"})
            return answer.json() if answer.status_code == 200 else None

        scanned = await eventually(known, timeout_s=120)
    assert scanned["person"]["declaration_id"] == declared["declaration_id"]
    assert scanned["checkpoint"]["ward_name"] == "Phường Từ Liêm"
    status, out = await cli(system, "services.checkpoint.kiosk", str(tmp_path / "qr.png"),
                            "--checkpoint", STATION, "--direction", "in", "--decide", "refer",
                            "--url", system.url("checkpoint"), "--token", officer)
    [line] = [json.loads(text) for text in out.splitlines() if text.startswith("{")]
    assert status == 0, out
    assert line["who"] == "Nguyễn V. A." and line["decision"] == "refer" and line["passage_id"]
