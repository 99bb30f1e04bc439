"""Green-lane freight vehicles: the vehicle, its cargo and permit, and its crew.

Each crew member gets a health declaration of their own (with its own QR), on
the vehicle's trip; the vehicle's `vehicle.declared` names them, so the
checkpoint at the depot can check vehicle and crew before departure.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from libs.contracts import patterns
from libs.contracts.envelope import Envelope, new_event_id
from libs.contracts.events import declaration as contract
from libs.contracts.events.declaration import (
    CrewMember,
    CrewRole,
    DeclarationSubmitted,
    TransportMode,
    VehicleDeclared,
    VehicleType,
)
from libs.contracts.patterns import Documented
from services.declaration.domain import form_rules
from services.declaration.domain.declarations import PRODUCER, valid_until
from services.declaration.domain.form import (
    Consent,
    DeclarationForm,
    Departure,
    FormModel,
    Health,
    Place,
    Residence,
    Submitter,
    Transport,
    Trip,
    Ward,
)


def _cargo(value: str) -> str:
    cleaned = form_rules.address(value)
    if len(cleaned) < 2:
        form_rules.fail("cargo_length")
    return cleaned


Plate = Annotated[str, AfterValidator(form_rules.plate), Field(examples=["29C-123.45"]),
                  Documented(pattern=form_rules.plate_pattern)]
Cargo = Annotated[str, AfterValidator(_cargo), Field(examples=["Rau quả tươi"]),
                  Documented(type="string", format=patterns.PLAIN_TEXT,
                             pattern=patterns.plain_text_pattern, maxLength=200,
                             allOf=lambda: [{"pattern": patterns.two_visible()}])]
Permit = Annotated[str, AfterValidator(form_rules.permit), Field(examples=["GL-2025-000123"]),
                   Documented(pattern=form_rules.permit_pattern)]


class CrewEntry(FormModel):
    role: CrewRole = Field(examples=["driver"])
    person: Submitter
    residence: Residence
    health: Health = Field(default_factory=Health)


class VehicleForm(FormModel):
    """A green-lane vehicle declaration, sent before the vehicle leaves its depot."""

    plate: Plate
    vehicle_type: VehicleType = Field(examples=["truck"])
    cargo: Cargo
    permit_number: Permit
    origin_ward: Ward
    destination_ward: Ward
    depot: Place = Field(description="the depot the vehicle leaves from")
    departure_date: Departure = Field(examples=["2025-11-28"])
    crew: list[CrewEntry] = Field(min_length=1, max_length=5)
    consent: Consent

    @field_validator("departure_date")
    @classmethod
    def _within_window(cls, value: date, info: ValidationInfo) -> date:
        return form_rules.departure(value, form_rules.today_of(info))


def crew_form(vehicle: VehicleForm, entry: CrewEntry) -> DeclarationForm:
    """A crew member's own declaration, on the vehicle's trip."""
    trip = Trip.model_construct(
        origin_ward=vehicle.origin_ward, destination_ward=vehicle.destination_ward,
        departure_date=vehicle.departure_date,
        transport=Transport.model_construct(mode=TransportMode.truck, number=vehicle.plate,
                                            seat=None))
    return DeclarationForm.model_construct(person=entry.person, residence=entry.residence,
                                           trip=trip, health=entry.health, consent=True,
                                           dependants=[])


def vehicle_event(vehicle: VehicleForm, crew: list[tuple[CrewRole, Envelope[DeclarationSubmitted]]],
                  *, validity_hours: int, entered_by: str | None = None,
                  correlation_id: str | None = None) -> Envelope[VehicleDeclared]:
    payload = VehicleDeclared(
        vehicle_declaration_id=new_event_id(), plate=vehicle.plate,
        vehicle_type=vehicle.vehicle_type, cargo=vehicle.cargo,
        permit_number=vehicle.permit_number, origin_ward=vehicle.origin_ward,
        destination_ward=vehicle.destination_ward,
        depot=contract.Place.model_validate(vehicle.depot.model_dump()),
        departure_date=vehicle.departure_date,
        valid_until=valid_until(vehicle.departure_date, validity_hours),
        crew=[CrewMember(declaration_id=event.payload.declaration_id,
                         subject_id=event.payload.subject_id, role=role)
              for role, event in crew],
        entered_by=entered_by)
    return Envelope.wrap(payload, producer=PRODUCER, correlation_id=correlation_id)

