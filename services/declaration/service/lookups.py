"""Reading back: a declaration with its status now, its zones and a quarantine in force;
the declaration a QR code is drawn for; who looked at the person's data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from libs.contracts.vietnam_time import VN_TZ, vn_day
from services.declaration.domain.declarations import Status, status_at
from services.declaration.domain.errors import DeclarationNotFound
from services.declaration.domain.records import (
    Access,
    Declaration,
    QuarantineOrder,
    quarantine_in_force,
)
from services.declaration.service.ports import (
    AccessLog,
    DeclarationReader,
    QuarantineReader,
    ZoneLevels,
)

ENTRIES_LIMIT = 500  # an officer's entries listed for one day (a long night is ~300 forms)


@dataclass(frozen=True)
class DeclarationCard:
    """A declaration as its person (or an officer) reads it now."""

    declaration: Declaration
    status: Status  # as of now: expired once its validity ended
    levels: dict[str, int]  # of its origin and destination wards, those announced
    quarantine: QuarantineOrder | None  # the person's order in force today


class Lookups:
    def __init__(self, declarations: DeclarationReader, zones: ZoneLevels,
                 quarantines: QuarantineReader, accesses: AccessLog) -> None:
        self.declarations, self.zones = declarations, zones
        self.quarantines, self.access_log = quarantines, accesses

    async def stored(self, declaration_id: str) -> Declaration:
        found = await self.declarations.get(declaration_id)
        if found is None:
            raise DeclarationNotFound(declaration_id)
        return found

    async def card(self, declaration_id: str, now: datetime) -> DeclarationCard:
        declaration = await self.stored(declaration_id)
        trip = declaration.declared.trip
        levels = await self.zones.zone_levels([trip.origin_ward, trip.destination_ward])
        orders = await self.quarantines.orders_of(declaration.subject_id)
        return DeclarationCard(declaration,
                               status_at(declaration.status, declaration.valid_until, now),
                               levels, quarantine_in_force(orders, vn_day(now)))

    async def entered_by(self, officer: str, day: date, limit: int = ENTRIES_LIMIT
                         ) -> list[Declaration]:
        """The declarations an officer entered (typed in or imported) on a Viet Nam day,
        newest first: the officer's own list of the shift."""
        since = datetime.combine(day, time(), VN_TZ)
        return await self.declarations.entered_by(officer, since, since + timedelta(days=1),
                                                  limit)

    async def accesses(self, declaration_id: str) -> list[Access]:
        """Every trace query and reveal about the person of this declaration, newest first."""
        declaration = await self.stored(declaration_id)
        return await self.access_log.accesses_of(declaration.subject_id)
