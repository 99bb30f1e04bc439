"""Settings refuse development secrets in production; tokens are checked, never trusted.

The staff-token rules run here against a key made in the test (the realm's keys
already fetched); tests/integration/test_staff_sign_in.py runs them against the
real identity provider.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import generate_private_key
from pydantic import ValidationError

from libs.runtime.auth import Authenticator, KeySet, Principal, Role, StaffTokens, split_issuer
from libs.runtime.errors import ApiError
from libs.runtime.settings import ServiceSettings
from services.declaration.citizen_tokens import CitizenTokens
from services.declaration.keyring import KeyRing

ISSUER = "https://idp.example/realms/khaibao"
KEY = generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC_PEM = KEY.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)


def staff_tokens(production: bool = False) -> StaffTokens:
    keys = KeySet(ISSUER, None, min_refresh_s=3600)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
    keys.keys = {"k1": jwt.PyJWK({**jwk, "kid": "k1", "alg": "RS256", "use": "sig"})}
    keys.fetched_at = time.monotonic()  # fetched: an unknown kid is not looked up again
    return StaffTokens(ISSUER, "khaibao", keys, production=production)


def token(key: Any = KEY, algorithm: str = "RS256", kid: str = "k1", **claims: Any) -> str:
    now = datetime.now(UTC)
    body = {"iss": ISSUER, "aud": ["khaibao", "account"], "sub": "5d1c…", "iat": now,
            "exp": now + timedelta(minutes=5), "azp": "khaibao-web",
            "preferred_username": "canbo.noibai", "name": "Nguyễn Văn An",
            "roles": ["default-roles-khaibao", "officer"], "khaibao_scope": ["cp-1", "cp-2"],
            "khaibao_unit": "Chốt Nội Bài", **claims}
    return jwt.encode({k: v for k, v in body.items() if v is not None}, key,
                      algorithm=algorithm, headers={"kid": kid})


async def refused(raw: str, production: bool = False) -> tuple[int, str]:
    with pytest.raises(ApiError) as caught:
        await staff_tokens(production).principal(raw)
    return caught.value.status, caught.value.code


def test_production_refuses_the_development_subject_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENV", "production")
    with pytest.raises(ValidationError, match="KHAIBAO_SUBJECT_SECRET"):
        ServiceSettings()
    monkeypatch.setenv("KHAIBAO_SUBJECT_SECRET", "a-real-secret-from-the-vault")
    assert ServiceSettings().env == "production"


def test_shared_names_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP", "10.0.0.5:9092")
    monkeypatch.setenv("MONGO_URL", "mongodb://db:27017")
    monkeypatch.setenv("KHAIBAO_OIDC_ISSUER", ISSUER)
    settings = ServiceSettings()
    assert (settings.kafka_bootstrap, settings.mongo_url) == ("10.0.0.5:9092", "mongodb://db:27017")
    assert split_issuer(settings.oidc_issuer) == ("https://idp.example", "khaibao")


async def test_a_staff_token_becomes_its_account_role_scope_and_unit() -> None:
    who = await staff_tokens().principal(token())
    assert who == Principal("canbo.noibai", Role.officer, ("cp-1", "cp-2"), "Nguyễn Văn An",
                            "Chốt Nội Bài")
    assert who.may_see("cp-1") and not who.may_see("cp-9")
    admin_too = await staff_tokens().principal(token(roles=["officer", "admin"]))
    assert admin_too.role == Role.admin, "the widest role a token holds"
    # Keycloak's default, without the top-level claim: realm_access.roles.
    nested = await staff_tokens().principal(token(roles=None, realm_access={"roles": ["epidemiologist"]}))
    assert nested.role == Role.epidemiologist


async def test_the_identity_providers_clock_may_run_ahead_of_ours() -> None:
    later = datetime.now(UTC) + timedelta(hours=3)
    who = await staff_tokens().principal(token(iat=later, exp=later + timedelta(minutes=5)))
    assert who.role == Role.officer


async def test_a_token_without_a_khaibao_role_is_forbidden_not_unknown() -> None:
    assert await refused(token(roles=["offline_access"])) == (403, "no_role")


async def test_expired_foreign_tampered_and_confused_tokens_are_refused() -> None:
    past = datetime.now(UTC) - timedelta(minutes=10)
    assert await refused(token(iat=past, exp=past + timedelta(minutes=5))) == (401, "token_expired")
    assert await refused(token(aud="another-app")) == (401, "token_invalid")
    assert await refused(token(iss="https://idp.example/realms/master")) == (401, "token_invalid")
    assert await refused(token(kid="rotated-away")) == (401, "token_invalid")
    other = generate_private_key(public_exponent=65537, key_size=2048)
    assert await refused(token(key=other)) == (401, "token_invalid")
    header, _, signature = token().split(".")
    claims = jwt.utils.base64url_encode(json.dumps({"iss": ISSUER, "aud": "khaibao", "sub": "x",
                                                    "exp": 9999999999, "roles": ["admin"]}).encode())
    assert await refused(f"{header}.{claims.decode()}.{signature}") == (401, "token_invalid")
    # alg confusion: HMAC "signed" with the public key as its secret, and no signature at all.
    hmac_header = jwt.utils.base64url_encode(json.dumps({"alg": "HS256", "kid": "k1"}).encode())
    body = token().split(".")[1]
    forged = jwt.algorithms.HMACAlgorithm(jwt.algorithms.HMACAlgorithm.SHA256).sign(
        hmac_header + b"." + body.encode(), PUBLIC_PEM)
    hs256 = f"{hmac_header.decode()}.{body}.{jwt.utils.base64url_encode(forged).decode()}"
    assert await refused(hs256) == (401, "token_invalid")
    unsigned = jwt.encode({"iss": ISSUER, "aud": "khaibao", "sub": "x", "exp": 9999999999},
                          "", algorithm="none", headers={"kid": "k1"})
    assert await refused(unsigned) == (401, "token_invalid")
    eddsa_under_rsa_kid = token(key=Ed25519PrivateKey.generate(), algorithm="EdDSA")
    assert await refused(eddsa_under_rsa_kid) == (401, "token_invalid")
    assert await refused("not-a-token") == (401, "token_invalid")


async def test_production_refuses_development_and_demo_accounts() -> None:
    assert (await staff_tokens().principal(token(azp="khaibao-dev-token"))).role == Role.officer
    assert await refused(token(azp="khaibao-dev-token"), production=True) == (
        401, "token_development")
    assert await refused(token(khaibao_demo=True), production=True) == (401, "token_development")
    assert (await staff_tokens(production=True).principal(token())).role == Role.officer


async def test_citizen_tokens_open_their_own_declarations_and_go_to_their_issuer() -> None:
    key = Ed25519PrivateKey.generate()
    citizens = CitizenTokens(KeyRing("kid-1", {"kid-1": key}))
    now = datetime.now(UTC)
    raw = citizens.issue(["decl-1", "veh-1"], now + timedelta(days=2), now)
    authenticator = Authenticator(staff_tokens(), {"khaibao-declaration": citizens.principal})
    who = await authenticator.principal(raw)
    assert (who.subject, who.role, who.scope) == ("decl-1", Role.citizen, ("decl-1", "veh-1"))
    assert (await authenticator.principal(token())).role == Role.officer
    stale = citizens.issue(["decl-1"], now - timedelta(days=3), now - timedelta(days=3))
    with pytest.raises(ApiError, match="expired"):
        await authenticator.principal(stale)
    stranger = CitizenTokens(KeyRing("kid-1", {"kid-1": Ed25519PrivateKey.generate()}))
    with pytest.raises(ApiError, match="not valid"):
        await authenticator.principal(stranger.issue(["decl-1"], now, now))
