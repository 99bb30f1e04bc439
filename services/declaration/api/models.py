"""Request and response bodies of the HTTP API (their schemas are the OpenAPI document)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from libs.contracts.jsontypes import JsonObject
from libs.contracts.values import Identifier, PlainText, SubjectId
from libs.contracts.wards import Zone
from services.declaration.domain.csv_import import CsvFormat
from services.declaration.domain.declarations import Status
from services.declaration.domain.keys import KeyInfo, KeyStatus

EXAMPLE_ID = "0198c1d2-7a3b-7c4d-8e5f-0123456789ab"


class QrLinks(BaseModel):
    png: str = Field(examples=[f"/v1/declarations/{EXAMPLE_ID}/qr.png"])
    svg: str = Field(examples=[f"/v1/declarations/{EXAMPLE_ID}/qr.svg"])


class Issued(BaseModel):
    declaration_id: str = Field(examples=[EXAMPLE_ID])
    full_name: str = Field(examples=["Nguyễn Văn An"])
    status: Status = Field(examples=["pending"])
    access_token: str = Field(description="citizen token for this declaration only",
                              examples=["eyJhbGciOiJFZERTQSJ9…"])
    valid_until: datetime = Field(examples=["2025-11-30T17:00:00Z"])
    qr: QrLinks
    duplicate: bool = Field(False, description="an officer entered this form before")


class Submitted(Issued):
    dependants: list[Issued] = Field(default_factory=list,
                                     description="one declaration and QR per family member")


class QuarantineNow(BaseModel):
    until: date = Field(description="last day under quarantine (Viet Nam date)",
                        examples=["2025-12-04"])
    place: str = Field(examples=["home"])
    reason: str = Field(examples=["contact"])


class DeclarationView(BaseModel):
    declaration_id: str = Field(examples=[EXAMPLE_ID])
    status: Status = Field(examples=["verified"])
    reasons: list[str] = Field(description="why identity verification rejected it",
                               examples=[[]])
    channel: str = Field(examples=["web"])
    full_name: str = Field(description="masked for officers: the family name, then initials",
                           examples=["Nguyễn Văn An"])
    document: str = Field(description="the ID or passport number, masked: a CCCD keeps its "
                                      "first and last 3 digits, any other its last 3 characters",
                          examples=["001******345"])
    submitted_at: datetime
    valid_until: datetime
    departure_date: date
    transport: JsonObject = Field(examples=[{"mode": "car", "number": "29A12345"}])
    origin: Zone
    destination: Zone
    qr: QrLinks
    quarantine: QuarantineNow | None = Field(None, description="the person is under "
                                             "quarantine today (the longest order if several)")


class Entry(BaseModel):
    """One declaration the signed-in officer entered: typed in from paper or imported."""

    declaration_id: str = Field(examples=["p-3f2a9c"])
    channel: str = Field(description="paper (typed in) or import", examples=["paper"])
    status: Status = Field(description="identity verification so far", examples=["verified"])
    reasons: list[str] = Field(description="why identity verification rejected it",
                               examples=[[]])
    full_name: str = Field(description="masked: the family name, then initials",
                           examples=["Nguyễn V. A."])
    document: str = Field(description="the ID or passport number, masked",
                          examples=["001******345"])
    document_type: Literal["national_id", "passport"] = Field(
        description="what `document` is: a CCCD/CMND, or a passport (a foreigner's)",
        examples=["national_id"])
    nationality: str = Field(description="ISO 3166-1 alpha-2; VN for a citizen",
                             examples=["VN"])
    submitted_at: datetime
    departure_date: date
    origin_ward: str = Field(examples=["26734"])
    destination_ward: str = Field(examples=["00070"])
    transport: JsonObject = Field(examples=[{"mode": "car", "number": "29A12345"}])
    dependants_of: str | None = Field(None, description="the form's first person's "
                                      "declaration, for a dependant entered with it")


class ImportedRow(BaseModel):
    line: int = Field(examples=[2])
    declaration_id: str
    duplicate: bool = Field(description="already imported (same person, same trip)")


class ImportReport(BaseModel):
    format: CsvFormat
    rows: int = Field(examples=[3])
    created: int = Field(examples=[1])
    duplicates: int = Field(examples=[1])
    rejected: int = Field(examples=[1])
    declarations: list[ImportedRow]
    errors: list[JsonObject] = Field(
        description="bad rows: line number and errors by column",
        examples=[[{"line": 4, "fields": {"national_id": [{"code": "national_id_format",
                                                           "message": {"vi": "…", "en": "…"}}]}}]])


class CrewView(BaseModel):
    role: str = Field(examples=["driver"])
    declaration_id: str
    status: Status | None = Field(None, description="the crew member's declaration status")
    access_token: str | None = Field(None, description="only in the answer to the submission")


class VehicleView(BaseModel):
    vehicle_declaration_id: str
    plate: str = Field(examples=["29C12345"])
    vehicle_type: str = Field(examples=["refrigerated_truck"])
    cargo: str
    permit_number: str
    origin_ward: str
    destination_ward: str
    departure_date: str
    valid_until: datetime
    access_token: str | None = Field(None, description="citizen token for this vehicle; "
                                                       "only in the answer to the submission")
    crew: list[CrewView]
    qr: QrLinks


class Jwk(BaseModel):
    kty: str = Field(examples=["OKP"])
    crv: str = Field(examples=["Ed25519"])
    x: str = Field(examples=["1O1e1KHUt31j_aq_tDNDqqwPGvpK9iji4J7wViNIQkc"])
    kid: str = Field(examples=["240d7208a633182073f5"])
    alg: str = Field(examples=["EdDSA"])
    use: str = Field(examples=["sig"])


class KeySet(BaseModel):
    keys: list[Jwk]
    active: str = Field(description="kid of the key that signs new codes",
                        examples=["240d7208a633182073f5"])


class SigningKey(BaseModel):
    """A QR signing key's history; never any key material (the public key is at /v1/keys
    while the key verifies)."""

    kid: str = Field(examples=["240d7208a633182073f5"])
    status: KeyStatus = Field(description="active: signs new codes; verifying: still "
                              "verifies codes issued before a rotation (published at "
                              "/v1/keys); retired: its private key is gone and its codes "
                              "no longer verify")
    created_at: datetime | None = Field(examples=["2026-12-07T02:15:00+00:00"])
    created_by: str | None = Field(description="the admin account, `cli:<user>` from the "
                                   "command line, `first run`; null for keys made before "
                                   "this was recorded", examples=["admin-1"])
    retired_at: datetime | None = None
    retired_by: str | None = Field(None, examples=["admin-1"])

    @classmethod
    def of(cls, key: KeyInfo) -> SigningKey:
        return cls(kid=key.kid, status=key.status, created_at=key.created_at,
                   created_by=key.created_by, retired_at=key.retired_at,
                   retired_by=key.retired_by)


class SigningKeys(BaseModel):
    keys: list[SigningKey] = Field(description="every key, the oldest first, retired ones "
                                               "included")
    managed_by_operator: bool = Field(description="true when the key file cannot be changed "
                                      "here (production: a mounted secret): rotating and "
                                      "retiring are refused with 409 and done by the operator")


class RevealRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject_id: SubjectId = Field(description="the person's pseudonym, as the caller knows it")
    declaration_id: Identifier | None = Field(None, max_length=64, description="the declaration "
                                       "the caller was shown, if one (else the latest)")
    purpose: Annotated[PlainText, Field(min_length=3, max_length=300)] = Field(
        description="why the caller needs to see the person (audited, shown to the person)",
        examples=["gọi điện nhắc khai báo y tế khi đến phường"])


class Place(BaseModel):
    ward_code: str
    ward_name: str
    province_name: str
    address: str


class Revealed(BaseModel):
    reveal_id: str
    subject_id: str
    declaration_id: str
    grounds: str = Field(description="what allowed it", examples=["ward 26506: arriving"])
    full_name: str = Field(examples=["Nguyễn Văn An"])
    date_of_birth: date
    gender: str | None = None
    phone: str | None = Field(None, examples=["0912345678"])
    email: str | None = None
    residence: dict[str, Place | None]


class Access(BaseModel):
    kind: Literal["trace", "reveal"] = Field(description="a movement-trace query, or a "
                                             "reveal of name and contact details")
    role: str = Field(examples=["ward_official"])
    unit: str | None = Field(None, examples=["UBND phường Vũng Tàu"])
    purpose: str
    at: datetime


class Accesses(BaseModel):
    declaration_id: str
    accesses: list[Access] = Field(description="newest first; never the staff member's name")
