"""The identity provider's admin REST API, for what development and tests set up.

Development and tests only: `deploy.keycloak.development` (the dev client, demo
users), `make token` and the test fixtures create staff users through it. The
services never import it: they only read the realm's public keys.

Where Keycloak is and who administers it, from the environment:
`KHAIBAO_OIDC_ISSUER` (the realm's issuer; default the local stack's),
`KEYCLOAK_URL` (how to reach it, when that differs from the issuer's host, as
inside compose), `KEYCLOAK_ADMIN_USER` / `KEYCLOAK_ADMIN_PASSWORD` (else the
local stack's bootstrap admin, kept in the state folder).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from libs.runtime.auth import split_issuer
from libs.runtime.settings import DEFAULT_OIDC_ISSUER, STATE

ADMIN_FILE = STATE / "keycloak" / "bootstrap-admin.json"
STAFF_ROLES = ("officer", "ward_official", "epidemiologist", "admin")


def issuer() -> str:
    return os.environ.get("KHAIBAO_OIDC_ISSUER", DEFAULT_OIDC_ISSUER).rstrip("/")


def server_url() -> str:
    return os.environ.get("KEYCLOAK_URL", split_issuer(issuer())[0]).rstrip("/")


@dataclass(frozen=True)
class StaffUser:
    """A staff account: one realm role, its scope (checkpoint ids or ward codes), a unit."""

    username: str
    first_name: str
    last_name: str
    role: str
    password: str
    scope: tuple[str, ...] = ()
    unit: str = ""
    demo: bool = False

    def attributes(self) -> dict[str, list[str]]:
        values = {"scope": list(self.scope), "unit": [self.unit] if self.unit else [],
                  "demo": ["true"] if self.demo else []}
        return {name: value for name, value in values.items() if value}

    def representation(self) -> dict[str, Any]:
        return {"username": self.username, "enabled": True, "firstName": self.first_name,
                "lastName": self.last_name, "email": f"{self.username}@khaibao.example",
                "emailVerified": True, "attributes": self.attributes(), "requiredActions": []}


@dataclass
class KeycloakAdmin:
    base: str
    realm: str
    username: str
    password: str
    _token: tuple[str, float] = field(default=("", 0.0), repr=False)

    @classmethod
    def from_environment(cls) -> KeycloakAdmin:
        user, password = os.environ.get("KEYCLOAK_ADMIN_USER"), os.environ.get(
            "KEYCLOAK_ADMIN_PASSWORD")
        if not (user and password):
            stored = json.loads(ADMIN_FILE.read_text())
            user, password = stored["username"], stored["password"]
        return cls(server_url(), split_issuer(issuer())[1], user, password)

    def token(self) -> str:
        value, until = self._token
        if time.monotonic() < until:
            return value
        answer = httpx.post(f"{self.base}/realms/master/protocol/openid-connect/token", data={
            "grant_type": "password", "client_id": "admin-cli", "username": self.username,
            "password": self.password}, timeout=30)
        answer.raise_for_status()
        body = answer.json()
        self._token = (body["access_token"], time.monotonic() + body["expires_in"] - 10)
        return str(body["access_token"])

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """`path` under /admin/realms/<realm>; raises on an error status."""
        answer = httpx.request(method, f"{self.base}/admin/realms/{self.realm}{path}",
                               headers={"authorization": f"Bearer {self.token()}"},
                               timeout=30, **kwargs)
        answer.raise_for_status()
        return answer

    def find_client(self, client_id: str) -> dict[str, Any] | None:
        found = self.call("GET", "/clients", params={"clientId": client_id}).json()
        return found[0] if found else None

    def ensure_client(self, representation: dict[str, Any]) -> str:
        """Create the client, or bring an existing one to `representation`; its internal id."""
        existing = self.find_client(representation["clientId"])
        if existing is None:
            self.call("POST", "/clients", json=representation)
            existing = self.find_client(representation["clientId"])
            assert existing is not None
        else:
            self.call("PUT", f"/clients/{existing['id']}", json={**existing, **representation})
        return str(existing["id"])

    def delete_client(self, client_id: str) -> None:
        existing = self.find_client(client_id)
        if existing is not None:
            self.call("DELETE", f"/clients/{existing['id']}")

    def find_user(self, username: str) -> dict[str, Any] | None:
        found = self.call("GET", "/users", params={"username": username, "exact": "true"}).json()
        return found[0] if found else None

    def ensure_user(self, user: StaffUser) -> str:
        """Create the account, or bring an existing one to `user` (names, attributes, role,
        password); its id."""
        existing = self.find_user(user.username)
        if existing is None:
            self.call("POST", "/users", json=user.representation())
            existing = self.find_user(user.username)
            assert existing is not None
        else:
            self.call("PUT", f"/users/{existing['id']}", json=user.representation())
        user_id = str(existing["id"])
        self.call("PUT", f"/users/{user_id}/reset-password",
                  json={"type": "password", "value": user.password, "temporary": False})
        self.set_roles(user_id, {user.role})
        return user_id

    def set_roles(self, user_id: str, roles: set[str]) -> None:
        """The user's staff roles become exactly `roles` (other realm roles are left)."""
        path = f"/users/{user_id}/role-mappings/realm"
        held = {r["name"]: r for r in self.call("GET", path).json()}
        extra = [r for name, r in held.items() if name in STAFF_ROLES and name not in roles]
        missing = [self.call("GET", f"/roles/{name}").json() for name in roles if name not in held]
        if extra:
            self.call("DELETE", path, json=extra)
        if missing:
            self.call("POST", path, json=missing)

    def clear_lockout(self, user_id: str) -> None:
        self.call("DELETE", f"/attack-detection/brute-force/users/{user_id}")
