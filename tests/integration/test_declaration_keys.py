"""Rotating and retiring the QR signing keys through the admin API of a running declaration
service (real identity provider tokens, real store): a code issued after the rotation
carries the new kid, one issued before still verifies against GET /v1/keys, and stops once
its key is retired; a citizen's token signed before a retirement stops opening the
declaration. Only an admin may."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from libs.runtime.auth import Role
from libs.runtime.qr_tokens import QrTokenError, QrVerifier, Reason
from tests.conftest import ServerSlice
from tests.support.declaration_kit import bearer, declaration_service
from tests.support.declaration_samples import ADMIN, OFFICER, form
from tests.support.qr_codes import read_qr
from tests.support.tokens import bearer as staff

KEYS_ADMIN = staff(Role.admin, who="keys-admin-int")


async def test_an_admin_rotates_and_retires_and_codes_follow(env: ServerSlice,
                                                             tmp_path: Path) -> None:
    async with declaration_service(env, qr_key_file=tmp_path / "qr.json") as api:

        async def code(answer: dict[str, Any]) -> tuple[str, str]:
            png = await api.get(answer["qr"]["png"], headers=ADMIN)
            [text] = read_qr(png.content)
            return text, png.headers["x-qr-key-id"]

        before = (await api.post("/v1/declarations", json=form())).json()
        old_code, old_kid = await code(before)
        rotated = await api.post("/v1/admin/keys/rotate", headers=KEYS_ADMIN)
        new_kid = rotated.json()["kid"]
        after = (await api.post("/v1/declarations", json=form())).json()
        new_code, signed_with = await code(after)
        both = (await api.get("/v1/keys")).json()
        # The old citizen token still opens its declaration while its key verifies.
        opened = await api.get(f"/v1/declarations/{before['declaration_id']}",
                               headers=bearer(before["access_token"]))

        retired = await api.post(f"/v1/admin/keys/{old_kid}/retire", headers=KEYS_ADMIN)
        left = (await api.get("/v1/keys")).json()
        listing = (await api.get("/v1/admin/keys", headers=KEYS_ADMIN)).json()
        refused = await api.get(f"/v1/declarations/{before['declaration_id']}",
                                headers=bearer(before["access_token"]))
        fresh = await api.get(f"/v1/declarations/{after['declaration_id']}",
                              headers=bearer(after["access_token"]))

    assert rotated.status_code == 201 and rotated.json()["created_by"] == "keys-admin-int"
    assert signed_with == new_kid != old_kid and both["active"] == new_kid
    verifier = QrVerifier.from_jwks(both)
    assert verifier.verify(new_code).kid == new_kid
    assert verifier.verify(old_code).kid == old_kid
    assert opened.status_code == 200

    assert retired.status_code == 200 and retired.json()["retired_by"] == "keys-admin-int"
    assert [k["kid"] for k in left["keys"]] == [new_kid]
    with pytest.raises(QrTokenError) as stopped:
        QrVerifier.from_jwks(left).verify(old_code)
    assert stopped.value.reason == Reason.foreign_key
    assert QrVerifier.from_jwks(left).verify(new_code).kid == new_kid
    assert [(k["kid"], k["status"], k["retired_by"]) for k in listing["keys"]] == [
        (old_kid, "retired", "keys-admin-int"), (new_kid, "active", None)]
    assert refused.status_code == 401 and fresh.status_code == 200


async def test_only_an_admin_manages_the_keys(env: ServerSlice, tmp_path: Path) -> None:
    async with declaration_service(env, qr_key_file=tmp_path / "qr.json") as api:
        kid = (await api.get("/v1/keys")).json()["active"]
        status = {
            "list": (await api.get("/v1/admin/keys", headers=OFFICER)).status_code,
            "rotate": (await api.post("/v1/admin/keys/rotate", headers=OFFICER)).status_code,
            "retire": (await api.post(f"/v1/admin/keys/{kid}/retire",
                                      headers=OFFICER)).status_code,
            "anonymous": (await api.post("/v1/admin/keys/rotate")).status_code,
        }
        still = (await api.get("/v1/keys")).json()
    assert status == {"list": 403, "rotate": 403, "retire": 403, "anonymous": 401}
    assert still["active"] == kid and len(still["keys"]) == 1
