"""The QR signing keys: one JSON key file, rotated and retired by `kid`, with its history.

    {"active": "<kid>",
     "keys": [{"kid": "...", "created_at": "...", "created_by": "admin-1",
               "public_key": "<PEM>", "private_key": "<PEM>"},
              {"kid": "...", "created_at": "...", "created_by": "cli:root", "public_key": "<PEM>",
               "retired_at": "...", "retired_by": "admin-1"}]}

The active key signs new QR codes and citizen tokens. Every other key that still has its
private key verifies codes issued before a rotation and is published at `GET /v1/keys`
(status verifying). Retiring a key keeps its entry (its public key, who retired it and
when) but drops its private key, so it can never sign again, and stops publishing it: codes
it signed stop scanning once the scanners refresh their keys. Files written before the
history was kept (entries with only kid, created_at and private_key) load as they are.

Writers (the first key, `rotate`, `retire`) read, change and replace the file under an
exclusive lock (`fcntl.flock` on `.<name>.lock` beside it), so two admins or two replicas
never lose a change; the file is replaced whole (written beside, then renamed), so readers
need no lock. Each replica reads the file again when it changes (`KeyFile.ring()`, a stat at
most once a second): a rotation signs the next code on the replica that made it and on the
others within seconds, without a restart.

In development the file is created on first run under the state folder; in production it
must be provided and is never created. A file the service may not write (production: a
mounted secret; or a file without write permission) is the operator's: the admin API then
refuses to change it (KeysManagedByOperator), and the operator runs this module's command
line on their copy and replaces the secret; replicas pick the new file up the same way.

    python -m services.declaration.keyring show|rotate|retire KID [--file PATH]
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import getpass
import json
import logging
import os
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from libs.contracts.jsontypes import JsonObject
from libs.runtime.logs import log_fields
from libs.runtime.qr_tokens import QrSigner, QrVerifier, key_id, public_jwk
from libs.runtime.settings import STATE
from services.declaration.domain.errors import (
    ActiveKeyNotRetirable,
    KeyAlreadyRetired,
    KeyNotFound,
    KeysManagedByOperator,
)
from services.declaration.domain.keys import KeyInfo, refuse_retirement, status_of
from services.declaration.service.keys import KeyAdmin

DEFAULT_KEY_FILE = STATE / "keys" / "qr-signing.json"
RECHECK_S = 1.0  # how often a replica looks whether the file changed, at most
log = logging.getLogger(__name__)
# Errors of writing beside a file that is not ours to write.
_NOT_OURS = (errno.EROFS, errno.EACCES, errno.EPERM)


class KeyFileMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class KeyRing:
    """One reading of the key file: the keys that verify (active and verifying, with their
    private keys) and every entry's history."""

    active: str
    keys: dict[str, Ed25519PrivateKey]
    entries: tuple[KeyInfo, ...] = ()

    def signer(self) -> QrSigner:
        return QrSigner(self.keys[self.active])

    def verifier(self) -> QrVerifier:
        return QrVerifier(key.public_key() for key in self.keys.values())

    def jwks(self) -> JsonObject:
        """What scanners verify with: never a retired key, never a private part."""
        return {"keys": [public_jwk(key.public_key()) for key in self.keys.values()]}

    def ring(self) -> KeyRing:
        """A fixed ring is its own current ring (a one-off token, a test); see KeyFile."""
        return self

    def entry(self, kid: str) -> KeyInfo:
        found = next((info for info in self.entries if info.kid == kid), None)
        if found is None:
            raise KeyNotFound(kid)
        return found


def load(path: Path, *, create: bool) -> KeyRing:
    """The key ring in `path`; with `create`, a first key is made when the file is missing."""
    if not path.exists():
        if not create:
            raise KeyFileMissing(f"QR signing key file {path} is missing "
                                 "(set DECLARATION_QR_KEY_FILE to a provisioned key file)")
        _create(path, by="first run")
    return _parse(json.loads(path.read_text()))


def rotate(path: Path, by: str) -> KeyInfo:
    """Add a new signing key and make it the active one; the one before keeps verifying."""
    with _changing(path) as data:
        entry = _new_entry(by)
        data["keys"].append(entry)
        data["active"] = entry["kid"]
    return _parse(data).entry(entry["kid"])


def retire(path: Path, kid: str, by: str) -> KeyInfo:
    """Retire a verifying key: its private key is dropped and it is no longer published, so
    codes it signed stop verifying. KeyNotFound, ActiveKeyNotRetirable, KeyAlreadyRetired."""
    with _changing(path) as data:
        refuse_retirement(_parse(data).entry(kid))
        entry = next(e for e in data["keys"] if e["kid"] == kid)
        entry.setdefault("public_key", _public_pem(_private_key(entry).public_key()))
        del entry["private_key"]
        entry.update(retired_at=_now(), retired_by=by)
    return _parse(data).entry(kid)


def managed_by_operator(path: Path) -> bool:
    """A key file the service may not change: on a read-only file system (a mounted secret),
    without any write permission bit (an operator's deliberate read-only file, which even
    root respects here), or in a folder this process may not write."""
    try:
        if os.statvfs(path.parent).f_flag & os.ST_RDONLY:
            return True
        if path.exists() and not stat.S_IMODE(path.stat().st_mode) & 0o222:
            return True
    except FileNotFoundError:
        return False
    return not os.access(path.parent, os.W_OK)


class KeyFile:
    """The key file as the service uses it: `ring()` is the current reading, taken again
    when the file changed (its inode, size or times; looked at most every `recheck_s`), so
    a rotation made by another replica or the command line takes effect without a restart.
    A file that cannot be read just now (an operator's broken edit) leaves the last good
    reading in use, with a warning."""

    def __init__(self, path: Path, *, create: bool, recheck_s: float = RECHECK_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.path, self.recheck_s, self.clock = path, recheck_s, clock
        load(path, create=create)  # a missing file stops the service here (production)
        self._checked_at = clock()
        self._reading = _read(path)
        # A change made here (in a worker thread) and a look from the event loop may meet:
        # one at a time, so the last reading kept is never older than the file.
        self._reading_lock = threading.Lock()

    def ring(self) -> KeyRing:
        now = self.clock()
        if now - self._checked_at >= self.recheck_s:
            self._checked_at = now
            self._reload()
        return self._reading[1]

    def entries(self) -> list[KeyInfo]:
        return list(self.ring().entries)

    def managed_by_operator(self) -> bool:
        return managed_by_operator(self.path)

    def rotate(self, by: str) -> KeyInfo:
        new = rotate(self.path, by)
        self._reload()  # this replica signs with it from the very next code
        return new

    def retire(self, kid: str, by: str) -> KeyInfo:
        retired = retire(self.path, kid, by)
        self._reload()
        return retired

    def _reload(self) -> None:
        with self._reading_lock:
            try:
                if _stamp(self.path) != self._reading[0]:
                    self._reading = _read(self.path)
                    log.info("QR signing keys re-read", extra=log_fields(
                        active=self._reading[1].active, published=len(self._reading[1].keys)))
            except (OSError, ValueError, KeyError) as error:
                log.warning("QR signing key file unreadable; keeping the keys read before",
                            extra=log_fields(file=str(self.path), error=repr(error)))


Stamp = tuple[int, int, int, int, int]


def _stamp_of(info: os.stat_result) -> Stamp:
    # A replace gives a new inode; the times and size catch an edit in place.
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns


def _stamp(path: Path) -> Stamp:
    return _stamp_of(os.stat(path))


def _read(path: Path) -> tuple[Stamp, KeyRing]:
    """The file's stamp and contents from one open file, so they belong together."""
    with open(path, "rb") as source:
        stamp = _stamp_of(os.fstat(source.fileno()))
        return stamp, _parse(json.loads(source.read()))


def _parse(data: JsonObject) -> KeyRing:
    keys: dict[str, Ed25519PrivateKey] = {}
    entries = []
    for entry in data["keys"]:
        retired = "private_key" not in entry
        if not retired:
            key = _private_key(entry)
            keys[key_id(key.public_key())] = key
        entries.append(KeyInfo(
            kid=entry["kid"], status=status_of(entry["kid"], data["active"], retired),
            created_at=_moment(entry.get("created_at")), created_by=entry.get("created_by"),
            retired_at=_moment(entry.get("retired_at")), retired_by=entry.get("retired_by")))
    if data["active"] not in keys:
        raise ValueError(f"the active key {data['active']} is not in the file")
    return KeyRing(data["active"], keys, tuple(entries))


def _private_key(entry: JsonObject) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(entry["private_key"].encode(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"key {entry['kid']} is not an Ed25519 key")
    return key


def _public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _moment(text: object) -> datetime | None:
    return datetime.fromisoformat(text) if isinstance(text, str) else None


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _new_entry(by: str) -> JsonObject:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return {"kid": key_id(key.public_key()), "created_at": _now(), "created_by": by,
            "public_key": _public_pem(key.public_key()), "private_key": pem}


def _create(path: Path, by: str) -> None:
    entry = _new_entry(by)
    try:
        _write(path, {"active": entry["kid"], "keys": [entry]}, replace=False)
    except FileExistsError:
        pass  # another replica or test created it first; use theirs


@contextmanager
def _changing(path: Path) -> Iterator[JsonObject]:
    """The file's contents to change in place, read under the lock and written back (whole)
    before the lock is let go; nothing is written when the body raises."""
    if managed_by_operator(path):
        raise KeysManagedByOperator(str(path))
    try:
        with _locked(path):
            data = json.loads(path.read_text())
            yield data
            _write(path, data, replace=True)
    except OSError as error:
        if error.errno in _NOT_OURS:
            raise KeysManagedByOperator(str(path)) from error
        raise


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    lock = os.open(path.with_name(f".{path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)  # blocks while another writer holds it
        yield
    finally:
        os.close(lock)  # lets the lock go


def _write(path: Path, data: JsonObject, *, replace: bool) -> None:
    """Write beside the target, then move into place, so no reader sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".qr-keys-")
    try:
        with os.fdopen(fd, "w") as out:  # mkstemp makes it 0600
            json.dump(data, out, indent=1)
            out.flush()
            os.fsync(out.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails with FileExistsError instead of overwriting
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _cli_account() -> str:
    """Who ran the command line: recorded as `cli:<OS user>` (or `cli`)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):
        return "cli"


def main(argv: list[str]) -> int:
    args = list(argv[1:])
    path = DEFAULT_KEY_FILE
    if "--file" in args:
        at = args.index("--file")
        path = Path(args[at + 1])
        del args[at:at + 2]
    command = args[0] if args else "show"
    # The same use case as the admin API (service/keys.py): the same checks, the same log.
    try:
        if command == "rotate":
            admin = KeyAdmin(KeyFile(path, create=True))
            print(asyncio.run(admin.rotate(_cli_account())).kid)
        elif command == "retire" and len(args) == 2:
            admin = KeyAdmin(KeyFile(path, create=False))
            asyncio.run(admin.retire(args[1], _cli_account()))
        elif command == "show":
            for info in KeyFile(path, create=False).entries():
                print(info.kid, f"({info.status})", info.created_at, info.created_by or "",
                      f"retired {info.retired_at} by {info.retired_by}" if info.retired_at
                      else "")
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except KeyNotFound as missing:
        print(f"no key {missing}", file=sys.stderr)
        return 1
    except (ActiveKeyNotRetirable, KeyAlreadyRetired) as refused:
        print(f"{refused.__doc__} ({refused})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
