"""What the HTTP API answers: response models (with examples) and how they are built."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import DeclarationSubmitted
from libs.contracts.events.notification import ZoneLevel
from libs.contracts.quarantine import under_quarantine
from libs.contracts.vietnam_time import vn_day
from libs.runtime.auth import Principal, Role
from libs.runtime.mongo import Document
from services.declaration.domain import Status, mask_document, mask_name, status_at
from services.declaration.units import names

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


class Zone(BaseModel):
    ward_code: str = Field(examples=["00070"])
    ward_name: str = Field(examples=["Phường Hoàn Kiếm"])
    province_name: str = Field(examples=["Thành phố Hà Nội"])
    level: int | None = Field(None, ge=1, le=4, description="1 green … 4 red; null: no level "
                                                            "announced yet", examples=[1])
    level_name: str | None = Field(None, examples=["green"])


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
    full_name: str = Field(description="masked for officers", examples=["Nguyễn Văn An"])
    document: str = Field(description="last 3 characters of the ID or passport",
                          examples=["•••••••••345"])
    submitted_at: datetime
    valid_until: datetime
    departure_date: date
    transport: dict[str, Any] = Field(examples=[{"mode": "car", "number": "29A12345"}])
    origin: Zone
    destination: Zone
    qr: QrLinks
    quarantine: QuarantineNow | None = Field(None, description="the person is under "
                                             "quarantine today (the longest order if several)")


def qr_links(kind: str, item_id: str) -> QrLinks:
    return QrLinks(png=f"/v1/{kind}/{item_id}/qr.png", svg=f"/v1/{kind}/{item_id}/qr.svg")


# (declaration or vehicle id, valid until) → the citizen token for it (Context.citizen_token)
TokenFor = Callable[[str, datetime], str]


def issued(event: Envelope[DeclarationSubmitted], token_for: TokenFor,
           duplicate: bool = False) -> Issued:
    p = event.payload
    return Issued(declaration_id=p.declaration_id, full_name=p.person.full_name,
                  status=Status.pending, access_token=token_for(p.declaration_id, p.valid_until),
                  valid_until=p.valid_until, qr=qr_links("declarations", p.declaration_id),
                  duplicate=duplicate)


def submitted(events: list[Envelope[DeclarationSubmitted]], duplicates: set[int],
              token_for: TokenFor) -> Submitted:
    """The submitter's declaration, then the dependants'; `duplicates` are positions."""
    first, *rest = [issued(e, token_for, i in duplicates) for i, e in enumerate(events)]
    return Submitted(**first.model_dump(), dependants=rest)


def zone(ward_code: str, levels: dict[str, int]) -> Zone:
    ward_name, province_name = names().get(ward_code, (ward_code, ""))
    level = levels.get(ward_code)
    return Zone(ward_code=ward_code, ward_name=ward_name, province_name=province_name,
                level=level, level_name=ZoneLevel(level).name if level else None)


def quarantine_now(orders: list[Document], now: datetime) -> QuarantineNow | None:
    """The order in force today; one whose release came first never shows."""
    today = vn_day(now)
    active = [o for o in orders if "start" in o and under_quarantine(
        date.fromisoformat(o["start"]), date.fromisoformat(o["end"]),
        date.fromisoformat(o["released_on"]) if o.get("released_on") else None, today)]
    if not active:
        return None
    longest = max(active, key=lambda o: str(o["end"]))
    return QuarantineNow(until=date.fromisoformat(longest["end"]) - timedelta(days=1),
                         place=longest["place"], reason=longest["reason"])


def declaration_view(doc: Document, levels: dict[str, int], who: Principal,
                     now: datetime, orders: list[Document] | None = None) -> DeclarationView:
    d = doc["declaration"]
    person, trip = d["person"], d["trip"]
    full_name = mask_name(person["full_name"]) if who.role == Role.officer \
        else person["full_name"]
    return DeclarationView(
        declaration_id=doc["_id"],
        status=status_at(Status(doc["status"]), doc["valid_until"], now),
        reasons=doc.get("reasons", []), channel=d["channel"], full_name=full_name,
        document=mask_document(person.get("national_id"), person.get("passport")),
        submitted_at=doc["submitted_at"], valid_until=doc["valid_until"],
        departure_date=trip["departure_date"], transport=trip["transport"],
        origin=zone(trip["origin_ward"], levels),
        destination=zone(trip["destination_ward"], levels),
        qr=qr_links("declarations", doc["_id"]), quarantine=quarantine_now(orders or [], now))
