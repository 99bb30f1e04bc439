"""Residents and declarations for the identity-verification tests."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord

from libs.contracts.envelope import Envelope
from libs.contracts.events.declaration import DeclarationSubmitted
from libs.contracts.topics import (
    IDENTITY_REJECTED,
    IDENTITY_VERIFIED,
    Topics,
)
from libs.contracts.values import subject_id_for
from libs.runtime.settings import DEV_SUBJECT_SECRET
from synthetic.population.generator import PopulationGenerator
from tests.support.samples import declaration_form


def population(count: int, seed: int = 11) -> list[dict[str, str]]:
    return list(PopulationGenerator(seed).residents(count))


def declaration(resident: dict[str, Any], declaration_id: str, **person: Any
                ) -> Envelope[DeclarationSubmitted]:
    """A declaration.submitted of `resident`, with any person field overridden."""
    facts = {"national_id": resident["national_id"], "full_name": resident["full_name"],
             "date_of_birth": resident["date_of_birth"], "gender": resident["gender"], **person}
    form = declaration_form(facts["national_id"])
    form["person"].update(facts)
    payload = DeclarationSubmitted(
        declaration_id=declaration_id,
        subject_id=subject_id_for(DEV_SUBJECT_SECRET.encode(), facts["national_id"]),
        channel="web", person=form["person"], residence=form["residence"], trip=form["trip"],
        health=form["health"], valid_until=datetime.now(UTC) + timedelta(days=3))
    return Envelope.wrap(payload, producer="test")


def shifted(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()



async def read_verdicts(bootstrap: str, topics: Topics, expected: int, *, timeout_s: float = 30,
                        settle_s: float = 0.0) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of identity.verified and identity.rejected, once `expected` arrived,
    reading `settle_s` longer to catch duplicates."""
    consumer = AIOKafkaConsumer(topics(IDENTITY_VERIFIED), topics(IDENTITY_REJECTED),
                                bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False, group_id=None)
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for part in (await consumer.getmany(timeout_ms=200)).values():
                records.extend(part)
            if len(records) >= expected:
                deadline = min(deadline, time.monotonic() + settle_s)
                if settle_s == 0:
                    break
    finally:
        await consumer.stop()
    return records
