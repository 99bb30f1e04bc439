"""The QR signing keys as the admin sees them: which key signs, which still verify, which
are retired, and who did what when. No key material here (services/declaration/keyring.py
holds the key file)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from services.declaration.domain.errors import ActiveKeyNotRetirable, KeyAlreadyRetired


class KeyStatus(StrEnum):
    active = "active"  # signs every new QR code (and citizen token), and verifies
    verifying = "verifying"  # verifies codes already issued; published at GET /v1/keys
    retired = "retired"  # its private key is gone; no longer published: its codes fail


@dataclass(frozen=True)
class KeyInfo:
    kid: str
    status: KeyStatus
    created_at: datetime | None  # None: a key file written by hand without it
    created_by: str | None  # None: made before the key file recorded who
    retired_at: datetime | None = None
    retired_by: str | None = None


def status_of(kid: str, active: str, retired: bool) -> KeyStatus:
    if retired:
        return KeyStatus.retired
    return KeyStatus.active if kid == active else KeyStatus.verifying


def refuse_retirement(key: KeyInfo) -> None:
    """Only a verifying key may be retired: the active one must be replaced first (rotate),
    and a retired one has nothing left to retire."""
    if key.status == KeyStatus.active:
        raise ActiveKeyNotRetirable(key.kid)
    if key.status == KeyStatus.retired:
        raise KeyAlreadyRetired(key.kid)
