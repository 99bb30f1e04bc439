"""Pure rules of a declaration: what is stored, what is published. No I/O here."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from libs.contracts.envelope import Envelope, new_event_id
from libs.contracts.events.declaration import (
    Channel,
    DeclarationSubmitted,
    Health,
    Person,
    Residence,
    Trip,
)
from libs.contracts.values import subject_id_for

PRODUCER = "declaration"


class Status(StrEnum):
    pending = "pending"
    verified = "verified"
    rejected = "rejected"
    expired = "expired"


class DeclarationForm(BaseModel):
    """What a citizen (or an officer, for a paper form) fills in."""

    model_config = ConfigDict(extra="forbid")

    person: Person
    residence: Residence
    trip: Trip
    health: Health = Field(default_factory=Health)
    consent: bool = Field(description="consent to the use of the data for epidemic control")


def valid_until(trip: Trip, validity_hours: int) -> datetime:
    """A declaration is valid for `validity_hours` from the start of the departure day (UTC)."""
    start = datetime.combine(trip.departure_date, time.min, tzinfo=UTC)
    return start + timedelta(hours=validity_hours)


def submitted_event(form: DeclarationForm, *, channel: Channel, secret: bytes,
                    validity_hours: int, entered_by: str | None = None,
                    correlation_id: str | None = None) -> Envelope[DeclarationSubmitted]:
    payload = DeclarationSubmitted(
        declaration_id=new_event_id(),
        subject_id=subject_id_for(secret, form.person.national_id),
        channel=channel,
        person=form.person,
        residence=form.residence,
        trip=form.trip,
        health=form.health,
        valid_until=valid_until(form.trip, validity_hours),
        entered_by=entered_by,
    )
    return Envelope.wrap(payload, producer=PRODUCER, correlation_id=correlation_id)


def status_at(stored: Status, valid_until_at: datetime, now: datetime) -> Status:
    """Expiry is derived at read time, so no job has to flip documents to `expired`."""
    return Status.expired if stored != Status.rejected and now >= valid_until_at else stored
