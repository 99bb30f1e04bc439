"""What a scan shows: the person or vehicle, read from this service's views."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

from libs.contracts.vietnam_time import vn_day
from libs.runtime.mongo import Document
from services.checkpoint import domain, greenlane
from services.checkpoint.domain import PersonFacts, Reason
from services.checkpoint.schemas import (
    CrewMember,
    EarlierRefusal,
    Person,
    Quarantine,
    ReasonOut,
    Trip,
    Vehicle,
    Zone,
)
from services.checkpoint.store_views import ViewStore
from services.checkpoint.units import ward_name


class Facts:
    def __init__(self, views: ViewStore, refusals_shown: int, zone_cache_s: float = 5.0) -> None:
        self.views, self.refusals_shown, self.zone_cache_s = views, refusals_shown, zone_cache_s
        # Zone levels change a few times a day and every scan reads two: keep them briefly.
        self._zones: dict[str, tuple[float, list[Document]]] = {}

    async def zone(self, ward_code: str, now: datetime) -> Zone:
        cached = self._zones.get(ward_code)
        if cached is None or cached[0] <= time.monotonic():
            cached = (time.monotonic() + self.zone_cache_s,
                      await self.views.zone_changes_of(ward_code))
            self._zones[ward_code] = cached
        name, province = ward_name(ward_code)
        return Zone(ward_code=ward_code, ward_name=name, province_name=province,
                    level=domain.level_at(cached[1], now))

    async def standing(self, subject_id: str, now: datetime
                       ) -> tuple[Quarantine | None, list[Document]]:
        """(quarantine in force, the latest refusals) of one person."""
        orders, refusals = await self.views.person(subject_id)
        found = domain.active_quarantine(orders, vn_day(now))
        return (Quarantine(until=found[0], place=found[1]) if found else None,
                refusals[:self.refusals_shown])

    async def quarantine(self, subject_id: str, now: datetime) -> Quarantine | None:
        return (await self.standing(subject_id, now))[0]

    async def person(self, doc: Document, now: datetime) -> tuple[Person, list[Reason]]:
        origin, destination, (quarantine, refusals) = await asyncio.gather(
            self.zone(doc["origin_ward"], now), self.zone(doc["destination_ward"], now),
            self.standing(doc["subject_id"], now))
        status = domain.status_at(doc.get("verdict", "pending"), doc["valid_until"], now)
        person = Person(
            declaration_id=doc["_id"], masked_name=doc["masked_name"],
            masked_document=doc["masked_document"], status=status,
            rejection_reasons=doc.get("rejection_reasons", []), channel=doc["channel"],
            valid_until=doc["valid_until"],
            trip=Trip(origin=origin, destination=destination,
                      departure_date=doc["departure_date"],
                      transport_mode=doc["transport_mode"],
                      transport_number=doc.get("transport_number")),
            symptoms=doc["symptoms"], exposures=doc["exposures"],
            vaccination_doses=doc.get("vaccination_doses", 0), quarantine=quarantine,
            earlier_refusals=[EarlierRefusal(at=r["at"], checkpoint_id=r["checkpoint_id"],
                                             reason=r.get("reason")) for r in refusals])
        reasons = domain.person_reasons(PersonFacts(
            status=status, rejection_reasons=person.rejection_reasons, symptoms=person.symptoms,
            exposures=person.exposures, origin_level=origin.level,
            quarantined_until=quarantine.until if quarantine else None,
            earlier_refusals=len(refusals)))
        return person, reasons

    async def crew(self, vehicle: Document, now: datetime) -> list[greenlane.CrewCheck]:
        crew = vehicle["crew"]
        docs = await self.views.declarations_by_ids([c["declaration_id"] for c in crew])
        quarantines = await asyncio.gather(*(self.quarantine(c["subject_id"], now)
                                             for c in crew))
        members = []
        for member, quarantine in zip(crew, quarantines, strict=True):
            doc = docs.get(member["declaration_id"])
            members.append(greenlane.CrewFacts(
                declaration_id=member["declaration_id"], subject_id=member["subject_id"],
                role=member["role"], masked_name=doc["masked_name"] if doc else None,
                status=domain.status_at(doc.get("verdict", "pending"), doc["valid_until"], now)
                if doc else None,
                quarantined_until=quarantine.until if quarantine else None))
        return greenlane.check_crew(members)

    async def vehicle(self, doc: Document, now: datetime
                      ) -> tuple[Vehicle, list[Reason], list[greenlane.CrewCheck]]:
        checks, depot, destination = await asyncio.gather(
            self.crew(doc, now), self.zone(doc["depot_ward"], now),
            self.zone(doc["destination_ward"], now))
        vehicle = Vehicle(
            vehicle_declaration_id=doc["_id"], plate=doc["plate"],
            vehicle_type=doc["vehicle_type"], cargo=doc["cargo"],
            permit_number=doc["permit_number"], depot=depot, destination=destination,
            departure_date=doc["departure_date"], valid_until=doc["valid_until"],
            crew=[CrewMember(role=c.member.role, declaration_id=c.member.declaration_id,
                             masked_name=c.member.masked_name, status=c.member.status,
                             cleared=c.ok, failures=[ReasonOut.of(f) for f in c.failures])
                  for c in checks])
        return vehicle, greenlane.vehicle_reasons(doc["valid_until"], now, checks), checks
