"""From consumed events to the records of this service's views (pure).

Only what a checkpoint needs is kept, and identity only masked (DESIGN.md §5):
no full name, no ID number, no date of birth — the manual lookup works on a
keyed hash of (subject id, date of birth) instead.
"""

from __future__ import annotations

from datetime import timedelta

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import DeclarationSubmitted, VehicleDeclared
from libs.contracts.events.identity import IdentityRejected, IdentityVerified
from libs.contracts.events.notification import ZoneLevelChanged
from libs.contracts.events.trace import QuarantineOrdered, QuarantineReleased
from libs.contracts.ordering import order_key
from libs.contracts.people import mask_document, mask_name
from services.checkpoint.domain.recommendation import lookup_key
from services.checkpoint.domain.records import (
    CrewEntry,
    Declaration,
    QuarantineOrder,
    QuarantineRelease,
    VehicleDeclaration,
    Verdict,
    ZoneChange,
)

# A declaration departs at most 14 days ahead and is valid 72 h from then.
VERDICT_MATTERS = timedelta(days=21)


def declaration(event: Envelope[DeclarationSubmitted], secret: bytes) -> Declaration:
    p = event.payload
    person, trip = p.person, p.trip
    return Declaration(
        declaration_id=p.declaration_id, subject_id=p.subject_id,
        lookup_key=lookup_key(secret, p.subject_id, person.date_of_birth),
        masked_name=mask_name(person.full_name),
        masked_document=mask_document(person.national_id, person.passport),
        channel=p.channel.value,
        origin_ward=trip.origin_ward, destination_ward=trip.destination_ward,
        departure_date=trip.departure_date,
        transport_mode=trip.transport.mode.value, transport_number=trip.transport.number,
        symptoms=[s.value for s in p.health.symptoms],
        exposures=[e.value for e in p.health.exposures],
        vaccination_doses=p.health.vaccination_doses,
        valid_until=p.valid_until, submitted_at=event.occurred_at)


def verdict(event: Envelope[IdentityVerified] | Envelope[IdentityRejected]) -> Verdict:
    """An identity verdict; it matters while a declaration it could concern is valid."""
    p = event.payload
    verified = isinstance(p, IdentityVerified)
    return Verdict(declaration_id=p.declaration_id, subject_id=p.subject_id,
                   verdict="verified" if verified else "rejected",
                   rejection_reasons=[] if isinstance(p, IdentityVerified)
                   else [r.value for r in p.reasons],
                   key=order_key(event.occurred_at, event.event_id),
                   matters_until=event.occurred_at + VERDICT_MATTERS)


def vehicle(event: Envelope[VehicleDeclared]) -> VehicleDeclaration:
    p = event.payload
    return VehicleDeclaration(
        vehicle_declaration_id=p.vehicle_declaration_id, plate=p.plate,
        vehicle_type=p.vehicle_type.value, cargo=p.cargo, permit_number=p.permit_number,
        origin_ward=p.origin_ward, destination_ward=p.destination_ward,
        depot_ward=p.depot.ward_code, departure_date=p.departure_date,
        valid_until=p.valid_until,
        crew=[CrewEntry(declaration_id=c.declaration_id, subject_id=c.subject_id,
                        role=c.role.value) for c in p.crew])


def zone_change(event: Envelope[ZoneLevelChanged]) -> ZoneChange:
    p = event.payload
    # Stored as BSON keeps milliseconds: round first, so a redelivery is the same subdocument.
    effective = p.effective_at.replace(microsecond=p.effective_at.microsecond // 1000 * 1000)
    return ZoneChange(event_id=event.event_id, level=int(p.level), effective_at=effective,
                      key=order_key(p.effective_at, event.event_id))


def quarantine_order(p: QuarantineOrdered) -> QuarantineOrder:
    return QuarantineOrder(quarantine_id=p.quarantine_id, start=p.start, end=p.end,
                           place=p.place.value, reason=p.reason.value)


def quarantine_release(p: QuarantineReleased) -> QuarantineRelease:
    return QuarantineRelease(quarantine_id=p.quarantine_id, released_at=p.at, early=p.early)
