"""What a scan shows: the person or vehicle, read from this service's views, with the
reasons that bear on letting them pass."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

from libs.contracts.vietnam_time import vn_day
from libs.contracts.wards import Zone, zone
from services.checkpoint.domain import greenlane, recommendation
from services.checkpoint.domain.recommendation import PersonFacts, Reason
from services.checkpoint.domain.records import (
    Declaration,
    Refusal,
    VehicleDeclaration,
    ZoneChange,
)
from services.checkpoint.domain.scan_answer import (
    CrewMember,
    EarlierRefusal,
    Person,
    Quarantine,
    ReasonOut,
    Trip,
    Vehicle,
)
from services.checkpoint.service.ports import Views


class ScanDetails:
    def __init__(self, views: Views, refusals_shown: int, zone_cache_s: float = 5.0) -> None:
        self.views, self.refusals_shown, self.zone_cache_s = views, refusals_shown, zone_cache_s
        # Zone levels change a few times a day and every scan reads two: keep them briefly.
        self._zones: dict[str, tuple[float, list[ZoneChange]]] = {}

    async def zone(self, ward_code: str, now: datetime) -> Zone:
        cached = self._zones.get(ward_code)
        if cached is None or cached[0] <= time.monotonic():
            cached = (time.monotonic() + self.zone_cache_s,
                      await self.views.zone_changes_of(ward_code))
            self._zones[ward_code] = cached
        return zone(ward_code, recommendation.level_at(cached[1], now))

    async def standing(self, subject_id: str, now: datetime
                       ) -> tuple[Quarantine | None, list[Refusal]]:
        """(quarantine in force, the latest refusals) of one person."""
        standing = await self.views.standing(subject_id)
        found = recommendation.active_quarantine(standing.quarantines, vn_day(now))
        return (Quarantine(until=found[0], place=found[1]) if found else None,
                standing.refusals[:self.refusals_shown])

    async def quarantine(self, subject_id: str, now: datetime) -> Quarantine | None:
        return (await self.standing(subject_id, now))[0]

    async def person(self, declaration: Declaration, now: datetime
                     ) -> tuple[Person, list[Reason]]:
        d = declaration
        origin, destination, (quarantine, refusals) = await asyncio.gather(
            self.zone(d.origin_ward, now), self.zone(d.destination_ward, now),
            self.standing(d.subject_id, now))
        status = recommendation.status_at(d.verdict, d.valid_until, now)
        person = Person(
            declaration_id=d.declaration_id, masked_name=d.masked_name,
            masked_document=d.masked_document, status=status,
            rejection_reasons=d.rejection_reasons, channel=d.channel, valid_until=d.valid_until,
            trip=Trip(origin=origin, destination=destination, departure_date=d.departure_date,
                      transport_mode=d.transport_mode, transport_number=d.transport_number),
            symptoms=d.symptoms, exposures=d.exposures, vaccination_doses=d.vaccination_doses,
            quarantine=quarantine,
            earlier_refusals=[EarlierRefusal(at=r.at, checkpoint_id=r.checkpoint_id,
                                             reason=r.reason) for r in refusals])
        reasons = recommendation.person_reasons(PersonFacts(
            status=status, rejection_reasons=person.rejection_reasons, symptoms=person.symptoms,
            exposures=person.exposures, origin_level=origin.level,
            quarantined_until=quarantine.until if quarantine else None,
            earlier_refusals=len(refusals)))
        return person, reasons

    async def crew(self, vehicle: VehicleDeclaration, now: datetime
                   ) -> list[greenlane.CrewCheck]:
        crew = vehicle.crew
        declarations = await self.views.declarations_by_ids([c.declaration_id for c in crew])
        quarantines = await asyncio.gather(*(self.quarantine(c.subject_id, now) for c in crew))
        members = []
        for member, quarantine in zip(crew, quarantines, strict=True):
            found = declarations.get(member.declaration_id)
            members.append(greenlane.CrewFacts(
                declaration_id=member.declaration_id, subject_id=member.subject_id,
                role=member.role, masked_name=found.masked_name if found else None,
                status=recommendation.status_at(found.verdict, found.valid_until, now)
                if found else None,
                quarantined_until=quarantine.until if quarantine else None))
        return greenlane.check_crew(members)

    async def vehicle(self, found: VehicleDeclaration, now: datetime
                      ) -> tuple[Vehicle, list[Reason], list[greenlane.CrewCheck]]:
        checks, depot, destination = await asyncio.gather(
            self.crew(found, now), self.zone(found.depot_ward, now),
            self.zone(found.destination_ward, now))
        vehicle = Vehicle(
            vehicle_declaration_id=found.vehicle_declaration_id, plate=found.plate,
            vehicle_type=found.vehicle_type, cargo=found.cargo,
            permit_number=found.permit_number, depot=depot, destination=destination,
            departure_date=found.departure_date, valid_until=found.valid_until,
            crew=[CrewMember(role=c.member.role, declaration_id=c.member.declaration_id,
                             masked_name=c.member.masked_name, status=c.member.status,
                             cleared=c.ok, failures=[ReasonOut.of(f) for f in c.failures])
                  for c in checks])
        return vehicle, greenlane.vehicle_reasons(found.valid_until, now, checks), checks
