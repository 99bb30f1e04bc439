"""The QR key ring: created on first run, rotated by kid, refused when missing in production."""

from __future__ import annotations

import json
import stat
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from libs.runtime.qr_tokens import Kind, QrTokenError, QrVerifier, Reason
from services.declaration import keyring
from services.declaration.settings import Settings

NOW = datetime.now(UTC)


def sign(ring: keyring.KeyRing) -> str:
    return ring.signer().sign(str(uuid.uuid4()), Kind.declaration, NOW, NOW + timedelta(days=1))


def test_first_run_creates_a_private_key_file(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "qr.json"
    ring = keyring.load(path, create=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(ring.keys) == [ring.active]
    assert keyring.load(path, create=False).active == ring.active  # the same key next time


def test_production_refuses_a_missing_key_file(tmp_path: Path) -> None:
    with pytest.raises(keyring.KeyFileMissing):
        keyring.load(tmp_path / "absent.json", create=False)
    assert not (tmp_path / "absent.json").exists()


def test_production_settings_demand_a_key_file() -> None:
    with pytest.raises(ValidationError, match="DECLARATION_QR_KEY_FILE"):
        Settings(env="production", subject_secret="a-real-secret")


def test_rotation_keeps_old_codes_verifying_until_the_key_is_retired(tmp_path: Path) -> None:
    path = tmp_path / "qr.json"
    old_ring = keyring.load(path, create=True)
    old_code = sign(old_ring)
    new_kid = keyring.rotate(path)
    ring = keyring.load(path, create=False)
    assert ring.active == new_kid != old_ring.active
    assert {jwk["kid"] for jwk in ring.jwks()["keys"]} == {old_ring.active, new_kid}
    assert ring.verifier().verify(old_code).kid == old_ring.active
    assert ring.verifier().verify(sign(ring)).kid == new_kid

    keyring.retire(path, old_ring.active)
    with pytest.raises(QrTokenError) as refused:
        keyring.load(path, create=False).verifier().verify(old_code)
    assert refused.value.reason == Reason.foreign_key


def test_the_active_key_cannot_be_retired(tmp_path: Path) -> None:
    path = tmp_path / "qr.json"
    ring = keyring.load(path, create=True)
    with pytest.raises(ValueError, match="active"):
        keyring.retire(path, ring.active)
    with pytest.raises(ValueError, match="no key"):
        keyring.retire(path, "00" * 10)


def test_the_published_jwks_carries_no_private_part(tmp_path: Path) -> None:
    ring = keyring.load(tmp_path / "qr.json", create=True)
    published = json.dumps(ring.jwks())
    assert '"d"' not in published and "PRIVATE" not in published
    assert QrVerifier.from_jwks(ring.jwks()).verify(sign(ring)).kid == ring.active


def test_a_file_naming_an_absent_active_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "qr.json"
    keyring.load(path, create=True)
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "active": "ff" * 10}))
    with pytest.raises(ValueError, match="active key"):
        keyring.load(path, create=False)


def test_the_command_line_rotates_and_shows(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                            ) -> None:
    path = tmp_path / "qr.json"
    assert keyring.main(["keyring", "rotate", "--file", str(path)]) == 0
    kid = capsys.readouterr().out.strip()
    assert keyring.main(["keyring", "show", "--file", str(path)]) == 0
    assert f"{kid} (active)" in capsys.readouterr().out
    assert keyring.main(["keyring", "bogus", "--file", str(path)]) == 2
