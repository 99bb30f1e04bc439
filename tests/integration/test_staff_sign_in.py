"""Staff tokens from the real identity provider: what every service accepts and refuses.

Tokens come from the local stack's Keycloak (realm `khaibao`): its own signatures,
claims and lifetimes. The refusals are made from real tokens too — another realm's,
a client without the audience, a token outlived, one edited, one "signed" with
the realm's public key as an HMAC secret.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi import FastAPI

from deploy.keycloak import development
from deploy.keycloak.admin import KeycloakAdmin
from deploy.keycloak.tokens import ensure_account, sign_in
from libs.runtime.auth import refuse_development_realm
from libs.runtime.settings import ServiceSettings
from services.checkpoint.app import build as build_checkpoint
from services.declaration.app import build as build_declaration
from services.identity_verification.app import build as build_identity
from services.identity_verification.settings import Settings as IdentitySettings
from services.movement_trace.app import build as build_trace
from services.movement_trace.settings import Settings as TraceSettings
from services.ward_notification.app import build as build_ward
from services.ward_notification.settings import Settings as WardSettings
from tests.conftest import ServerSlice
from tests.support import checkpoint_kit, declaration_kit
from tests.support.apps import running

REALM_FILE = Path(__file__).parents[2] / "deploy" / "keycloak" / "khaibao-realm.json"
# One authenticated read per service, and what an admin gets past the checks.
READS = {"declaration": "/v1/declarations/0198c1d2-0000-7000-8000-00000000d3c1",
         "identity": "/v1/stats", "checkpoint": "/v1/checkpoints",
         "trace": "/v1/audit", "ward": "/v1/notifications?ward=26506"}


@pytest.fixture(scope="module")
def admin() -> KeycloakAdmin:
    return KeycloakAdmin.from_environment()


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def app_of(env: ServerSlice, name: str) -> AbstractAsyncContextManager[httpx.AsyncClient]:
    builders: dict[str, Callable[[], FastAPI]] = {
        "declaration": lambda: build_declaration(declaration_kit.settings(env)),
        "identity": lambda: build_identity(env.settings(IdentitySettings)),
        "checkpoint": lambda: build_checkpoint(checkpoint_kit.settings(env),
                                               key_source=checkpoint_kit.Keys().source),
        "trace": lambda: build_trace(env.settings(TraceSettings)),
        "ward": lambda: build_ward(env.settings(WardSettings))}
    return running(builders[name]())


def token_of(username: str, password: str, client: str = development.DEV_CLIENT) -> str:
    return str(sign_in(username, password, client)["access_token"])


@asynccontextmanager
async def temporary_client(admin: KeycloakAdmin, **changes: Any) -> AsyncIterator[str]:
    """A password-grant client like the development one, with `changes`, then gone."""
    web_client = admin.find_client(development.WEB_CLIENT)
    assert web_client is not None
    web = admin.call("GET", f"/clients/{web_client['id']}").json()
    client = {**development.dev_client(web), "clientId": f"test-{uuid.uuid4().hex[:8]}",
              **changes}
    admin.ensure_client(client)
    try:
        yield client["clientId"]
    finally:
        admin.delete_client(client["clientId"])


async def test_every_service_accepts_the_realms_tokens(env: ServerSlice) -> None:
    user = ensure_account("admin", who="signin-admin")
    token = token_of(user.username, user.password)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"].endswith("/realms/khaibao") and "khaibao" in claims["aud"]
    for name, path in READS.items():
        async with app_of(env, name) as api:
            answer = await api.get(path, headers=bearer(token))
            anonymous = await api.get(path)
        assert answer.status_code in (200, 404), (name, answer.text)
        assert anonymous.status_code == 401, name


async def test_tokens_from_elsewhere_outlived_edited_or_forged_are_refused(
        env: ServerSlice, admin: KeycloakAdmin) -> None:
    user = ensure_account("admin", who="signin-refusals")
    good = token_of(user.username, user.password)
    master = admin.token()  # the master realm's, for its admin console
    async with temporary_client(admin, protocolMappers=[]) as no_audience:
        other_audience = token_of(user.username, user.password, no_audience)
    async with temporary_client(admin, attributes={"access.token.lifespan": "2"}) as short:
        outlived = token_of(user.username, user.password, short)
    header, body, signature = good.split(".")
    claims = json.loads(jwt.utils.base64url_decode(body))
    edited = jwt.utils.base64url_encode(json.dumps({**claims, "khaibao_scope": ["*"]}).encode())
    rsa = next(k for k in realm_keys(admin) if k["kty"] == "RSA" and k.get("use") == "sig")
    public_key = jwt.algorithms.RSAAlgorithm.from_jwk(rsa)
    assert isinstance(public_key, RSAPublicKey)
    public_pem = public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    forged = _hmac_token(claims, public_pem, rsa["kid"])
    unsigned = jwt.encode(claims, "", algorithm="none", headers={"kid": rsa["kid"]})
    await asyncio.sleep(14)  # past the 2 s lifetime and the services' 10 s of leeway
    cases = {"another realm": master, "no khaibao audience": other_audience,
             "expired": outlived, "edited claims": f"{header}.{edited.decode()}.{signature}",
             "HS256 with the public key": forged, "alg none": unsigned}
    async with app_of(env, "identity") as api:
        answers = {name: await api.get(READS["identity"], headers=bearer(raw))
                   for name, raw in cases.items()}
        still_good = await api.get(READS["identity"], headers=bearer(good))
    assert still_good.status_code == 200
    codes = {name: (a.status_code, a.json()["error"]["code"]) for name, a in answers.items()}
    assert codes == {**{name: (401, "token_invalid") for name in cases},
                     "expired": (401, "token_expired")}


def realm_keys(admin: KeycloakAdmin) -> list[dict[str, Any]]:
    answer = httpx.get(f"{admin.base}/realms/{admin.realm}/protocol/openid-connect/certs")
    return list(answer.json()["keys"])


def _hmac_token(claims: dict[str, Any], secret: bytes, kid: str) -> str:
    """HS256 made by hand: PyJWT rightly refuses to use a PEM key as an HMAC secret."""
    head = jwt.utils.base64url_encode(json.dumps({"alg": "HS256", "kid": kid,
                                                  "typ": "JWT"}).encode())
    body = jwt.utils.base64url_encode(json.dumps(claims).encode())
    mac = jwt.algorithms.HMACAlgorithm(jwt.algorithms.HMACAlgorithm.SHA256).sign(
        head + b"." + body, secret)
    return b".".join([head, body, jwt.utils.base64url_encode(mac)]).decode()


async def test_a_role_removed_in_the_realm_is_refused_at_the_next_token(
        env: ServerSlice, admin: KeycloakAdmin) -> None:
    user = ensure_account("admin", who=f"signin-removed-{uuid.uuid4().hex[:6]}")
    before = token_of(user.username, user.password)
    found = admin.find_user(user.username)
    assert found is not None
    admin.set_roles(found["id"], set())
    after = token_of(user.username, user.password)
    async with app_of(env, "identity") as api:
        allowed = await api.get(READS["identity"], headers=bearer(before))
        refused = await api.get(READS["identity"], headers=bearer(after))
    assert allowed.status_code == 200, "a token issued before lives out its 5 minutes"
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "no_role")


async def test_production_refuses_a_realm_with_the_development_client(
        admin: KeycloakAdmin) -> None:
    production = ServiceSettings(env="production", KHAIBAO_SUBJECT_SECRET="s3cret-for-test")
    with pytest.raises(RuntimeError, match="development client"):
        await refuse_development_realm(production)
    # The realm file alone, as production imports it, passes.
    realm = {**json.loads(REALM_FILE.read_text()), "realm": f"prodcheck{uuid.uuid4().hex[:6]}"}
    for client in realm["clients"]:  # what Keycloak would resolve from its environment
        client["redirectUris"] = ["https://khaibao.example/*"]
        client["webOrigins"] = ["https://khaibao.example"]
    realm_admin(admin, "POST", "", json=realm)
    try:
        issuer = f"{admin.base}/realms/{realm['realm']}"
        await refuse_development_realm(production.model_copy(update={"oidc_issuer": issuer}))
    finally:
        realm_admin(admin, "DELETE", f"/{realm['realm']}")


def realm_admin(admin: KeycloakAdmin, method: str, path: str, **kwargs: Any) -> None:
    """Realms themselves (not the ones inside `admin.realm`)."""
    httpx.request(method, f"{admin.base}/admin/realms{path}", timeout=60,
                  headers={"authorization": f"Bearer {admin.token()}"},
                  **kwargs).raise_for_status()
