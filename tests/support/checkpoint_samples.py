"""Samples for the checkpoint service's tests, without servers: QR keys of the test's own
(real Ed25519 signatures) and the events the service consumes. tests/support/
checkpoint_kit.py adds the service in-process and Kafka around them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import DeclarationSubmitted, VehicleDeclared
from libs.contracts.events.identity import IdentityRejected, IdentityVerified
from libs.contracts.values import subject_id_for
from libs.contracts.vietnam_time import vn_today
from libs.runtime.qr_tokens import Kind, QrSigner, public_jwk
from libs.runtime.settings import DEV_SUBJECT_SECRET
from tests.support.samples import HOAN_KIEM, VUNG_TAU, declaration_form


class Keys:
    """The QR signing keys of a test; `source` is what the service fetches (a JWKS)."""

    def __init__(self) -> None:
        self.private = [Ed25519PrivateKey.generate()]
        self.fetches = 0

    @property
    def signer(self) -> QrSigner:
        return QrSigner(self.private[-1])

    def rotate(self) -> None:
        self.private.append(Ed25519PrivateKey.generate())

    async def source(self) -> dict[str, Any]:
        self.fetches += 1
        return {"keys": [public_jwk(key.public_key()) for key in self.private]}

    def token(self, subject: str, *, kind: Kind = Kind.declaration,
              expires: datetime | None = None, issued: datetime | None = None) -> str:
        now = datetime.now(UTC)
        return self.signer.sign(subject, kind, issued or now - timedelta(minutes=1),
                                expires or now + timedelta(days=2))



def declaration(national_id: str = "001085012345", *, full_name: str = "Nguyễn Văn An",
                symptoms: list[str] | None = None, valid_for: timedelta = timedelta(days=3),
                declaration_id: str | None = None) -> Envelope[DeclarationSubmitted]:
    form = declaration_form(national_id)
    form["person"]["full_name"] = full_name
    form["health"]["symptoms"] = symptoms or []
    payload = DeclarationSubmitted(
        declaration_id=declaration_id or str(uuid.uuid4()),
        subject_id=subject_id_for(DEV_SUBJECT_SECRET.encode(), national_id),
        channel="web", person=form["person"], residence=form["residence"], trip=form["trip"],
        health=form["health"], valid_until=datetime.now(UTC) + valid_for)
    return Envelope.wrap(payload, producer="test")


def verified(decl: Envelope[DeclarationSubmitted]) -> Envelope[IdentityVerified]:
    return Envelope.wrap(IdentityVerified(declaration_id=decl.payload.declaration_id,
                                          subject_id=decl.payload.subject_id), producer="test")


def rejected(decl: Envelope[DeclarationSubmitted]) -> Envelope[IdentityRejected]:
    return Envelope.wrap(IdentityRejected(declaration_id=decl.payload.declaration_id,
                                          subject_id=decl.payload.subject_id,
                                          reasons=["name_mismatch"]), producer="test")



def vehicle(*crew: tuple[str, Envelope[DeclarationSubmitted]], plate: str = "29C12345",
            valid_for: timedelta = timedelta(days=2)) -> Envelope[VehicleDeclared]:
    """A green-lane vehicle whose crew are the given (role, declaration) pairs."""
    payload = VehicleDeclared(
        vehicle_declaration_id=str(uuid.uuid4()), plate=plate,
        vehicle_type="refrigerated_truck", cargo="Rau quả tươi", permit_number="GL-2025-000123",
        origin_ward=HOAN_KIEM, destination_ward=VUNG_TAU,
        depot={"ward_code": HOAN_KIEM, "address": "Kho lạnh số 3"},
        departure_date=vn_today(1),
        valid_until=datetime.now(UTC) + valid_for,
        crew=[{"declaration_id": d.payload.declaration_id, "subject_id": d.payload.subject_id,
               "role": role} for role, d in crew])
    return Envelope.wrap(payload, producer="test")


