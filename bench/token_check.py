"""What checking a staff token costs a request: the identity provider's tokens (RS256, the
realm's keys cached) against the check it replaced (an EdDSA JWT and a local key).

Both run the way a service runs them, in-process, one token many times: the
realm's token through `StaffTokens.principal` (header, key lookup, signature,
issuer, audience, expiry, roles → Principal); the old one through PyJWT with the
same claims checks. Nothing here is asserted (benchmarks print, tests assert).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench.common import Row, pct
from deploy.keycloak.tokens import staff_token
from libs.runtime.auth import StaffTokens
from libs.runtime.settings import ServiceSettings


def _us(samples: list[float]) -> str:
    return f"p50 {pct(samples, 0.5) * 1e6:.0f} µs, p99 {pct(samples, 0.99) * 1e6:.0f} µs"


async def collect(count: int) -> list[Row]:
    staff = StaffTokens.from_settings(ServiceSettings())
    token = staff_token("officer", ("cp-bench",), who="bench-officer")
    await staff.principal(token)  # the realm's keys, fetched once as a service would
    realm: list[float] = []
    for _ in range(count):
        started = time.perf_counter()
        await staff.principal(token)
        realm.append(time.perf_counter() - started)

    key = Ed25519PrivateKey.generate()
    now = datetime.now(UTC)
    old = jwt.encode({"iss": "khaibao", "sub": "bench", "role": "officer", "scope": ["cp-bench"],
                      "iat": now, "exp": now + timedelta(hours=1)}, key, algorithm="EdDSA")
    public = key.public_key()
    local: list[float] = []
    for _ in range(count):
        started = time.perf_counter()
        jwt.decode(old, public, algorithms=["EdDSA"], issuer="khaibao",
                   options={"require": ["exp", "sub", "iss"]})
        local.append(time.perf_counter() - started)
    return [Row(f"auth: staff token check per request, Keycloak RS256, keys cached "
                f"({count:,} checks)", _us(realm),
                f"the old local-key check (EdDSA JWT, PyJWT): {_us(local)}")]
