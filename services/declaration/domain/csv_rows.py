"""CSV rows (pure): a row of a paper sheet or a manifest → the JSON of a form, and a
form error's location → the CSV column it came from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import ValidationError

from services.declaration.domain.field_errors import FieldErrors, field_errors

Row = dict[str, str]  # a CSV row: column → cell, as read (not validated)
RawForm = dict[str, object]  # the JSON of a form, before the form model validates it

PERSON = ["full_name", "date_of_birth", "gender", "nationality", "national_id", "passport",
          "phone", "email"]
HEALTH = ["symptoms", "exposures", "vaccination_doses", "last_dose_date"]
_PLACES = ("permanent", "temporary", "current")
_YES = {"1", "x", "yes", "y", "true", "có", "co", "đồng ý", "dong y"}
_GENDERS = {"nam": "male", "m": "male", "nữ": "female", "nu": "female", "f": "female"}


@dataclass(frozen=True)
class Manifest:
    """What the whole arrivals manifest shares: the flight or ship and the point of entry."""

    mode: str
    number: str
    arrival_date: date
    entry_ward: str
    country_of_departure: str  # ISO 3166-1 alpha-2: where the flight or ship came from
    port_of_departure: str | None = None


def _person(row: Row) -> dict[str, str]:
    person = {name: row[name] for name in PERSON if name in row}
    if "gender" in person:
        person["gender"] = _GENDERS.get(person["gender"].lower(), person["gender"].lower())
    return person


def _health(row: Row) -> dict[str, object]:
    health: dict[str, object] = {name: row[name] for name in HEALTH if name in row}
    for name in ("symptoms", "exposures"):
        if name in row:
            health[name] = [item.strip() for item in row[name].split(";") if item.strip()]
    doses = row.get("vaccination_doses", "").strip()
    if doses.isascii() and doses.isdigit():  # a CSV cell is text; the form takes a number
        health["vaccination_doses"] = int(doses)
    return health


def _place(row: Row, prefix: str) -> dict[str, str] | None:
    if f"{prefix}_ward" not in row:
        return None
    return {"ward_code": row[f"{prefix}_ward"], "address": row.get(f"{prefix}_address", "")}


def paper_form(row: Row) -> RawForm:
    residence = {kind: place for kind in _PLACES if (place := _place(row, kind)) is not None}
    transport = {"mode": row.get("transport_mode", ""), "number": row.get("transport_number"),
                 "seat": row.get("seat")}
    return {"person": _person(row), "residence": residence, "health": _health(row),
            "trip": {"origin_ward": row.get("origin_ward"),
                     "destination_ward": row.get("destination_ward"),
                     "departure_date": row.get("departure_date"),
                     "transport": {k: v for k, v in transport.items() if v is not None}},
            "consent": row.get("consent", "").lower() in _YES}


def manifest_form(row: Row, manifest: Manifest | None) -> RawForm:
    """A passenger travels from the point of entry to the declared destination."""
    assert manifest is not None, "a manifest import needs its flight or ship"
    destination = _place(row, "destination") or {"ward_code": ""}
    permanent = _place(row, "permanent") or destination
    transport = {"mode": manifest.mode, "number": manifest.number}
    if "seat" in row:
        transport["seat"] = row["seat"]
    return {"person": _person(row), "health": _health(row),
            "residence": {"permanent": permanent, "current": destination},
            "trip": {"origin_ward": manifest.entry_ward,
                     "destination_ward": destination["ward_code"],
                     "departure_date": manifest.arrival_date.isoformat(),
                     "transport": transport},
            # Declaring at a point of entry is a legal duty, not a matter of consent.
            "consent": True}


_MANIFEST_LOCATIONS = {"trip.destination_ward": "destination_ward",
                       "residence.current.ward_code": "destination_ward",
                       "residence.current.address": "destination_address",
                       "trip.transport.seat": "seat"}


def by_column(error: ValidationError, manifest: bool, row: Row) -> FieldErrors:
    columns: FieldErrors = {}
    for loc, errs in field_errors(error.errors()).items():
        column = column_of(loc, manifest)
        if manifest and column.startswith("permanent_") and \
                "permanent_ward" not in row:
            column = column.replace("permanent_", "destination_")  # it stood in for it
        known = columns.setdefault(column, [])
        known.extend(e for e in errs if e["code"] not in {k["code"] for k in known})
    return columns


def column_of(loc: str, manifest: bool) -> str:
    """The CSV column an error location comes from, so officers can find the cell."""
    parts = loc.split(".")
    if manifest and loc in _MANIFEST_LOCATIONS:
        return _MANIFEST_LOCATIONS[loc]
    if parts[0] in ("person", "health") and len(parts) > 1:
        return parts[1]
    if parts[0] == "residence" and len(parts) > 2:
        return f"{parts[1]}_{'ward' if parts[2] == 'ward_code' else parts[2]}"
    if parts[:2] == ["trip", "transport"] and len(parts) > 2:
        return "seat" if parts[2] == "seat" else f"transport_{parts[2]}"
    return parts[-1] if parts[0] == "trip" else loc
