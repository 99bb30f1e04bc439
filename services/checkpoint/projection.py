"""From consumed events to the documents of this service's views (pure).

Only what a checkpoint needs is kept, and identity only masked (DESIGN.md §5):
no full name, no ID number, no date of birth — the manual lookup works on a
keyed hash of (subject id, date of birth) instead.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import DeclarationSubmitted, VehicleDeclared
from libs.contracts.events.notification import ZoneLevelChanged
from libs.contracts.events.trace import QuarantineOrdered, QuarantineReleased
from libs.contracts.vietnam_time import vn_day
from services.checkpoint.domain import lookup_key, mask_document, mask_name

# A declaration departs at most 14 days ahead and is valid 72 h from then.
VERDICT_MATTERS = timedelta(days=21)


def order_key(moment: datetime, event_id: str) -> str:
    """Sorts as the events happened (UTC time, then the time-ordered event id)."""
    return f"{moment.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%f')}|{event_id}"


def declaration_fields(event: Envelope[DeclarationSubmitted], secret: bytes) -> dict[str, Any]:
    p = event.payload
    person, trip = p.person, p.trip
    return {
        "subject_id": p.subject_id,
        "lookup_key": lookup_key(secret, p.subject_id, person.date_of_birth),
        "masked_name": mask_name(person.full_name),
        "masked_document": mask_document(person.national_id or person.passport or ""),
        "channel": p.channel.value,
        "origin_ward": trip.origin_ward, "destination_ward": trip.destination_ward,
        "departure_date": trip.departure_date.isoformat(),
        "transport_mode": trip.transport.mode.value, "transport_number": trip.transport.number,
        "symptoms": [s.value for s in p.health.symptoms],
        "exposures": [e.value for e in p.health.exposures],
        "vaccination_doses": p.health.vaccination_doses,
        "valid_until": p.valid_until, "submitted_at": event.occurred_at,
        "day": vn_day(p.valid_until).isoformat(),
    }


def verdict(event: Envelope[Any], verdict: str, reasons: list[str]) -> dict[str, Any]:
    """An identity verdict; `day`: after it no declaration it could concern is valid."""
    matters_until = event.occurred_at + VERDICT_MATTERS
    return {"verdict": verdict, "rejection_reasons": reasons,
            "subject_id": event.payload.subject_id,
            "key": order_key(event.occurred_at, event.event_id),
            "matters_until": matters_until, "day": vn_day(matters_until).isoformat()}


def vehicle_fields(event: Envelope[VehicleDeclared]) -> dict[str, Any]:
    p = event.payload
    return {
        "plate": p.plate, "vehicle_type": p.vehicle_type.value, "cargo": p.cargo,
        "permit_number": p.permit_number, "origin_ward": p.origin_ward,
        "destination_ward": p.destination_ward, "depot_ward": p.depot.ward_code,
        "departure_date": p.departure_date.isoformat(), "valid_until": p.valid_until,
        "crew": [{"declaration_id": c.declaration_id, "subject_id": c.subject_id,
                  "role": c.role.value} for c in p.crew],
        "day": vn_day(p.valid_until).isoformat(),
    }


def zone_change(event: Envelope[ZoneLevelChanged]) -> dict[str, Any]:
    p = event.payload
    # Stored as BSON keeps milliseconds: round first, so a redelivery is the same subdocument.
    effective = p.effective_at.replace(microsecond=p.effective_at.microsecond // 1000 * 1000)
    return {"event_id": event.event_id, "level": int(p.level), "effective_at": effective,
            "key": order_key(p.effective_at, event.event_id)}


def quarantine_ordered(p: QuarantineOrdered) -> dict[str, Any]:
    return {"quarantine_id": p.quarantine_id, "ordered": True, "start": p.start.isoformat(),
            "end": p.end.isoformat(), "place": p.place.value, "reason": p.reason.value}


def quarantine_released(p: QuarantineReleased) -> dict[str, Any]:
    # Stored even before the order arrives: the order then finds it released.
    return {"quarantine_id": p.quarantine_id, "released_at": p.at, "early": p.early}
