"""The batch consumer of `declaration.submitted`.

Declarations are taken from Kafka in batches (up to `batch_max_records`) so that
one registry round and one insert serve many of them. The shared
`subscribe_batches` dead-letters poison records one by one, retries the whole
batch through an outage, falls back to one declaration at a time when a batch
fails otherwise, and commits offsets only after the batch is stored.
"""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import ArrivalRegistered, DeclarationSubmitted
from libs.runtime.subscription import subscribe_batches
from services.identity_verification.service.verifying import Verifier
from services.identity_verification.settings import Settings


def register(broker: KafkaBroker, settings: Settings, verifier: Verifier) -> None:
    async def on_events(events: list[Envelope[Any]]) -> None:
        """Arrivals first (a manifest's passengers verify against them), then each
        declaration against the population registry or the registered arrivals."""
        arrivals = [e for e in events if isinstance(e.payload, ArrivalRegistered)]
        if arrivals:
            await verifier.arrivals_registered(arrivals)
        declarations = [e for e in events if isinstance(e.payload, DeclarationSubmitted)]
        if declarations:
            await verifier.verify_batch(declarations)

    subscribe_batches(broker, settings, [DeclarationSubmitted, ArrivalRegistered], on_events,
                      max_records=settings.batch_max_records,
                      timeout_ms=settings.batch_timeout_ms)
