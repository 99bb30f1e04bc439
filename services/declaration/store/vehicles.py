"""Green-lane vehicle declarations: one document per vehicle, with its outbox."""

from __future__ import annotations

from datetime import datetime

from pymongo.asynchronous.database import AsyncDatabase

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import VehicleDeclared
from libs.runtime.mongo import Document
from libs.runtime.outbox import create_outbox_index, new_outbox, outbox_entry
from libs.runtime.retention import day_of, purge_by_day
from services.declaration.domain.records import Vehicle


class VehicleStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.vehicles = db["vehicles"]

    async def create_indexes(self) -> None:
        await create_outbox_index(self.vehicles)
        await self.vehicles.create_index("day")

    async def add_vehicle(self, event: Envelope[VehicleDeclared]) -> None:
        p = event.payload
        await self.vehicles.insert_one({
            "_id": p.vehicle_declaration_id,
            "plate": p.plate,
            "submitted_at": event.occurred_at,
            "valid_until": p.valid_until,
            "day": day_of(p.valid_until),  # its retention runs from the end of its validity
            "vehicle": p.model_dump(mode="json"),
            **new_outbox(outbox_entry(event, key=p.plate)),
        })

    async def get_vehicle(self, vehicle_id: str) -> Vehicle | None:
        doc = await self.vehicles.find_one({"_id": vehicle_id}, {"outbox": 0})
        if doc is None:
            return None
        return Vehicle(VehicleDeclared.model_validate(doc["vehicle"]), doc["submitted_at"])

    async def purge(self, cutoff: datetime) -> int:
        """Vehicles whose validity ended before `cutoff`."""
        return len(await purge_by_day(self.vehicles, "valid_until", cutoff))
