"""Bearer JWTs (EdDSA / Ed25519) checked by every service with the issuer's public key.

Roles (DESIGN.md §5): citizen (scope: one declaration id), officer (scope:
checkpoint ids), ward_official (scope: ward codes), epidemiologist, admin.
In development the issuer key is created on first use under the state folder;
with `ENV=production` a key must be configured and the development key is refused.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from libs.runtime.errors import ApiError

ISSUER = "khaibao"
ALGORITHM = "EdDSA"
STATE = Path(os.environ.get("KHAIBAO_STATE", Path(__file__).resolve().parents[2] / ".state"))
DEV_KEY_FILE = STATE / "keys" / "jwt-issuer-dev.pem"


class Role(StrEnum):
    citizen = "citizen"
    officer = "officer"
    ward_official = "ward_official"
    epidemiologist = "epidemiologist"
    admin = "admin"


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    scope: tuple[str, ...]

    def may_see(self, item: str) -> bool:
        return self.role in (Role.admin, Role.epidemiologist) or item in self.scope


def _key_file() -> Path:
    configured = os.environ.get("KHAIBAO_JWT_KEY_FILE")
    if os.environ.get("ENV") == "production" and not configured:
        raise RuntimeError("KHAIBAO_JWT_KEY_FILE must be set in production")
    return Path(configured) if configured else DEV_KEY_FILE


@cache
def issuer_key() -> Ed25519PrivateKey:
    path = _key_file()
    if not path.exists():
        _create_key_file(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey), f"{path} is not an Ed25519 key"
    return key


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    temp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    try:
        # link() is atomic and refuses to overwrite: when several services start
        # at once, exactly one key wins and nobody reads a half-written file.
        os.link(temp, path)
    except FileExistsError:
        pass
    finally:
        temp.unlink()


@cache
def verify_key() -> Ed25519PublicKey:
    return issuer_key().public_key()


def mint(subject: str, role: Role, scope: list[str] | tuple[str, ...] = (),
         ttl: timedelta = timedelta(hours=12)) -> str:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {"iss": ISSUER, "sub": subject, "role": role.value,
                              "scope": list(scope), "iat": now, "exp": now + ttl}
    return jwt.encode(claims, issuer_key(), algorithm=ALGORITHM)


def _unauthorized(code: str, en: str, vi: str) -> ApiError:
    return ApiError(401, code, vi, en, headers={"WWW-Authenticate": "Bearer"})


def decode(token: str) -> Principal:
    try:
        claims = jwt.decode(token, verify_key(), algorithms=[ALGORITHM], issuer=ISSUER,
                            options={"require": ["exp", "sub", "iss"]})
        return Principal(claims["sub"], Role(claims["role"]), tuple(claims.get("scope", ())))
    except jwt.ExpiredSignatureError:
        raise _unauthorized("token_expired", "The token has expired",
                            "Mã truy cập đã hết hạn") from None
    except (jwt.InvalidTokenError, KeyError, ValueError):
        raise _unauthorized("token_invalid", "The token is not valid",
                            "Mã truy cập không hợp lệ") from None


# Declared as a security scheme, so that /openapi.json marks the routes that need a token
# (and http.py documents their 401 and 403); the checks below stay ours.
BEARER = HTTPBearer(auto_error=False, bearerFormat="JWT",
                    description="EdDSA JWT with `role` and `scope` (DESIGN.md §5)")


def principal(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]) -> Principal:
    if credentials is None or not credentials.credentials.strip():
        raise _unauthorized("token_missing", "A bearer token is required",
                            "Cần mã truy cập (Bearer)")
    return decode(credentials.credentials.strip())


def require(*roles: Role) -> Any:
    """`Annotated[Principal, require(Role.admin)]`: 401 without a token, 403 for other roles."""

    def check(who: Annotated[Principal, Depends(principal)]) -> Principal:
        if who.role not in roles:
            raise ApiError(403, "forbidden", "Vai trò này không được phép",
                           f"Role {who.role} may not do this")
        return who

    return Depends(check)
