"""Response bodies built from the use cases' records (what each caller may see of them)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import DeclarationSubmitted, VehicleDeclared
from libs.contracts.people import mask_document, mask_name
from libs.contracts.wards import zone
from libs.runtime.auth import Principal, Role
from services.declaration.api.models import (
    CrewView,
    DeclarationView,
    Entry,
    Issued,
    Place,
    QrLinks,
    QuarantineNow,
    Revealed,
    Submitted,
    VehicleView,
)
from services.declaration.domain.declarations import Status
from services.declaration.domain.records import Declaration
from services.declaration.domain.reveals import PlaceNames
from services.declaration.service.lookups import DeclarationCard
from services.declaration.service.revealing import Revealed as RevealedPerson

# (declaration or vehicle id, valid until) → the citizen token for it (Deps.citizen_token)
TokenFor = Callable[[str, datetime], str]


def qr_links(kind: str, item_id: str) -> QrLinks:
    return QrLinks(png=f"/v1/{kind}/{item_id}/qr.png", svg=f"/v1/{kind}/{item_id}/qr.svg")


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


def declaration_view(card: DeclarationCard, who: Principal) -> DeclarationView:
    """Officers see the name masked; everyone the ID or passport number masked."""
    declared = card.declaration.declared
    person, trip = declared.person, declared.trip
    full_name = mask_name(person.full_name) if who.role == Role.officer else person.full_name
    order = card.quarantine
    quarantine = None if order is None or order.end is None else QuarantineNow(
        until=order.end - timedelta(days=1), place=order.place or "", reason=order.reason or "")
    return DeclarationView(
        declaration_id=declared.declaration_id, status=card.status,
        reasons=card.declaration.reasons, channel=declared.channel.value, full_name=full_name,
        document=mask_document(person.national_id, person.passport),
        submitted_at=card.declaration.submitted_at, valid_until=declared.valid_until,
        departure_date=trip.departure_date,
        transport=trip.transport.model_dump(mode="json"),
        origin=zone(trip.origin_ward, card.levels.get(trip.origin_ward)),
        destination=zone(trip.destination_ward, card.levels.get(trip.destination_ward)),
        qr=qr_links("declarations", declared.declaration_id), quarantine=quarantine)


def entry(stored: Declaration) -> Entry:
    """An officer's own entry, shown as staff see people: masked."""
    declared = stored.declared
    person, trip = declared.person, declared.trip
    return Entry(declaration_id=declared.declaration_id, channel=declared.channel.value,
                 status=stored.status, reasons=stored.reasons,
                 full_name=mask_name(person.full_name),
                 document=mask_document(person.national_id, person.passport),
                 document_type="national_id" if person.national_id else "passport",
                 nationality=person.nationality,
                 submitted_at=stored.submitted_at, departure_date=trip.departure_date,
                 origin_ward=trip.origin_ward, destination_ward=trip.destination_ward,
                 transport=trip.transport.model_dump(mode="json"),
                 dependants_of=stored.submitted_with)


def vehicle_view(declared: VehicleDeclared, crew: Mapping[str, Status]) -> VehicleView:
    """A vehicle and its crew, each with the status of their declaration (`crew`, by id)."""
    return VehicleView(
        vehicle_declaration_id=declared.vehicle_declaration_id, plate=declared.plate,
        vehicle_type=declared.vehicle_type.value, cargo=declared.cargo,
        permit_number=declared.permit_number, origin_ward=declared.origin_ward,
        destination_ward=declared.destination_ward,
        departure_date=declared.departure_date.isoformat(), valid_until=declared.valid_until,
        crew=[CrewView(role=member.role.value, declaration_id=member.declaration_id,
                       status=crew.get(member.declaration_id)) for member in declared.crew],
        qr=qr_links("vehicles", declared.vehicle_declaration_id))


def _place(names: PlaceNames | None) -> Place | None:
    return None if names is None else Place(
        ward_code=names.ward_code, ward_name=names.ward_name,
        province_name=names.province_name, address=names.address)


def revealed(answer: RevealedPerson) -> Revealed:
    person = answer.person
    return Revealed(
        reveal_id=answer.reveal_id, subject_id=answer.subject_id,
        declaration_id=answer.declaration_id, grounds=answer.grounds,
        full_name=person.full_name, date_of_birth=person.date_of_birth, gender=person.gender,
        phone=person.phone, email=person.email,
        residence={kind: _place(names) for kind, names in person.residence.items()})
