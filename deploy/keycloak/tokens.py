"""Real access tokens for scripts and tests, from the development identity provider.

    python -m deploy.keycloak.tokens ROLE [SCOPE,SCOPE…] [--user NAME]   (`make token`)

prints only the JWT. The account is made (or brought to that role and scope)
through the admin API, then signs in with the password grant of the development
client, so the token is the realm's own: same signature, claims and checks as a
page's. Development only (the development client does not exist in production).
A name, when not given, is made from the role and scope, so each (role, scope)
is one account.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import sys
import time
from functools import cache

import httpx

from deploy.keycloak.admin import STAFF_ROLES, KeycloakAdmin, StaffUser
from deploy.keycloak.development import DEV_CLIENT

# Development accounts' passwords: derived, so any process finds the same one again.
PASSWORD_KEY = b"khaibao development accounts"
_tokens: dict[tuple[str, str, tuple[str, ...], str], tuple[str, float]] = {}


@cache
def _admin() -> KeycloakAdmin:
    return KeycloakAdmin.from_environment()


def password_for(username: str) -> str:
    digest = hmac.new(PASSWORD_KEY, username.encode(), hashlib.sha256).hexdigest()
    return f"Dev-{digest[:16]}-k!"


def username_for(role: str, scope: tuple[str, ...]) -> str:
    return f"dev-{role}-{hashlib.sha256(','.join(scope).encode()).hexdigest()[:8]}".replace(
        "_", "-")


def account(role: str, scope: tuple[str, ...] = (), who: str = "", unit: str = "") -> StaffUser:
    if role not in STAFF_ROLES:
        raise ValueError(f"role must be one of {', '.join(STAFF_ROLES)}, not {role!r}")
    name = who or username_for(role, scope)
    if len(name) < 3:  # the realm's user profile: account names of 3 characters or more
        raise ValueError(f"account name {name!r} is too short (3 characters at least)")
    return StaffUser(name, "Dev", name, role, password_for(name), scope,
                     unit or f"dev unit of {name}")


def sign_in(username: str, password: str, client_id: str = DEV_CLIENT) -> dict[str, object]:
    """The token response of a password-grant sign-in (raises on refusal)."""
    admin = _admin()
    answer = httpx.post(f"{admin.base}/realms/{admin.realm}/protocol/openid-connect/token", data={
        "grant_type": "password", "client_id": client_id, "username": username,
        "password": password, "scope": "openid"}, timeout=30)
    answer.raise_for_status()
    return dict(answer.json())


def ensure_account(role: str, scope: tuple[str, ...] | list[str] = (), who: str = "",
                   unit: str = "") -> StaffUser:
    """The account for (role, scope, who), made or brought to that role and scope; with its
    password, for a test that signs in through the pages."""
    user = account(role, tuple(scope), who, unit)
    _admin().ensure_user(user)
    return user


def staff_token(role: str, scope: tuple[str, ...] | list[str] = (), who: str = "",
                unit: str = "") -> str:
    """An access token of the account for (role, scope, who), reused until near its expiry."""
    user = account(role, tuple(scope), who, unit)
    key = (user.username, role, user.scope, user.unit)
    token, until = _tokens.get(key, ("", 0.0))
    if time.monotonic() < until:
        return token
    _admin().ensure_user(user)
    body = sign_in(user.username, user.password)
    token = str(body["access_token"])
    _tokens[key] = (token, time.monotonic() + float(str(body["expires_in"])) - 60)
    return token


def citizen_token(item_ids: tuple[str, ...]) -> str:
    """A citizen's token for these declarations, as the local declaration service issues them
    (its development key ring; citizens have no account at the identity provider)."""
    from libs.contracts.envelope import utcnow
    from services.declaration.citizen_tokens import CitizenTokens
    from services.declaration.keyring import DEFAULT_KEY_FILE, KeyFile

    if not item_ids:
        raise SystemExit("usage: make token ROLE=citizen SCOPE=<declaration id>")
    now = utcnow()
    return CitizenTokens(KeyFile(DEFAULT_KEY_FILE, create=True)).issue(list(item_ids), now, now)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="make token", description=__doc__.splitlines()[0])
    parser.add_argument("role", choices=(*STAFF_ROLES, "citizen"))
    parser.add_argument("scope", nargs="?", default="", help="checkpoint ids or ward codes, "
                        "comma-separated")
    parser.add_argument("--user", default="", help="account name (default: from role and scope)")
    args = parser.parse_args(argv[1:])
    scope = tuple(item.strip() for item in args.scope.split(",") if item.strip())
    if args.role == "citizen":
        print(citizen_token(scope))
        return 0
    try:
        print(staff_token(args.role, scope, args.user))
    except (httpx.HTTPError, OSError) as error:
        print(f"error: the identity provider did not answer ({error}); is the stack up "
              "(`make stack-up`)?", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
