"""Green-lane vehicles: declared with their crew before leaving the depot, and read back
with the status of each crew member's own declaration."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import (
    Channel,
    CrewRole,
    DeclarationSubmitted,
    VehicleDeclared,
)
from libs.runtime.logs import correlation_id, log_fields
from services.declaration.domain.declarations import Status, status_at, submitted_events
from services.declaration.domain.errors import VehicleNotFound
from services.declaration.domain.records import Vehicle
from services.declaration.domain.vehicles import VehicleForm, crew_form, vehicle_event
from services.declaration.service.ports import Declarations, Outbox, Vehicles
from services.declaration.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeclaredVehicle:
    event: Envelope[VehicleDeclared]
    crew: list[tuple[CrewRole, Envelope[DeclarationSubmitted]]]


@dataclass(frozen=True)
class VehicleCard:
    vehicle: Vehicle
    crew: dict[str, Status]  # by declaration id, as of now; those stored


class GreenLane:
    def __init__(self, declarations: Declarations, vehicles: Vehicles,
                 declarations_relay: Outbox, vehicles_relay: Outbox, settings: Settings) -> None:
        self.declarations, self.vehicles = declarations, vehicles
        self.declarations_relay, self.vehicles_relay = declarations_relay, vehicles_relay
        self.settings = settings

    async def declare(self, form: VehicleForm, entered_by: str | None = None) -> DeclaredVehicle:
        """Each crew member gets a declaration of their own, on the vehicle's trip;
        `entered_by`: the officer who entered it, recorded on the vehicle and its crew."""
        crew = []
        for entry in form.crew:
            [crew_event] = submitted_events(
                crew_form(form, entry), channel=Channel.web, correlation_id=correlation_id.get(),
                secret=self.settings.subject_secret_bytes,
                validity_hours=self.settings.validity_hours, entered_by=entered_by)
            crew.append((entry.role, crew_event))
        event = vehicle_event(form, crew, validity_hours=self.settings.validity_hours,
                              entered_by=entered_by, correlation_id=correlation_id.get())
        # Crew first: a vehicle never names a declaration that is not stored.
        await self.declarations.add([e for _, e in crew])
        await self.vehicles.add_vehicle(event)
        self.declarations_relay.wake(*(e.payload.declaration_id for _, e in crew))
        self.vehicles_relay.wake(event.payload.vehicle_declaration_id)
        if entered_by:
            log.info("vehicle entered", extra=log_fields(
                by=entered_by, vehicle=event.payload.vehicle_declaration_id,
                crew=[e.payload.declaration_id for _, e in crew]))
        return DeclaredVehicle(event, crew)

    async def stored(self, vehicle_id: str) -> Vehicle:
        found = await self.vehicles.get_vehicle(vehicle_id)
        if found is None:
            raise VehicleNotFound(vehicle_id)
        return found

    async def card(self, vehicle_id: str, now: datetime) -> VehicleCard:
        vehicle = await self.stored(vehicle_id)
        standings = await self.declarations.statuses(
            [member.declaration_id for member in vehicle.declared.crew])
        return VehicleCard(vehicle, {declaration_id: status_at(s.status, s.valid_until, now)
                                     for declaration_id, s in standings.items()})
