"""Exports of query answers: CSV (one row per movement, visit or exposure), JSON, GeoJSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence

from pydantic import BaseModel

from services.movement_trace.domain.answers import Contacts, Timeline, Visits
from services.movement_trace.domain.contacts import JourneyEvidence

TIMELINE_COLUMNS = ("id", "at", "kind", "checkpoint_id", "checkpoint_kind", "direction", "ward_code",
                    "province_code", "declaration_id", "destination_ward", "reason", "lat", "lon",
                    "transport_mode", "transport_number", "seat", "departure_date",
                    "quarantine_id", "followup_day", "reached", "symptoms", "temperature_c", "fever")
VISIT_COLUMNS = ("subject_id", "start", "end", "stay", "end_inferred", "ward_code", "checkpoint_kind")
CONTACT_COLUMNS = ("subject_id", "degree", "via", "checkpoint_id", "checkpoint_kind", "ward_code",
                   "rule", "met", "met_start", "met_end", "start", "end", "end_inferred", "minutes",
                   "journey_mode", "journey_number", "journey_date", "seat", "met_seat",
                   "seat_rule", "seat_unknown")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
Row = dict[str, object]  # one line of a CSV file, one feature of a GeoJSON one


class NoCoordinates(ValueError):
    """GeoJSON asked for, but none of the movements has coordinates."""


def _cell(value: object) -> object:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value  # a spreadsheet must not run it as a formula
    return "" if value is None else value


def _csv(columns: Sequence[str], rows: Iterable[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue()


def to_csv(answer: BaseModel) -> str:
    if isinstance(answer, Timeline):
        return _csv(TIMELINE_COLUMNS, (m.model_dump() for m in answer.movements))
    if isinstance(answer, Visits):
        return _csv(VISIT_COLUMNS, (v.model_dump() for v in answer.visits))
    assert isinstance(answer, Contacts)
    rows = ({"subject_id": c.subject_id, "degree": c.degree, "via": " ".join(c.via),
             **e.model_dump(exclude={"journey"}), **_journey_cells(e.journey)}
            for c in answer.contacts for e in c.exposures)
    return _csv(CONTACT_COLUMNS, rows)


def _journey_cells(journey: JourneyEvidence | None) -> Row:
    if journey is None:
        return {}
    return {"journey_mode": journey.mode, "journey_number": journey.number,
            "journey_date": journey.departure_date, "seat": journey.seat,
            "met_seat": journey.met_seat, "seat_rule": journey.seat_rule,
            "seat_unknown": journey.seat_unknown}


def to_json(answer: BaseModel) -> str:
    return answer.model_dump_json(indent=2)


def to_geojson(timeline: Timeline) -> str:
    """Points for the movements that have coordinates, and the path through them."""
    located = [m for m in timeline.movements if m.lat is not None and m.lon is not None]
    if not located:
        raise NoCoordinates("none of these movements has coordinates")
    features: list[Row] = [{
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [m.lon, m.lat]},
        "properties": json.loads(m.model_dump_json(exclude={"lat", "lon"}, exclude_none=True)),
    } for m in located]
    if len(located) > 1:
        features.append({"type": "Feature", "properties": {"subject_id": timeline.subject_id},
                         "geometry": {"type": "LineString",
                                      "coordinates": [[m.lon, m.lat] for m in located]}})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
