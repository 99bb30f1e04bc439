"""QR tokens: signed, verified offline, and every kind of bad token refused with its reason."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from libs.runtime.qr_tokens import (
    MAX_TOKEN_CHARS,
    TOKEN_CHARS,
    Kind,
    QrSigner,
    QrTokenError,
    QrVerifier,
    Reason,
    key_id,
    public_jwk,
    public_key_from_jwk,
)

NOW = datetime(2025, 11, 20, 8, 0, tzinfo=UTC)
KEY = Ed25519PrivateKey.generate()
SUBJECT = str(uuid.uuid4())


def token(key: Ed25519PrivateKey = KEY, kind: Kind = Kind.declaration,
          expires: timedelta = timedelta(hours=72)) -> str:
    return QrSigner(key).sign(SUBJECT, kind, NOW, NOW + expires)


def reason(text: str, verifier: QrVerifier | None = None, now: datetime = NOW) -> Reason:
    with pytest.raises(QrTokenError) as refused:
        (verifier or QrVerifier([KEY.public_key()])).verify(text, now)
    return refused.value.reason


def flip(text: str, at: int) -> str:
    """Change one character to another base32 character (a bit-level forgery)."""
    replacement = "B" if text[at] != "B" else "C"
    return text[:at] + replacement + text[at + 1:]


def test_a_signed_token_verifies_to_its_claims() -> None:
    claims = QrVerifier([KEY.public_key()]).verify(token(), NOW + timedelta(hours=1))
    assert claims.subject == SUBJECT and claims.kind == Kind.declaration
    assert claims.issued_at == NOW and claims.expires_at == NOW + timedelta(hours=72)
    assert claims.kid == key_id(KEY.public_key())


def test_the_token_holds_no_personal_data_and_fits_the_alphanumeric_mode() -> None:
    text = token()
    assert len(text) == TOKEN_CHARS
    assert set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    raw = base64.b32decode(text)
    assert uuid.UUID(SUBJECT).bytes in raw and b"Nguy" not in raw


def test_vehicle_tokens_say_so() -> None:
    assert QrVerifier([KEY.public_key()]).verify(token(kind=Kind.vehicle), NOW).kind == Kind.vehicle


# Claims are bytes 0–35 (chars 0–57), the signature bytes 36–99; kid is bytes 2–11.
@pytest.mark.parametrize("at", [0, 1, 20, 26, 45, 50, 57, 58, 100, 150, 159])
def test_every_changed_character_is_refused(at: int) -> None:
    assert reason(flip(token(), at)) in {Reason.tampered, Reason.foreign_key, Reason.malformed}


@pytest.mark.parametrize("at", [26, 40, 50, 100, 159])
def test_a_changed_subject_time_or_signature_is_tampered(at: int) -> None:
    assert reason(flip(token(), at)) == Reason.tampered


def test_a_changed_expiry_cannot_extend_a_code() -> None:
    raw = bytearray(base64.b32decode(token(expires=timedelta(hours=1))))
    raw[32:36] = int((NOW + timedelta(days=365)).timestamp()).to_bytes(4, "big")
    forged = base64.b32encode(bytes(raw)).decode()
    assert reason(forged, now=NOW + timedelta(days=2)) == Reason.tampered


@pytest.mark.parametrize("length", [1, 2, 7, 8, 57, 58, 100, 152, 159])
def test_a_truncated_scan_is_truncated(length: int) -> None:
    assert reason(token()[:length]) == Reason.truncated


def test_extra_characters_are_tampering() -> None:
    assert reason(token() + "AAAA") == Reason.tampered


def test_a_token_signed_by_another_key_is_foreign() -> None:
    assert reason(token(Ed25519PrivateKey.generate())) == Reason.foreign_key


def test_a_forged_kid_with_a_foreign_signature_is_tampered() -> None:
    raw = bytearray(base64.b32decode(token(Ed25519PrivateKey.generate())))
    raw[2:12] = bytes.fromhex(key_id(KEY.public_key()))
    assert reason(base64.b32encode(bytes(raw)).decode()) == Reason.tampered


def test_expired_and_not_yet_valid() -> None:
    text = token(expires=timedelta(hours=1))
    assert reason(text, now=NOW + timedelta(hours=1, minutes=3)) == Reason.expired
    assert reason(text, now=NOW - timedelta(minutes=3)) == Reason.not_yet_valid
    # Within the two minutes of clock leeway a scanner's clock may be off by:
    QrVerifier([KEY.public_key()]).verify(text, NOW + timedelta(hours=1, minutes=1))


@pytest.mark.parametrize("text", ["x" * (MAX_TOKEN_CHARS + 1), "A" * 100_000])
def test_oversized_input_is_refused_before_decoding(text: str) -> None:
    assert reason(text) == Reason.oversized


@pytest.mark.parametrize("text", ["", "   ", "https://example.org/", "hello", "ZZZZZZZZ",
                                  "eyJhbGciOiJFZERTQSJ9.e30.sig", "Nguyễn Văn An"])
def test_other_qr_contents_are_malformed(text: str) -> None:
    assert reason(text) == Reason.malformed


def test_an_unknown_format_version_is_malformed() -> None:
    raw = bytearray(base64.b32decode(token()))
    raw[0] = 2
    assert reason(base64.b32encode(bytes(raw)).decode()) == Reason.malformed


def test_surrounding_whitespace_from_a_scanner_is_ignored() -> None:
    assert QrVerifier([KEY.public_key()]).verify(f" {token()}\n", NOW).subject == SUBJECT


def test_rotation_old_keys_verify_until_retired() -> None:
    old, new = KEY, Ed25519PrivateKey.generate()
    old_token, new_token = token(old), token(new)
    both = QrVerifier([old.public_key(), new.public_key()])
    assert both.verify(old_token, NOW).kid == key_id(old.public_key())
    assert both.verify(new_token, NOW).kid == key_id(new.public_key())
    retired = QrVerifier([new.public_key()])
    assert reason(old_token, retired) == Reason.foreign_key


def test_public_keys_round_trip_through_a_jwks() -> None:
    jwks = {"keys": [public_jwk(KEY.public_key())]}
    verifier = QrVerifier.from_jwks(jwks)
    assert verifier.kids == [key_id(KEY.public_key())]
    assert verifier.verify(token(), NOW).subject == SUBJECT


def test_a_jwk_whose_kid_lies_is_refused() -> None:
    jwk = {**public_jwk(KEY.public_key()), "kid": "00" * 10}
    with pytest.raises(ValueError, match="kid"):
        public_key_from_jwk(jwk)
    with pytest.raises(ValueError, match="Ed25519"):
        public_key_from_jwk({"kty": "RSA", "n": "…"})
