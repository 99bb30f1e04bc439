"""The admin routes of the QR signing keys over a key file in a temporary folder: who may,
what each answer holds (never key material), and each refusal's status and code.

No lifespan runs here, so no server is needed: these routes touch only the key file. The
callers are stand-ins for verified tokens (tests/integration/test_declaration_keys.py
takes real ones from the identity provider).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from libs.runtime.auth import Principal, Role, token_invalid
from libs.runtime.http import Service, create_app
from libs.runtime.kafka import make_broker
from libs.runtime.mongo import make_client
from libs.runtime.settings import ServiceSettings
from services.declaration import keyring
from services.declaration.api import keys
from services.declaration.service.keys import KeyAdmin

CALLERS = {"admin": Principal("admin-1", Role.admin, ()),
           "officer": Principal("officer-7", Role.officer, ("cp-1",))}


class Callers:
    async def principal(self, token: str) -> Principal:
        if token not in CALLERS:
            raise token_invalid()
        return CALLERS[token]


def as_(who: str) -> dict[str, str]:
    return {"authorization": f"Bearer {who}"}


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "qr.json"
    keyring.load(path, create=True)
    return path


@pytest.fixture
async def api(key_file: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = ServiceSettings()
    app = create_app(Service(settings=settings, broker=make_broker(settings),
                             mongo=make_client(settings), title="t", description="d",
                             routers=[keys.build_router(KeyAdmin(keyring.KeyFile(
                                 key_file, create=False)))]))
    app.state.authenticator = Callers()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as http:
        yield http


async def test_an_admin_rotates_then_retires_and_sees_the_history(
        api: httpx.AsyncClient, key_file: Path) -> None:
    first = (await api.get("/v1/admin/keys", headers=as_("admin"))).json()
    [old] = first["keys"]
    rotated = await api.post("/v1/admin/keys/rotate", headers=as_("admin"))
    retired = await api.post(f"/v1/admin/keys/{old['kid']}/retire", headers=as_("admin"))
    listing = await api.get("/v1/admin/keys", headers=as_("admin"))

    assert first["managed_by_operator"] is False and old["status"] == "active"
    assert rotated.status_code == 201
    new = rotated.json()
    assert (new["status"], new["created_by"], new["retired_at"]) == ("active", "admin-1", None)
    assert retired.status_code == 200
    assert (retired.json()["status"], retired.json()["retired_by"]) == ("retired", "admin-1")
    assert [(k["kid"], k["status"]) for k in listing.json()["keys"]] == [
        (old["kid"], "retired"), (new["kid"], "active")]
    text = listing.text + rotated.text + retired.text
    assert "PRIVATE" not in text and "PUBLIC" not in text and '"d"' not in text
    assert keyring.load(key_file, create=False).active == new["kid"]


async def test_each_refusal(api: httpx.AsyncClient, key_file: Path) -> None:
    active = keyring.load(key_file, create=False).active

    async def status(method: str, path: str, who: str | None = "admin") -> tuple[int, str]:
        answer = await api.request(method, path, headers=as_(who) if who else {})
        return answer.status_code, (answer.json().get("error") or {}).get("code", "")

    assert await status("GET", "/v1/admin/keys", "officer") == (403, "forbidden")
    assert await status("POST", "/v1/admin/keys/rotate", "officer") == (403, "forbidden")
    assert await status("POST", f"/v1/admin/keys/{active}/retire", "officer") == (
        403, "forbidden")
    assert await status("POST", "/v1/admin/keys/rotate", None) == (401, "token_missing")
    assert await status("POST", f"/v1/admin/keys/{active}/retire") == (409, "active_key")
    assert await status("POST", f"/v1/admin/keys/{'0' * 20}/retire") == (404, "not_found")
    assert (await status("POST", "/v1/admin/keys/NOT-A-KID/retire"))[0] == 422
    assert len(keyring.load(key_file, create=False).entries) == 1  # nothing changed

    await api.post("/v1/admin/keys/rotate", headers=as_("admin"))
    assert (await status("POST", f"/v1/admin/keys/{active}/retire"))[0] == 200
    assert await status("POST", f"/v1/admin/keys/{active}/retire") == (409, "key_retired")


async def test_a_read_only_key_file_is_refused_with_the_reason(
        api: httpx.AsyncClient, key_file: Path) -> None:
    os.chmod(key_file, 0o444)  # as a mounted secret
    listing = (await api.get("/v1/admin/keys", headers=as_("admin"))).json()
    refused = await api.post("/v1/admin/keys/rotate", headers=as_("admin"))
    assert listing["managed_by_operator"] is True
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "keys_managed_by_operator"
    assert "operator" in error["message"]["en"] and "vận hành" in error["message"]["vi"]


async def test_the_routes_are_documented(api: httpx.AsyncClient) -> None:
    paths = (await api.get("/openapi.json")).json()["paths"]
    retire = paths["/v1/admin/keys/{kid}/retire"]["post"]
    assert {"404", "409"} <= set(retire["responses"])
    assert "409" in paths["/v1/admin/keys/rotate"]["post"]["responses"]
    assert "200" in paths["/v1/admin/keys"]["get"]["responses"]
