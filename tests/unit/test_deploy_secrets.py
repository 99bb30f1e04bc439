"""deploy/k8s/secrets.py: every key the overlay needs, usable, and never overwritten."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

from deploy.k8s import secrets
from deploy.k8s.plan import SERVICE_PLAN
from services.declaration import keyring


def test_fill_makes_every_key_usable(tmp_path: Path) -> None:
    created = secrets.fill(tmp_path)
    assert sorted(created) == sorted(secrets.names())
    assert keyring.load(tmp_path / "qr-signing.json", create=False).active
    # mongod: 6 to 1024 characters of the base64 alphabet.
    keyfile = (tmp_path / "mongo-keyfile").read_bytes()
    assert 6 <= len(keyfile) <= 1024 and base64.b64decode(keyfile, validate=True)
    # Hex, so it goes into MONGO_URL (or the operator's CREATE ROLE) unescaped.
    for name in [s.password_key for s in SERVICE_PLAN] + ["keycloak-admin-password", "keycloak-db-password"]:
        assert len((tmp_path / name).read_text()) >= 32
        int((tmp_path / name).read_text(), 16)
    for name in created:
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600


def test_fill_never_overwrites_and_only_adds_what_is_missing(tmp_path: Path) -> None:
    secrets.fill(tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    (tmp_path / "mongo-password-checkpoint").unlink()
    assert secrets.fill(tmp_path) == ["mongo-password-checkpoint"]
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"mongo-password-checkpoint"}


def test_no_token_signing_key_is_made() -> None:
    # Keycloak signs staff tokens; the only key file a service reads is declaration's QR ring.
    assert not [name for name in secrets.names() if name.endswith(".pem") or "jwt" in name]
    assert {f for s in SERVICE_PLAN for f in s.files} == {"qr-signing.json"}
