"""The QR key ring: created on first run, rotated and retired by kid with its history (who,
when; a retired key keeps no private key), written under a lock, read again by every
replica when the file changes, refused when missing in production."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import stat
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError

from libs.runtime.qr_tokens import Kind, QrTokenError, QrVerifier, Reason, key_id
from services.declaration import keyring
from services.declaration.domain.errors import (
    ActiveKeyNotRetirable,
    KeyAlreadyRetired,
    KeyNotFound,
    KeysManagedByOperator,
)
from services.declaration.domain.keys import KeyStatus
from services.declaration.service.keys import KeyAdmin
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
    new_kid = keyring.rotate(path, by="admin-1").kid
    ring = keyring.load(path, create=False)
    assert ring.active == new_kid != old_ring.active
    assert {jwk["kid"] for jwk in ring.jwks()["keys"]} == {old_ring.active, new_kid}
    assert ring.verifier().verify(old_code).kid == old_ring.active
    assert ring.verifier().verify(sign(ring)).kid == new_kid

    keyring.retire(path, old_ring.active, by="admin-2")
    with pytest.raises(QrTokenError) as refused:
        keyring.load(path, create=False).verifier().verify(old_code)
    assert refused.value.reason == Reason.foreign_key


def test_the_active_key_cannot_be_retired(tmp_path: Path) -> None:
    path = tmp_path / "qr.json"
    ring = keyring.load(path, create=True)
    with pytest.raises(ActiveKeyNotRetirable):
        keyring.retire(path, ring.active, by="admin-1")
    with pytest.raises(KeyNotFound):
        keyring.retire(path, "00" * 10, by="admin-1")
    old = ring.active
    keyring.rotate(path, by="admin-1")
    keyring.retire(path, old, by="admin-1")
    with pytest.raises(KeyAlreadyRetired):
        keyring.retire(path, old, by="admin-2")
    assert keyring.load(path, create=False).entry(old).retired_by == "admin-1"


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


def test_retiring_keeps_the_history_and_drops_the_private_key(tmp_path: Path) -> None:
    path = tmp_path / "qr.json"
    first = keyring.load(path, create=True).active
    second = keyring.rotate(path, by="admin-1")
    third = keyring.rotate(path, by="cli:root")
    retired = keyring.retire(path, first, by="admin-2")

    assert (retired.status, retired.retired_by) == (KeyStatus.retired, "admin-2")
    assert retired.retired_at is not None and retired.retired_at.tzinfo is not None
    entries = json.loads(path.read_text())["keys"]
    assert [e["kid"] for e in entries] == [first, second.kid, third.kid]  # nothing lost
    assert "private_key" not in entries[0] and "BEGIN PUBLIC KEY" in entries[0]["public_key"]
    assert all("private_key" in e for e in entries[1:])
    ring = keyring.load(path, create=False)
    assert [(e.kid, e.status, e.created_by) for e in ring.entries] == [
        (first, KeyStatus.retired, "first run"), (second.kid, KeyStatus.verifying, "admin-1"),
        (third.kid, KeyStatus.active, "cli:root")]
    assert set(ring.keys) == {second.kid, third.kid}  # a retired key can sign nothing
    assert {jwk["kid"] for jwk in ring.jwks()["keys"]} == {second.kid, third.kid}


def test_a_file_written_before_the_history_loads(tmp_path: Path) -> None:
    path = tmp_path / "qr.json"
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    kid = key_id(key.public_key())
    path.write_text(json.dumps({"active": kid, "keys": [
        {"kid": kid, "created_at": "2026-11-01T03:00:00+00:00", "private_key": pem}]}))

    [entry] = keyring.load(path, create=False).entries
    assert (entry.kid, entry.status, entry.created_by) == (kid, KeyStatus.active, None)
    assert entry.created_at == datetime(2026, 11, 1, 3, tzinfo=UTC)
    keyring.rotate(path, by="admin-1")
    keyring.retire(path, kid, by="admin-1")  # the old entry gets its public key on the way
    [old] = [e for e in json.loads(path.read_text())["keys"] if e["kid"] == kid]
    assert "private_key" not in old and "BEGIN PUBLIC KEY" in old["public_key"]


def test_concurrent_rotations_are_all_kept(tmp_path: Path) -> None:
    """Writers in threads, each opening the lock file itself as another process would."""
    path = tmp_path / "qr.json"
    keyring.load(path, create=True)
    made: list[str] = []
    threads = [threading.Thread(target=lambda n=n: made.append(
        keyring.rotate(path, by=f"admin-{n}").kid)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ring = keyring.load(path, create=False)
    assert set(made) <= set(ring.keys) and len(ring.keys) == 13
    assert ring.active in made


def test_a_writer_waits_for_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "qr.json"
    keyring.load(path, create=True)
    done = threading.Event()
    lock = os.open(tmp_path / ".qr.json.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(lock, fcntl.LOCK_EX)  # another replica in the middle of a change

    def rotate() -> None:
        keyring.rotate(path, by="admin-1")
        done.set()

    writer = threading.Thread(target=rotate)
    writer.start()
    try:
        # Not a timing assertion: it must not have finished. A sleep, not done.wait(0.3):
        # under the fake clock a timed wait on a thread lock never returns (fake_clock.py).
        time.sleep(0.3)
        assert not done.is_set()
        assert len(keyring.load(path, create=False).keys) == 1
    finally:
        os.close(lock)
    writer.join()
    assert done.is_set() and len(keyring.load(path, create=False).keys) == 2


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_replica_reads_the_file_again_when_it_changed(tmp_path: Path) -> None:
    path, clock = tmp_path / "qr.json", Clock()
    here = keyring.KeyFile(path, create=True, clock=clock)
    there = keyring.KeyFile(path, create=False, clock=clock)  # another replica
    old = here.ring().active

    new = here.rotate("admin-1")
    assert here.ring().active == new.kid  # the replica that rotated signs with it at once
    assert there.ring().active == old  # the other looks again after a second at most
    clock.now += keyring.RECHECK_S
    assert there.ring().active == new.kid
    assert there.ring().signer().kid == new.kid

    keyring.main(["keyring", "retire", old, "--file", str(path)])  # the operator's CLI
    clock.now += keyring.RECHECK_S
    assert set(there.ring().keys) == set(here.ring().keys) == {new.kid}


def test_a_broken_file_leaves_the_last_good_keys(tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    path, clock = tmp_path / "qr.json", Clock()
    keys = keyring.KeyFile(path, create=True, clock=clock)
    active = keys.ring().active
    path.write_text("{not json")
    clock.now += keyring.RECHECK_S
    with caplog.at_level(logging.WARNING):
        assert keys.ring().active == active
    assert "unreadable" in caplog.text


async def test_the_use_case_logs_who_rotated_and_retired(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "qr.json"
    admin = KeyAdmin(keyring.KeyFile(path, create=True))
    old = admin.listing()[0][0].kid
    with caplog.at_level(logging.INFO):
        new = await admin.rotate("admin-1")
        await admin.retire(old, "admin-2")
    logged = [(r.getMessage(), getattr(r, "fields", {})) for r in caplog.records
              if r.name == "services.declaration.service.keys"]
    assert logged == [("QR signing key rotated", {"by": "admin-1", "kid": new.kid}),
                      ("QR signing key retired", {"by": "admin-2", "kid": old})]
    entries, managed = admin.listing()
    assert [e.status for e in entries] == [KeyStatus.retired, KeyStatus.active]
    assert managed is False


async def test_a_read_only_key_file_is_the_operators(tmp_path: Path) -> None:
    path = tmp_path / "qr.json"
    admin = KeyAdmin(keyring.KeyFile(path, create=True))
    before = path.read_bytes()
    path.chmod(0o400)  # as a mounted secret: no write bit (root too respects it here)
    assert admin.listing()[1] is True
    with pytest.raises(KeysManagedByOperator):
        await admin.rotate("admin-1")
    with pytest.raises(KeysManagedByOperator):
        await admin.retire("00" * 10, "admin-1")
    assert path.read_bytes() == before


def test_the_command_line_records_its_user(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "qr.json"
    keyring.load(path, create=True)
    assert keyring.main(["keyring", "rotate", "--file", str(path)]) == 0
    kid = capsys.readouterr().out.strip()
    assert (keyring.load(path, create=False).entry(kid).created_by or "").startswith("cli")
    assert keyring.main(["keyring", "retire", kid, "--file", str(path)]) == 1  # the active one
    assert "rotate first" in capsys.readouterr().err
