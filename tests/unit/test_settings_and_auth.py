"""Settings refuse development secrets in production; JWTs are checked, never trusted."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError

from libs.runtime.auth import Role, decode, mint
from libs.runtime.errors import ApiError
from libs.runtime.settings import ServiceSettings


def test_production_refuses_the_development_subject_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENV", "production")
    with pytest.raises(ValidationError, match="KHAIBAO_SUBJECT_SECRET"):
        ServiceSettings()
    monkeypatch.setenv("KHAIBAO_SUBJECT_SECRET", "a-real-secret-from-the-vault")
    assert ServiceSettings().env == "production"


def test_shared_names_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP", "10.0.0.5:9092")
    monkeypatch.setenv("MONGO_URL", "mongodb://db:27017")
    settings = ServiceSettings()
    assert (settings.kafka_bootstrap, settings.mongo_url) == ("10.0.0.5:9092", "mongodb://db:27017")


def test_token_round_trip_keeps_role_and_scope() -> None:
    who = decode(mint("officer-7", Role.officer, ["cp-1", "cp-2"]))
    assert (who.subject, who.role, who.scope) == ("officer-7", Role.officer, ("cp-1", "cp-2"))
    assert who.may_see("cp-1") and not who.may_see("cp-9")


def _code(token: str) -> str:
    with pytest.raises(ApiError) as caught:
        decode(token)
    assert caught.value.status == 401
    return caught.value.code


def test_expired_tampered_and_foreign_tokens_are_refused() -> None:
    assert _code(mint("x", Role.admin, ttl=timedelta(seconds=-1))) == "token_expired"
    header, _claims, signature = mint("x", Role.citizen, ["d1"]).split(".")
    forged_claims = jwt.utils.base64url_encode(
        b'{"iss":"khaibao","sub":"x","role":"admin","scope":[],"exp":9999999999}').decode()
    assert _code(f"{header}.{forged_claims}.{signature}") == "token_invalid"
    foreign = jwt.encode({"iss": "khaibao", "sub": "x", "role": "admin", "exp": 9999999999},
                         Ed25519PrivateKey.generate(), algorithm="EdDSA")
    assert _code(foreign) == "token_invalid"
    unsigned = jwt.encode({"iss": "khaibao", "sub": "x", "role": "admin", "exp": 9999999999},
                          None, algorithm="none")
    assert _code(unsigned) == "token_invalid"
    assert _code("not-a-token") == "token_invalid"
