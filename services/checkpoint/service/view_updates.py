"""Keeping this service's views of other services' facts (what consumers.py calls).

Every update is idempotent and order-independent: a redelivery writes the same
fields again; an identity verdict may come before its declaration (the verdict
creates the document, the declaration fills it in); a later verdict wins by its
order key; a quarantine release may come before its order.
"""

from __future__ import annotations

from datetime import datetime, time

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import DeclarationSubmitted, VehicleDeclared
from libs.contracts.events.identity import IdentityRejected, IdentityVerified
from libs.contracts.events.notification import ZoneLevelChanged
from libs.contracts.events.trace import QuarantineOrdered, QuarantineReleased
from libs.contracts.vietnam_time import VN_TZ
from services.checkpoint.domain import projection
from services.checkpoint.service.ports import Views


class ViewUpdates:
    def __init__(self, views: Views, secret: bytes) -> None:
        self.views, self.secret = views, secret

    async def declaration_submitted(self, event: Envelope[DeclarationSubmitted]) -> None:
        """The masked declaration a scan shows."""
        await self.views.put_declaration(projection.declaration(event, self.secret))

    async def identity_decided(self, event: Envelope[IdentityVerified]
                               | Envelope[IdentityRejected]) -> None:
        """The declaration's identity confirmed, or not (with the registry's reasons)."""
        await self.views.put_verdict(projection.verdict(event))

    async def zone_level_changed(self, event: Envelope[ZoneLevelChanged]) -> None:
        """The level of a ward from a time on."""
        await self.views.add_zone_change(event.payload.ward_code, projection.zone_change(event))

    async def quarantine_ordered(self, event: Envelope[QuarantineOrdered]) -> None:
        """The person is refused while it lasts; it matters until its last day is over."""
        p = event.payload
        await self.views.put_quarantine_order(p.subject_id, projection.quarantine_order(p),
                                              datetime.combine(p.end, time(0), VN_TZ))

    async def quarantine_released(self, event: Envelope[QuarantineReleased]) -> None:
        """The quarantine no longer counts."""
        p = event.payload
        await self.views.put_quarantine_release(p.subject_id, projection.quarantine_release(p),
                                                p.at)

    async def vehicle_declared(self, event: Envelope[VehicleDeclared]) -> None:
        """A green-lane vehicle and its crew, checked at the depot."""
        await self.views.put_vehicle(projection.vehicle(event))
