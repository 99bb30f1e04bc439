"""Signed QR tokens (DESIGN.md §5): signed by the declaration service, verified offline.

A token carries no personal data, only what a scanner needs to look the
declaration up. It is 100 bytes written in RFC 4648 base32 without padding:
160 characters of the QR alphanumeric set, which fits a version-7 code
(45×45 modules) where a JWS of the same claims needs version 12 (65×65)
— see bench/qr_render.py. Layout, big-endian:

    version 1 | kind 1 | kid 10 | subject 16 (a UUID) | issued 4 | expires 4 | Ed25519 signature 64

The signature (Ed25519 from `cryptography`) covers the first 36 bytes. `kid`
is the first 10 bytes of the key's RFC 7638 thumbprint, so a verifier holding
several public keys (rotation) picks the right one without trying them all.
Public keys travel as a JWKS (`GET /v1/keys` of the declaration service).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

FORMAT_VERSION = 1
TOKEN_CHARS = 160
MAX_TOKEN_CHARS = 512  # anything longer is refused before it is even decoded
_CLAIMS = struct.Struct(">BB10s16sII")
_SIGNATURE_BYTES = 64
_BASE32 = re.compile(r"^[A-Z2-7]+$")


class Kind(StrEnum):
    declaration = "d"
    vehicle = "v"


class Reason(StrEnum):
    """Why a token was refused; scanners show these to the officer."""

    oversized = "oversized"
    malformed = "malformed"
    truncated = "truncated"
    foreign_key = "foreign_key"
    tampered = "tampered"
    expired = "expired"
    not_yet_valid = "not_yet_valid"


class QrTokenError(ValueError):
    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class QrClaims:
    subject: str  # the declaration (or vehicle declaration) id
    kind: Kind
    issued_at: datetime
    expires_at: datetime
    kid: str


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _raw_public(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _kid_bytes(public_key: Ed25519PublicKey) -> bytes:
    canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": _b64url(_raw_public(public_key))},
                           separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).digest()[:10]


def key_id(public_key: Ed25519PublicKey) -> str:
    return _kid_bytes(public_key).hex()


def public_jwk(public_key: Ed25519PublicKey) -> dict[str, str]:
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64url(_raw_public(public_key)),
            "kid": key_id(public_key), "alg": "EdDSA", "use": "sig"}


def public_key_from_jwk(jwk: Mapping[str, Any]) -> Ed25519PublicKey:
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or not isinstance(jwk.get("x"), str):
        raise ValueError("not an Ed25519 public JWK")
    x = str(jwk["x"])
    key = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(x + "=" * (-len(x) % 4)))
    if "kid" in jwk and jwk["kid"] != key_id(key):
        raise ValueError("the JWK's kid does not match its key")
    return key


def _seconds(moment: datetime) -> int:
    return int(moment.astimezone(UTC).timestamp())


class QrSigner:
    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private = private_key
        self._kid = _kid_bytes(private_key.public_key())
        self.kid = self._kid.hex()

    def sign(self, subject: str, kind: Kind, issued_at: datetime, expires_at: datetime) -> str:
        claims = _CLAIMS.pack(FORMAT_VERSION, ord(kind.value), self._kid,
                              uuid.UUID(subject).bytes, _seconds(issued_at), _seconds(expires_at))
        token = base64.b32encode(claims + self._private.sign(claims)).decode("ascii")
        return token.rstrip("=")


class QrVerifier:
    """Verifies tokens offline against a set of public keys (old ones stay until retired)."""

    def __init__(self, keys: Iterable[Ed25519PublicKey], leeway: timedelta = timedelta(minutes=2)):
        self._keys = {_kid_bytes(key): key for key in keys}
        self.leeway = leeway

    @classmethod
    def from_jwks(cls, jwks: Mapping[str, Any], **options: Any) -> QrVerifier:
        return cls([public_key_from_jwk(jwk) for jwk in jwks.get("keys", [])], **options)

    @property
    def kids(self) -> list[str]:
        return sorted(kid.hex() for kid in self._keys)

    def verify(self, token: str, now: datetime | None = None) -> QrClaims:
        raw = _decode(token)
        signed, signature = raw[:_CLAIMS.size], raw[_CLAIMS.size:]
        _version, kind, kid, subject, issued, expires = _CLAIMS.unpack(signed)
        key = self._keys.get(kid)
        if key is None:
            raise QrTokenError(Reason.foreign_key, f"no published key has kid {kid.hex()}")
        try:
            key.verify(signature, signed)
        except InvalidSignature:
            raise QrTokenError(Reason.tampered, "the signature does not match") from None
        claims = QrClaims(str(uuid.UUID(bytes=subject)), Kind(chr(kind)),
                          datetime.fromtimestamp(issued, UTC), datetime.fromtimestamp(expires, UTC),
                          kid.hex())
        return self._check_time(claims, now or datetime.now(UTC))

    def _check_time(self, claims: QrClaims, now: datetime) -> QrClaims:
        if now > claims.expires_at + self.leeway:
            raise QrTokenError(Reason.expired, f"expired at {claims.expires_at.isoformat()}")
        if now < claims.issued_at - self.leeway:
            raise QrTokenError(Reason.not_yet_valid, "issued in the future")
        return claims


def _decode(token: str) -> bytes:
    """Structure checks, cheapest first; the reason tells a truncated scan from a forgery."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
        raise QrTokenError(Reason.oversized, f"a token has {TOKEN_CHARS} characters")
    text = token.strip()
    if not text or not _BASE32.match(text):
        raise QrTokenError(Reason.malformed, "not a khaibao QR token")
    if len(text) < TOKEN_CHARS:
        if _starts_like_a_token(text):
            raise QrTokenError(Reason.truncated, f"{len(text)} of {TOKEN_CHARS} characters")
        raise QrTokenError(Reason.malformed, "not a khaibao QR token")
    if len(text) > TOKEN_CHARS:
        raise QrTokenError(Reason.tampered, "characters were added to the token")
    raw = base64.b32decode(text)
    if raw[0] != FORMAT_VERSION or chr(raw[1]) not in {k.value for k in Kind}:
        raise QrTokenError(Reason.malformed, "unknown token format")
    return raw


def _starts_like_a_token(text: str) -> bool:
    if len(text) < 2:  # two base32 characters carry the whole version byte
        return text == "A"
    padded = text + "A" * (-len(text) % 8)
    return base64.b32decode(padded)[0] == FORMAT_VERSION
