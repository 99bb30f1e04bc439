"""The QR signing keys: one JSON key file, rotation by `kid`.

    {"active": "<kid>", "keys": [{"kid": "...", "created_at": "...", "private_key": "<PEM>"}]}

The newest key signs; every key in the file verifies and is published at
`GET /v1/keys`, so codes issued before a rotation keep scanning until their
key is retired. In development the file is created on first run under the
state folder; in production it must be provided and is never created. Every
replica mounts the same file; a rotation takes effect when replicas restart.

    python -m services.declaration.keyring show|rotate|retire KID [--file PATH]
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from libs.contracts.jsontypes import JsonObject
from libs.runtime.qr_tokens import QrSigner, QrVerifier, key_id, public_jwk
from libs.runtime.settings import STATE

DEFAULT_KEY_FILE = STATE / "keys" / "qr-signing.json"


class KeyFileMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class KeyRing:
    active: str
    keys: dict[str, Ed25519PrivateKey]

    def signer(self) -> QrSigner:
        return QrSigner(self.keys[self.active])

    def verifier(self) -> QrVerifier:
        return QrVerifier(key.public_key() for key in self.keys.values())

    def jwks(self) -> JsonObject:
        return {"keys": [public_jwk(key.public_key()) for key in self.keys.values()]}


def load(path: Path, *, create: bool) -> KeyRing:
    """The key ring in `path`; with `create`, a first key is made when the file is missing."""
    if not path.exists():
        if not create:
            raise KeyFileMissing(f"QR signing key file {path} is missing "
                                 "(set DECLARATION_QR_KEY_FILE to a provisioned key file)")
        _create(path)
    return _parse(json.loads(path.read_text()))


def rotate(path: Path) -> str:
    """Add a new signing key and make it the active one; return its kid."""
    data = json.loads(path.read_text())
    entry = _new_entry()
    data["keys"].append(entry)
    data["active"] = entry["kid"]
    _write(path, data, replace=True)
    return str(entry["kid"])


def retire(path: Path, kid: str) -> None:
    """Drop a key: codes it signed stop verifying. The active key cannot be retired."""
    data = json.loads(path.read_text())
    if data["active"] == kid:
        raise ValueError("the active key cannot be retired; rotate first")
    kept = [entry for entry in data["keys"] if entry["kid"] != kid]
    if len(kept) == len(data["keys"]):
        raise ValueError(f"no key {kid}")
    _write(path, {**data, "keys": kept}, replace=True)


def _parse(data: JsonObject) -> KeyRing:
    keys: dict[str, Ed25519PrivateKey] = {}
    for entry in data["keys"]:
        key = serialization.load_pem_private_key(entry["private_key"].encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"key {entry['kid']} is not an Ed25519 key")
        keys[key_id(key.public_key())] = key
    if data["active"] not in keys:
        raise ValueError(f"the active key {data['active']} is not in the file")
    return KeyRing(data["active"], keys)


def _new_entry() -> dict[str, str]:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return {"kid": key_id(key.public_key()), "created_at": datetime.now(UTC).isoformat(),
            "private_key": pem}


def _create(path: Path) -> None:
    entry = _new_entry()
    try:
        _write(path, {"active": entry["kid"], "keys": [entry]}, replace=False)
    except FileExistsError:
        pass  # another replica or test created it first; use theirs


def _write(path: Path, data: JsonObject, *, replace: bool) -> None:
    """Write beside the target, then move into place, so no reader sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".qr-keys-")
    try:
        with os.fdopen(fd, "w") as out:  # mkstemp makes it 0600
            json.dump(data, out, indent=1)
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails with FileExistsError instead of overwriting
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def main(argv: list[str]) -> int:
    args = list(argv[1:])
    path = DEFAULT_KEY_FILE
    if "--file" in args:
        at = args.index("--file")
        path = Path(args[at + 1])
        del args[at:at + 2]
    command = args[0] if args else "show"
    if command == "rotate":
        load(path, create=True)
        print(rotate(path))
    elif command == "retire" and len(args) == 2:
        retire(path, args[1])
    elif command == "show":
        ring = load(path, create=False)
        for kid in ring.keys:
            print(kid, "(active)" if kid == ring.active else "")
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
