"""OpenAPI examples of the request bodies (dates relative to when the docs are served)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from libs.contracts.jsontypes import JsonObject
from libs.contracts.vietnam_time import vn_today

HOAN_KIEM, VUNG_TAU, SAI_GON = "00070", "26506", "26740"


def _person(**extra: Any) -> JsonObject:
    return {"full_name": "Nguyễn Văn An", "date_of_birth": "1985-03-14", "gender": "male",
            "nationality": "VN", "national_id": "001085012345", "phone": "0912345678", **extra}


def _form(**extra: Any) -> JsonObject:
    return {
        "person": _person(),
        "residence": {"permanent": {"ward_code": HOAN_KIEM, "address": "12 Hàng Bạc"},
                      "current": {"ward_code": HOAN_KIEM, "address": "12 Hàng Bạc"}},
        "trip": {"origin_ward": HOAN_KIEM, "destination_ward": VUNG_TAU,
                 "departure_date": (vn_today() + timedelta(days=1)).isoformat(),
                 "transport": {"mode": "car", "number": "29A-123.45"}},
        "health": {"symptoms": [], "exposures": [], "vaccination_doses": 3,
                   "last_dose_date": "2022-01-15"},
        "consent": True, **extra}


CHILD = {"person": {"full_name": "Nguyễn Minh Khôi", "date_of_birth": "2015-06-01",
                    "gender": "male", "national_id": "001215001234"}}

FORM_EXAMPLES: JsonObject = {
    "self": {"summary": "one traveller by car", "value": _form()},
    "family": {"summary": "a parent with a child", "value": _form(dependants=[CHILD])},
}

VEHICLE_EXAMPLES: JsonObject = {
    "truck": {"summary": "a refrigerated truck with its driver", "value": {
        "plate": "29C-123.45", "vehicle_type": "refrigerated_truck",
        "cargo": "Rau quả tươi", "permit_number": "GL-2025-000123",
        "origin_ward": HOAN_KIEM, "destination_ward": SAI_GON,
        "depot": {"ward_code": HOAN_KIEM, "address": "Kho lạnh số 3"},
        "departure_date": (vn_today() + timedelta(days=1)).isoformat(),
        "crew": [{"role": "driver", "person": _person(),
                  "residence": _form()["residence"]}],
        "consent": True}},
}
