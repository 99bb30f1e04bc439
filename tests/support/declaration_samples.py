"""Inputs for the declaration service's tests: forms, CSV files, tokens, a private key file."""

from __future__ import annotations

import copy
import csv
import io
from datetime import date, datetime, timedelta
from typing import Any

from libs.contracts.events.declaration import Channel, Person
from libs.contracts.vietnam_time import vn_today
from libs.runtime.auth import Role
from services.declaration.domain.declarations import Status, submitted_events
from services.declaration.domain.form import DeclarationForm
from services.declaration.domain.records import Declaration
from tests.support.tokens import bearer

HOAN_KIEM = "00070"  # Phường Hoàn Kiếm, Hà Nội
VUNG_TAU = "26506"  # Phường Vũng Tàu, TP Hồ Chí Minh
SAI_GON = "26740"  # Phường Sài Gòn, TP Hồ Chí Minh
OFFICER = bearer(Role.officer, ['cp-1'], who='officer-7')
ADMIN = bearer(Role.admin, who='admin-1')


def day(offset: int, today: date | None = None) -> str:
    return ((today or vn_today()) + timedelta(days=offset)).isoformat()


def form(today: date | None = None, **changes: Any) -> dict[str, Any]:
    """A valid web form; `changes` maps dotted paths to new values (None removes the key)."""
    data: dict[str, Any] = {
        "person": {"full_name": "Nguyễn Văn An", "date_of_birth": "1985-03-14",
                   "gender": "male", "nationality": "VN", "national_id": "001085012345",
                   "phone": "0912345678"},
        "residence": {"permanent": {"ward_code": HOAN_KIEM, "address": "12 Hàng Bạc"},
                      "current": {"ward_code": HOAN_KIEM, "address": "12 Hàng Bạc"}},
        "trip": {"origin_ward": HOAN_KIEM, "destination_ward": VUNG_TAU,
                 "departure_date": day(1, today),
                 "transport": {"mode": "car", "number": "29A-123.45"}},
        "health": {"symptoms": [], "exposures": [], "vaccination_doses": 3,
                   "last_dose_date": "2022-01-15"},
        "consent": True,
    }
    return changed(data, **changes)


def changed(data: dict[str, Any], **changes: Any) -> dict[str, Any]:
    result = copy.deepcopy(data)
    for path, value in changes.items():
        *parents, leaf = path.split("__")
        node = result
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
        if value is None:
            node.pop(leaf, None)
        else:
            node[leaf] = value
    return result


def child(national_id: str = "001215001234", name: str = "Nguyễn Minh Khôi",
          gender: str = "male") -> dict[str, Any]:
    """A child born in 2015 (digits 4–6 of a matching CCCD: 215 for a boy, 315 for a girl)."""
    return {"person": {"full_name": name, "date_of_birth": "2015-06-01", "gender": gender,
                       "national_id": national_id}}


def vehicle(today: date | None = None, **changes: Any) -> dict[str, Any]:
    driver = form(today)
    data = {"plate": "29C-123.45", "vehicle_type": "refrigerated_truck", "cargo": "Rau quả tươi",
            "permit_number": "GL-2025-000123", "origin_ward": HOAN_KIEM,
            "destination_ward": SAI_GON,
            "depot": {"ward_code": HOAN_KIEM, "address": "Kho lạnh số 3"},
            "departure_date": day(1, today),
            "crew": [{"role": "driver", "person": driver["person"],
                      "residence": driver["residence"]}],
            "consent": True}
    return changed(data, **changes)


PAPER_HEADER = ["full_name", "date_of_birth", "gender", "national_id", "phone",
                "permanent_ward", "permanent_address", "current_ward", "current_address",
                "origin_ward", "destination_ward", "departure_date", "transport_mode",
                "transport_number", "symptoms", "vaccination_doses", "consent"]


def paper_row(national_id: str = "001085012345", name: str = "Nguyễn Văn An",
              **changes: str) -> dict[str, str]:
    row = {"full_name": name, "date_of_birth": "1985-03-14", "gender": "nam",
           "national_id": national_id, "phone": "0912 345 678", "permanent_ward": HOAN_KIEM,
           "permanent_address": "12 Hàng Bạc", "current_ward": HOAN_KIEM,
           "current_address": "12 Hàng Bạc", "origin_ward": HOAN_KIEM,
           "destination_ward": VUNG_TAU, "departure_date": day(1),
           "transport_mode": "bus", "transport_number": "51B-123.45", "symptoms": "",
           "vaccination_doses": "2", "consent": "x"}
    row.update(changes)
    return row


def stored(person: dict[str, Any] | None = None, *, declaration_id: str = "d-1",
           subject_id: str = "5f0c" + "0" * 60, status: Status = Status.pending,
           valid_until: datetime | None = None, **fields: Any) -> Declaration:
    """A declaration as a store gives it back; `person` replaces the form's person (its
    date of birth, gender and ID number stay unless given)."""
    [event] = submitted_events(DeclarationForm.model_validate(form()), channel=Channel.web,
                               secret=b"test", validity_hours=72)
    declared = event.payload.model_copy(update={
        "declaration_id": declaration_id, "subject_id": subject_id,
        "valid_until": valid_until or event.payload.valid_until,
        **({"person": Person.model_validate({
            "date_of_birth": "1985-03-14", "gender": "male", "national_id": "001085012345",
            **person})} if person else {})})
    return Declaration(declared=declared, submitted_at=event.occurred_at, status=status,
                       **fields)


def csv_bytes(header: list[str], rows: list[dict[str, str]], *, bom: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode()

