"""Makes the secret material the production overlay's secretGenerator reads.

    python -m deploy.k8s.secrets [DIR]    (default deploy/k8s/overlays/production/secrets)

Creates only the files that are missing, never overwrites one: re-running after
a service was added gives it a password and leaves every other key alone. Keep
the folder out of git (its .gitignore does) and in the operator's vault;
`KHAIBAO_SUBJECT_SECRET` in particular must never change once subjects exist,
since every stored subject_id is derived from it.
"""

from __future__ import annotations

import base64
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

from deploy.k8s.plan import SERVICE_PLAN
from services.declaration import keyring

DEFAULT_DIR = Path(__file__).resolve().parent / "overlays" / "production" / "secrets"


def _mongo_keyfile() -> bytes:
    # mongod wants 6 to 1024 characters of the base64 alphabet: 768 random bytes.
    return base64.b64encode(os.urandom(768))


def _password() -> bytes:
    # Hex: goes into a MONGO_URL (or a SQL statement) unescaped.
    return secrets.token_hex(24).encode()


def makers() -> dict[str, Callable[[], bytes]]:
    """Secret key -> how to make its value (everything but the QR key ring).

    No token signing key: Keycloak signs staff tokens with the realm's own keys,
    kept in its database."""
    out: dict[str, Callable[[], bytes]] = {
        "subject-secret": lambda: secrets.token_hex(32).encode(),
        # Keycloak's temporary master administrator (replace it after the first
        # sign-in) and its database role, created by the operator with this password.
        "keycloak-admin-password": _password,
        "keycloak-db-password": _password,
        "mongo-root-password": _password,
        "mongo-keyfile": _mongo_keyfile,
    }
    out.update({service.password_key: _password for service in SERVICE_PLAN})
    return out


def names() -> list[str]:
    return [*makers(), "qr-signing.json"]


def fill(folder: Path) -> list[str]:
    """Create the missing secret files in `folder` (mode 0600); return their names."""
    folder.mkdir(parents=True, exist_ok=True)
    created = []
    for name, make in makers().items():
        path = folder / name
        if path.exists():
            continue
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(make())
        created.append(name)
    ring = folder / "qr-signing.json"
    if not ring.exists():
        keyring.load(ring, create=True)  # declaration's own format, one active key
        created.append(ring.name)
    return created


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else DEFAULT_DIR
    created = fill(folder)
    print(f"{folder}: created {', '.join(created) if created else 'nothing (all present)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
