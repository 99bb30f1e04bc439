"""deploy/k8s/secrets.py: every key the overlay needs, usable, and never overwritten."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from deploy.k8s import secrets
from deploy.k8s.plan import SERVICE_PLAN
from services.declaration import keyring


def test_fill_makes_every_key_usable(tmp_path: Path) -> None:
    created = secrets.fill(tmp_path)
    assert sorted(created) == sorted(secrets.names())
    pem = serialization.load_pem_private_key((tmp_path / "jwt-issuer.pem").read_bytes(), password=None)
    assert isinstance(pem, Ed25519PrivateKey)
    assert keyring.load(tmp_path / "qr-signing.json", create=False).active
    # mongod: 6 to 1024 characters of the base64 alphabet.
    keyfile = (tmp_path / "mongo-keyfile").read_bytes()
    assert 6 <= len(keyfile) <= 1024 and base64.b64decode(keyfile, validate=True)
    for service in SERVICE_PLAN:  # hex, so it goes into MONGO_URL unescaped
        int((tmp_path / service.password_key).read_text(), 16)
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
