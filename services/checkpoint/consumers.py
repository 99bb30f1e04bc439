"""Event handlers of the checkpoint service: its views of other services' facts.

Each handler decodes its event and calls one update of service/view_updates.py,
where idempotence and order-independence are explained.
"""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import DeclarationSubmitted, VehicleDeclared
from libs.contracts.events.identity import IdentityRejected, IdentityVerified
from libs.contracts.events.notification import ZoneLevelChanged
from libs.contracts.events.trace import QuarantineOrdered, QuarantineReleased
from libs.runtime.subscription import subscribe_all
from services.checkpoint.service.view_updates import ViewUpdates
from services.checkpoint.settings import Settings


def register(broker: KafkaBroker, settings: Settings, updates: ViewUpdates) -> None:
    async def on_declaration(event: Envelope[DeclarationSubmitted]) -> None:
        """declaration.submitted: the masked declaration a scan shows."""
        await updates.declaration_submitted(event)

    async def on_verified(event: Envelope[IdentityVerified]) -> None:
        """identity.verified: the declaration's identity is confirmed."""
        await updates.identity_decided(event)

    async def on_rejected(event: Envelope[IdentityRejected]) -> None:
        """identity.rejected: not confirmed, with the registry's reasons."""
        await updates.identity_decided(event)

    async def on_zone(event: Envelope[ZoneLevelChanged]) -> None:
        """zone.level_changed: the level of a ward from a time on."""
        await updates.zone_level_changed(event)

    async def on_quarantine(event: Envelope[QuarantineOrdered]) -> None:
        """quarantine.ordered: the person is refused while it lasts."""
        await updates.quarantine_ordered(event)

    async def on_release(event: Envelope[QuarantineReleased]) -> None:
        """quarantine.released: the quarantine no longer counts."""
        await updates.quarantine_released(event)

    async def on_vehicle(event: Envelope[VehicleDeclared]) -> None:
        """vehicle.declared: a green-lane vehicle and its crew, checked at the depot."""
        await updates.vehicle_declared(event)

    subscribe_all(broker, settings, {
        DeclarationSubmitted: on_declaration, IdentityVerified: on_verified,
        IdentityRejected: on_rejected, ZoneLevelChanged: on_zone,
        QuarantineOrdered: on_quarantine, QuarantineReleased: on_release,
        VehicleDeclared: on_vehicle})
