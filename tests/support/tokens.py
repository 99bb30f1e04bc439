"""Staff tokens for tests: real ones, from the development identity provider.

`bearer(Role.officer, ["cp-1"], who="officer-7")` is an `Authorization` header for
the account officer-7 (made, or brought to that role and scope, through the admin
API; deploy/keycloak/tokens.py). It is fetched when first used, not when a module
defines it, so the unit tier collects without a server, and fetched again when
near its expiry, so a module-level header lasts a whole session.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from deploy.keycloak.admin import StaffUser
from deploy.keycloak.tokens import citizen_token, ensure_account, staff_token
from libs.runtime.auth import Role


@dataclass(frozen=True)
class Bearer(Mapping[str, str]):
    role: Role
    scope: tuple[str, ...] = ()
    who: str = ""
    unit: str = ""

    @property
    def token(self) -> str:
        return staff_token(self.role.value, self.scope, self.who, self.unit)

    def __getitem__(self, name: str) -> str:
        if name.lower() != "authorization":
            raise KeyError(name)
        return f"Bearer {self.token}"

    def __iter__(self) -> Iterator[str]:
        return iter(("authorization",))

    def __len__(self) -> int:
        return 1


def bearer(role: Role, scope: list[str] | tuple[str, ...] = (), who: str = "",
           unit: str = "") -> Bearer:
    return Bearer(role, tuple(scope), who, unit)


def citizen(*item_ids: str) -> dict[str, str]:
    """The token a citizen gets with these declarations (from the development key ring the
    declaration service signs with)."""
    return {"authorization": f"Bearer {citizen_token(item_ids)}"}


def account(role: Role, scope: list[str] | tuple[str, ...] = (), who: str = "",
            unit: str = "") -> StaffUser:
    """A staff account (name and password) to sign in with through a page's sign-in."""
    return ensure_account(role.value, tuple(scope), who, unit)
