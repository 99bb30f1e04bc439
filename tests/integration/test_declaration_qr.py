"""The QR a citizen gets: decoded by a real decoder, verified with the published keys."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from libs.runtime.qr_tokens import Kind, QrTokenError, QrVerifier, Reason
from services.declaration import keyring
from tests.conftest import ServerSlice
from tests.support.declaration_kit import bearer, declaration_service
from tests.support.declaration_samples import ADMIN, OFFICER, form
from tests.support.qr_codes import read_qr


def decode(png: bytes) -> str:
    [text] = read_qr(png)
    return text


async def test_the_qr_decodes_to_a_token_the_published_keys_verify(env: ServerSlice,
                                                                   tmp_path: Path) -> None:
    async with declaration_service(env, qr_key_file=tmp_path / "qr.json") as api:
        answer = (await api.post("/v1/declarations", json=form())).json()
        token = bearer(answer["access_token"])
        png = await api.get(answer["qr"]["png"], headers=token)
        svg = await api.get(answer["qr"]["svg"], headers=token)
        jwks = (await api.get("/v1/keys")).json()
        again = await api.get(answer["qr"]["png"], headers=OFFICER)

    assert png.headers["content-type"] == "image/png"
    assert svg.headers["content-type"] == "image/svg+xml" and b"<svg" in svg.content
    text = decode(png.content)
    assert "Nguy" not in text and "001085012345" not in text
    claims = QrVerifier.from_jwks(jwks).verify(text)
    assert claims.subject == answer["declaration_id"] and claims.kind == Kind.declaration
    assert claims.expires_at.isoformat().startswith(answer["valid_until"][:16])
    assert claims.kid == jwks["active"] == png.headers["x-qr-key-id"]
    assert decode(again.content) == text  # same declaration, same key: the same code

    forged = base64.b32decode(text)
    forged = forged[:12] + bytes([forged[12] ^ 1]) + forged[13:]  # another declaration id
    with pytest.raises(QrTokenError) as refused:
        QrVerifier.from_jwks(jwks).verify(base64.b32encode(forged).decode())
    assert refused.value.reason == Reason.tampered


async def test_only_the_holder_an_officer_or_an_admin_gets_the_qr(env: ServerSlice) -> None:
    async with declaration_service(env) as api:
        first = (await api.post("/v1/declarations", json=form())).json()
        second = (await api.post("/v1/declarations", json=form())).json()
        path = first["qr"]["png"]
        status = {
            "holder": (await api.get(path, headers=bearer(first["access_token"]))).status_code,
            "other": (await api.get(path, headers=bearer(second["access_token"]))).status_code,
            "nobody": (await api.get(path)).status_code,
            "admin": (await api.get(path, headers=ADMIN)).status_code,
            "gif": (await api.get(path.replace(".png", ".gif"), headers=ADMIN)).status_code,
        }
    assert status == {"holder": 200, "other": 403, "nobody": 401, "admin": 200, "gif": 422}


async def test_after_a_rotation_old_codes_still_verify_until_retired(env: ServerSlice,
                                                                     tmp_path: Path) -> None:
    key_file = tmp_path / "qr.json"
    async with declaration_service(env, qr_key_file=key_file) as api:
        answer = (await api.post("/v1/declarations", json=form())).json()
        old_code = decode((await api.get(answer["qr"]["png"], headers=ADMIN)).content)
    old_kid = keyring.load(key_file, create=False).active
    new_kid = keyring.rotate(key_file, by="test").kid
    async with declaration_service(env, qr_key_file=key_file) as api:
        jwks = (await api.get("/v1/keys")).json()
        new_code = decode((await api.get(answer["qr"]["png"], headers=ADMIN)).content)
    keyring.retire(key_file, old_kid, by="test")
    async with declaration_service(env, qr_key_file=key_file) as api:
        retired_jwks = (await api.get("/v1/keys")).json()

    assert {k["kid"] for k in jwks["keys"]} == {old_kid, new_kid} and jwks["active"] == new_kid
    verifier = QrVerifier.from_jwks(jwks)
    assert verifier.verify(old_code).kid == old_kid
    assert verifier.verify(new_code).kid == new_kid
    with pytest.raises(QrTokenError) as refused:
        QrVerifier.from_jwks(retired_jwks).verify(old_code)
    assert refused.value.reason == Reason.foreign_key


async def test_the_units_the_pickers_offer(env: ServerSlice) -> None:
    async with declaration_service(env) as api:
        units = await api.get("/v1/units")
        cached = await api.get("/v1/units", headers={"if-none-match": units.headers["etag"]})
    provinces = units.json()["provinces"]
    assert len(provinces) == 34 and sum(len(p["wards"]) for p in provinces) == 3321
    hanoi = next(p for p in provinces if p["code"] == 1)
    assert ["00070", "Phường Hoàn Kiếm"] in hanoi["wards"]
    assert units.headers["content-encoding"] == "gzip"  # httpx asks for it and unpacks it
    assert cached.status_code == 304
