"""Citizens' own tokens: one per declaration (or vehicle), returned when it is submitted.

Citizens stay anonymous (DESIGN.md §5): no account, only a token that opens the
declarations it was issued for. This service alone issues and reads them, signed
with its QR signing keys (the same key ring, the same rotation by `kid`; a retired key's
tokens are refused), so the staff identity provider never sees a citizen and no other key
is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import jwt

from libs.runtime.auth import Principal, Role, token_expired, token_invalid
from services.declaration.keyring import KeyRing

ISSUER = "khaibao-declaration"
AUDIENCE = "khaibao-citizen"
ALGORITHM = "EdDSA"


class CurrentKeys(Protocol):
    """The key file as the service reads it (keyring.KeyFile), or one fixed KeyRing."""

    def ring(self) -> KeyRing: ...


@dataclass(frozen=True)
class CitizenTokens:
    keys: CurrentKeys  # the ring at each use: rotations and retirements apply at once

    def issue(self, item_ids: list[str], valid_until: datetime, now: datetime) -> str:
        """Lasts a day past the declaration, so the citizen can still see it has expired."""
        expires = max(valid_until, now) + timedelta(days=1)
        claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": item_ids[0], "scope": item_ids,
                  "iat": now, "exp": expires}
        ring = self.keys.ring()
        return jwt.encode(claims, ring.keys[ring.active], algorithm=ALGORITHM,
                          headers={"kid": ring.active})

    async def principal(self, token: str) -> Principal:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            # A retired key is not in the ring: its tokens are refused like a stranger's.
            key = self.keys.ring().keys.get(kid) if isinstance(kid, str) else None
            if key is None:
                raise token_invalid()
            claims = jwt.decode(token, key.public_key(), algorithms=[ALGORITHM],
                                audience=AUDIENCE, issuer=ISSUER,
                                options={"require": ["exp", "sub", "iss", "aud"]})
        except jwt.ExpiredSignatureError:
            raise token_expired() from None
        except jwt.PyJWTError:
            raise token_invalid() from None
        scope = tuple(str(item) for item in claims.get("scope", ()) if isinstance(item, str))
        return Principal(str(claims["sub"]), Role.citizen, scope)
