"""The declaration and checkpoint services on real 127.0.0.1 ports, in-process, the
checkpoint fetching the QR keys from the declaration service over HTTP: what the
kiosk CLI and the browser talk to."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from libs.contracts.envelope import Envelope
from libs.contracts.events.identity import IdentityVerified
from libs.contracts.values import subject_id_for
from libs.runtime.settings import DEV_SUBJECT_SECRET
from services.checkpoint.app import build as build_checkpoint
from services.declaration.app import build as build_declaration
from tests.conftest import ServerSlice
from tests.support import declaration_kit
from tests.support.checkpoint_kit import ADMIN, settings
from tests.support.declaration_samples import form
from tests.support.kafka import eventually
from tests.support.notification_kit import serving
from tests.support.qr_codes import read_qr


@dataclass
class System:
    declaration: str  # base URLs
    checkpoint: str

    async def declare(self, national_id: str = "001085012345", **changes: Any) -> dict[str, Any]:
        """Submit a web declaration; its answer plus the QR PNG bytes under 'png'."""
        body = form(**{"person__national_id": national_id, **changes})
        async with httpx.AsyncClient(base_url=self.declaration) as client:
            answer = (await client.post("/v1/declarations", json=body)).json()
            png = await client.get(answer["qr"]["png"], headers={
                "authorization": f"Bearer {answer['access_token']}"})
        assert png.status_code == 200, png.text
        return {**answer, "png": png.content, "national_id": national_id}

    async def checkpoint_knows(self, declaration: dict[str, Any], checkpoint_id: str) -> None:
        """Wait until the checkpoint service has the declaration (via Kafka) verified."""
        token = decode(declaration["png"])

        async def verified() -> bool:
            async with httpx.AsyncClient(base_url=self.checkpoint, headers=ADMIN) as client:
                answer = await client.post("/v1/scans", json={"checkpoint_id": checkpoint_id,
                                                               "token": token})
            return answer.status_code == 200 and answer.json()["person"]["status"] == "verified"

        await eventually(verified, timeout_s=30)

    async def add_checkpoint(self, checkpoint_id: str, kind: str, ward_code: str = "00070",
                             name: str = "Chợ Đồng Xuân") -> None:
        async with httpx.AsyncClient(base_url=self.checkpoint, headers=ADMIN) as client:
            answer = await client.put(f"/v1/checkpoints/{checkpoint_id}", json={
                "name": name, "kind": kind, "ward_code": ward_code,
                "latitude": 21.038, "longitude": 105.85})
        assert answer.status_code in (200, 201), answer.text


def decode(png: bytes) -> str:
    [text] = read_qr(png)
    return text


async def verify_identity(env: ServerSlice, declaration: dict[str, Any]) -> None:
    """What the identity service would say about this declaration."""
    subject = subject_id_for(DEV_SUBJECT_SECRET.encode(), declaration["national_id"])
    await env.publish(Envelope.wrap(IdentityVerified(
        declaration_id=declaration["declaration_id"], subject_id=subject), producer="test"))


@asynccontextmanager
async def system(env: ServerSlice, tmp_path: Path) -> AsyncIterator[System]:
    declaration_app = build_declaration(declaration_kit.settings(
        env, qr_key_file=tmp_path / "qr-keys.json"))
    async with serving(declaration_app) as declaration_url:
        checkpoint_app = build_checkpoint(settings(env, keys_url=declaration_url + "/v1/keys"))
        async with serving(checkpoint_app) as checkpoint_url:
            yield System(declaration_url, checkpoint_url)
