"""Event handlers of the checkpoint service: its views of other services' facts.

Every handler is idempotent and order-independent: a redelivery writes the same
fields again; an identity verdict may come before its declaration (the verdict
creates the document, the declaration fills it in); a later verdict wins by its
order key; a quarantine release may come before its order.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from faststream.kafka import KafkaBroker

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import DeclarationSubmitted, VehicleDeclared
from libs.contracts.events.identity import IdentityRejected, IdentityVerified
from libs.contracts.events.notification import ZoneLevelChanged
from libs.contracts.events.trace import QuarantineOrdered, QuarantineReleased
from libs.contracts.vietnam_time import VN_TZ
from libs.runtime.subscription import subscribe_all
from services.checkpoint import projection
from services.checkpoint.settings import Settings
from services.checkpoint.store_views import ViewStore


def register(broker: KafkaBroker, settings: Settings, views: ViewStore) -> None:
    secret = settings.subject_secret_bytes

    async def on_declaration(event: Envelope[Any]) -> None:
        """declaration.submitted: the masked declaration a scan shows."""
        await views.put_declaration(event.payload.declaration_id,
                                    projection.declaration_fields(event, secret))

    async def on_verified(event: Envelope[Any]) -> None:
        """identity.verified: the declaration's identity is confirmed."""
        await _verdict(views, event, "verified", [])

    async def on_rejected(event: Envelope[Any]) -> None:
        """identity.rejected: not confirmed, with the registry's reasons."""
        await _verdict(views, event, "rejected", [r.value for r in event.payload.reasons])

    async def on_zone(event: Envelope[Any]) -> None:
        """zone.level_changed: the level of a ward from a time on."""
        p = event.payload
        await views.add_zone_change(p.ward_code, projection.zone_change(event))

    async def on_quarantine(event: Envelope[Any]) -> None:
        """quarantine.ordered: the person is refused while it lasts."""
        p = event.payload
        await views.put_quarantine(p.subject_id, p.quarantine_id, projection.quarantine_ordered(p),
                                   datetime.combine(p.end, time(0), VN_TZ))

    async def on_release(event: Envelope[Any]) -> None:
        """quarantine.released: the quarantine no longer counts."""
        p = event.payload
        await views.put_quarantine(p.subject_id, p.quarantine_id,
                                   projection.quarantine_released(p), p.at)

    async def on_vehicle(event: Envelope[Any]) -> None:
        """vehicle.declared: a green-lane vehicle and its crew, checked at the depot."""
        await views.put_vehicle(event.payload.vehicle_declaration_id,
                                projection.vehicle_fields(event))

    subscribe_all(broker, settings, {
        DeclarationSubmitted: on_declaration, IdentityVerified: on_verified,
        IdentityRejected: on_rejected, ZoneLevelChanged: on_zone,
        QuarantineOrdered: on_quarantine, QuarantineReleased: on_release,
        VehicleDeclared: on_vehicle})


async def _verdict(views: ViewStore, event: Envelope[Any], verdict: str,
                   reasons: list[str]) -> None:
    await views.put_verdict(event.payload.declaration_id,
                            projection.verdict(event, verdict, reasons))
