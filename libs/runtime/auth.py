"""Who is calling: staff access tokens from the identity provider, and citizens' own tokens.

Staff sign in at the realm's identity provider (Keycloak; DESIGN.md §5) and send
its access token. Every service checks it against the realm's published keys
(JWKS, cached, fetched again when a token names a key it has not seen), and its
issuer, audience and expiry; the token's realm roles and `khaibao_scope` claim
become a `Principal`. Nothing here signs staff tokens: services hold no key of
their own for them.

Citizens stay anonymous: the declaration service gives each declaration its own
token (role `citizen`, scope: that declaration), which only it reads
(services/declaration/citizen_tokens.py plugs into `Authenticator`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from libs.contracts.jsontypes import JsonObject
from libs.runtime.errors import ApiError
from libs.runtime.settings import ServiceSettings


class Role(StrEnum):
    citizen = "citizen"
    officer = "officer"
    ward_official = "ward_official"
    epidemiologist = "epidemiologist"
    admin = "admin"


# A token holding several staff roles acts with the widest: an admin who is also an
# epidemiologist is an admin here.
STAFF_ROLES = (Role.admin, Role.epidemiologist, Role.ward_official, Role.officer)
# Asymmetric signatures only: a token "signed" with HS256 and the public key as its secret,
# or with `alg: none`, is refused before any key is looked at.
SIGNATURE_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                                  "ES256", "ES384", "EdDSA"})
DEV_CLIENT = "khaibao-dev-token"  # deploy/keycloak/development.py
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Principal:
    subject: str  # staff: the account name; citizen: the declaration id
    role: Role
    scope: tuple[str, ...]
    name: str = ""  # shown in pages' headers and never in events
    unit: str = ""  # e.g. "UBND phường Vũng Tàu": what citizens see of who looked

    def may_see(self, item: str) -> bool:
        return self.role in (Role.admin, Role.epidemiologist) or item in self.scope


def split_issuer(url: str) -> tuple[str, str]:
    """A Keycloak realm's issuer `http://host:8080/realms/khaibao` → (`http://host:8080`,
    `khaibao`): where pages send people to sign in, and to which realm."""
    base, _, realm = url.rstrip("/").rpartition("/realms/")
    if not base or not realm:
        raise ValueError(f"{url} is not a Keycloak realm issuer (…/realms/<name>)")
    return base, realm


def unauthorized(code: str, en: str, vi: str) -> ApiError:
    return ApiError(401, code, vi, en, headers={"WWW-Authenticate": "Bearer"})


def token_invalid() -> ApiError:
    return unauthorized("token_invalid", "The token is not valid", "Mã truy cập không hợp lệ")


def token_expired() -> ApiError:
    return unauthorized("token_expired", "The token has expired", "Mã truy cập đã hết hạn")


class KeySet:
    """The realm's public keys by `kid`, fetched on first need and again (at most every
    `min_refresh_s`) when a token names an unknown key: a key rotation needs no restart."""

    def __init__(self, issuer: str, jwks_url: str | None, min_refresh_s: float = 10.0) -> None:
        self.issuer, self.jwks_url, self.min_refresh_s = issuer, jwks_url, min_refresh_s
        self.keys: dict[str, jwt.PyJWK] = {}
        self.fetched_at = -float("inf")
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> jwt.PyJWK | None:
        if kid not in self.keys and time.monotonic() - self.fetched_at >= self.min_refresh_s:
            async with self._lock:
                if kid not in self.keys and time.monotonic() - self.fetched_at >= self.min_refresh_s:
                    await self._fetch()
        return self.keys.get(kid)

    async def _fetch(self) -> None:
        try:
            async with httpx.AsyncClient(timeout=5) as http:
                url = self.jwks_url or (await _json(http, f"{self.issuer}/.well-known/"
                                                    "openid-configuration"))["jwks_uri"]
                document = await _json(http, url)
        except (httpx.HTTPError, KeyError, ValueError) as error:
            raise ApiError(503, "auth_unavailable", "Chưa kiểm tra được mã truy cập, thử lại sau",
                           f"The identity provider cannot be reached ({type(error).__name__})",
                           headers={"Retry-After": "5"}) from None
        keys = {}
        for jwk in document.get("keys", []):
            if jwk.get("use", "sig") == "sig" and jwk.get("kid"):
                try:
                    keys[jwk["kid"]] = jwt.PyJWK(jwk)
                except jwt.PyJWTError:
                    continue  # a key type this library cannot use (e.g. encryption keys)
        self.keys, self.fetched_at = keys, time.monotonic()


async def _json(http: httpx.AsyncClient, url: str) -> JsonObject:
    answer = await http.get(url)
    answer.raise_for_status()
    return dict(answer.json())


@dataclass
class StaffTokens:
    """Checks the identity provider's access tokens."""

    issuer: str
    audience: str
    keys: KeySet
    production: bool = False

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> StaffTokens:
        issuer = settings.oidc_issuer.rstrip("/")
        return cls(issuer, settings.oidc_audience, KeySet(issuer, settings.oidc_jwks_url),
                   production=settings.env == "production")

    async def principal(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise token_invalid() from None
        algorithm, kid = header.get("alg"), header.get("kid")
        if algorithm not in SIGNATURE_ALGORITHMS or not isinstance(kid, str):
            raise token_invalid()
        key = await self.keys.key(kid)
        if key is None or key.algorithm_name != algorithm:
            raise token_invalid()
        try:
            # `iat` is not checked: the identity provider's clock is not ours, and `exp`
            # is what bounds a token's life.
            claims = jwt.decode(token, key, algorithms=[algorithm], audience=self.audience,
                                issuer=self.issuer, leeway=10, options={
                                    "require": ["exp", "sub", "iss", "aud"], "verify_iat": False})
        except jwt.ExpiredSignatureError:
            raise token_expired() from None
        except jwt.PyJWTError:
            raise token_invalid() from None
        self._refuse_development_tokens(claims)
        return staff_principal(claims)

    def _refuse_development_tokens(self, claims: JsonObject) -> None:
        if self.production and (claims.get("azp") == DEV_CLIENT or claims.get("khaibao_demo")):
            raise unauthorized("token_development", "Development and demo accounts are not "
                               "accepted in production", "Không chấp nhận tài khoản thử nghiệm")


def staff_principal(claims: JsonObject) -> Principal:
    held = set(claims.get("roles") or claims.get("realm_access", {}).get("roles") or ())
    role = next((r for r in STAFF_ROLES if r.value in held), None)
    if role is None:
        raise ApiError(403, "no_role", "Tài khoản chưa được giao vai trò nào trong khaibao",
                       "This account has no khaibao role")
    scope = claims.get("khaibao_scope") or ()
    return Principal(subject=str(claims.get("preferred_username") or claims["sub"]), role=role,
                     scope=tuple(str(item) for item in scope if isinstance(item, str)),
                     name=str(claims.get("name") or ""), unit=str(claims.get("khaibao_unit") or ""))


async def refuse_development_realm(settings: ServiceSettings) -> None:
    """With `ENV=production`, a realm that still has the development client — and with it the
    demo accounts development adds, whose passwords are public — stops the service at
    start-up. A client that does not exist answers `invalid_client`; one that does, even
    refusing the grant, answers otherwise."""
    if settings.env != "production":
        return
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            if settings.oidc_jwks_url:
                endpoint = settings.oidc_jwks_url.rsplit("/", 1)[0] + "/token"
            else:
                endpoint = (await _json(http, f"{settings.oidc_issuer.rstrip('/')}/.well-known/"
                                        "openid-configuration"))["token_endpoint"]
            answer = await http.post(endpoint, data={"grant_type": "client_credentials",
                                                     "client_id": DEV_CLIENT})
    except (httpx.HTTPError, KeyError, ValueError) as error:
        # An identity provider down must not keep the service down: tokens are checked
        # (and demo accounts refused) on every request anyway.
        log.warning("could not check the realm for the development client: %s", error)
        return
    if answer.json().get("error") != "invalid_client":
        raise RuntimeError(f"ENV=production, but the realm {settings.oidc_issuer} has the "
                           f"development client {DEV_CLIENT} (and its demo accounts): import "
                           "deploy/keycloak/khaibao-realm.json alone")


TokenReader = Callable[[str], Awaitable[Principal]]


@dataclass
class Authenticator:
    """Staff tokens, and in the declaration service also citizens' (by their issuer)."""

    staff: StaffTokens
    others: dict[str, TokenReader] = field(default_factory=dict)  # issuer → reader

    async def principal(self, token: str) -> Principal:
        try:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        except jwt.PyJWTError:
            raise token_invalid() from None
        reader = self.others.get(issuer) if isinstance(issuer, str) else None
        return await (reader or self.staff.principal)(token)


# Declared as a security scheme, so that /openapi.json marks the routes that need a token
# (and http.py documents their 401 and 403); the checks stay ours.
BEARER = HTTPBearer(auto_error=False, bearerFormat="JWT",
                    description="an access token of the khaibao realm (staff), or the token "
                                "a declaration was issued with (its citizen)")


async def principal(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]) -> Principal:
    if credentials is None or not credentials.credentials.strip():
        raise unauthorized("token_missing", "A bearer token is required",
                           "Cần mã truy cập (Bearer)")
    authenticator: Authenticator = request.app.state.authenticator
    return await authenticator.principal(credentials.credentials.strip())


async def caller_if_any(request: Request) -> Principal | None:
    """The caller of an open route when it sent a bearer token (a token that is sent must be
    valid: 401 otherwise); None without one. Read from the header itself, not through
    BEARER, so the route stays open in /openapi.json (no security scheme on it)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    authenticator: Authenticator = request.app.state.authenticator
    return await authenticator.principal(token.strip())


def require(*roles: Role) -> Any:
    """`Annotated[Principal, require(Role.admin)]`: 401 without a token, 403 for other roles."""

    def check(who: Annotated[Principal, Depends(principal)]) -> Principal:
        if who.role not in roles:
            raise ApiError(403, "forbidden", "Vai trò này không được phép",
                           f"Role {who.role} may not do this")
        return who

    return Depends(check)


# The staff a route admits, named once for every service (`who: Officer`).
Officer = Annotated[Principal, require(Role.officer, Role.admin)]
WardOfficial = Annotated[Principal, require(Role.ward_official, Role.admin)]
Epidemiologist = Annotated[Principal, require(Role.epidemiologist)]
Admin = Annotated[Principal, require(Role.admin)]
