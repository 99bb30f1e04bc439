"""Valid sample inputs, built fresh for each use so tests can vary them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import DeclarationSubmitted
from libs.contracts.values import subject_id_for
from libs.contracts.vietnam_time import vn_today
from libs.runtime.settings import DEV_SUBJECT_SECRET

HOAN_KIEM = "00070"  # Phường Hoàn Kiếm, Hà Nội
VUNG_TAU = "26506"  # Phường Vũng Tàu, TP Hồ Chí Minh


def declaration_form(national_id: str = "001085012345", **trip: Any) -> dict[str, Any]:
    departure = vn_today(1).isoformat()
    return {
        "person": {"national_id": national_id, "full_name": "Nguyễn Văn An",
                   "date_of_birth": "1985-03-14", "gender": "male", "nationality": "VN",
                   "phone": "0912345678"},
        "residence": {"permanent": {"ward_code": HOAN_KIEM, "address": "12 Hàng Bạc"},
                      "current": {"ward_code": HOAN_KIEM, "address": "12 Hàng Bạc"}},
        "trip": {"origin_ward": HOAN_KIEM, "destination_ward": VUNG_TAU,
                 "departure_date": departure, "transport": {"mode": "car", "number": "29A-123.45"},
                 **trip},
        "health": {"symptoms": [], "exposures": [], "vaccination_doses": 3},
        "consent": True,
    }


def submitted_envelope(national_id: str = "001085012345") -> Envelope[DeclarationSubmitted]:
    form = declaration_form(national_id)
    payload = DeclarationSubmitted(
        declaration_id=f"decl-{national_id}",
        subject_id=subject_id_for(DEV_SUBJECT_SECRET.encode(), national_id),
        channel="web", person=form["person"], residence=form["residence"], trip=form["trip"],
        health=form["health"], valid_until=datetime.now(UTC) + timedelta(days=3))
    return Envelope.wrap(payload, producer="test")
