"""Pure rules of a declaration: what is stored, what is published. No I/O here."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from libs.contracts.envelope import Envelope, new_event_id
from libs.contracts.events import declaration as contract
from libs.contracts.events.declaration import Channel, DeclarationSubmitted
from libs.contracts.values import passport_subject_id, subject_id_for
from libs.contracts.vietnam_time import VN_TZ
from services.declaration.domain.csv_rows import Manifest
from services.declaration.domain.form import DeclarationForm, PaperForm

PRODUCER = "declaration"
# Ids of officer-entered declarations are derived from what was declared, so a
# second upload of the same file (or a double click) lands on the same ids.
NATURAL_IDS = uuid.UUID("6b1f0d52-5a7e-4c59-9a55-1f3c0e6c2d10")
# Ids of a submit sent with an `Idempotency-Key` are derived from the key, so a
# retry whose first answer was lost lands on the same declarations, not new ones.
KEYED_IDS = uuid.UUID("0f3a2c8e-9b41-4d6f-8a7c-5e2b1d9c4f60")


class Status(StrEnum):
    pending = "pending"
    verified = "verified"
    rejected = "rejected"
    expired = "expired"


@dataclass(frozen=True)
class Traveller:
    person: contract.Person
    residence: contract.Residence
    health: contract.Health


def valid_until(departure_date: date, validity_hours: int) -> datetime:
    """Valid for `validity_hours` from the start of the departure day in Viet Nam."""
    start = datetime.combine(departure_date, time.min, tzinfo=VN_TZ)
    return (start + timedelta(hours=validity_hours)).astimezone(UTC)


def subject_of(secret: bytes, person: contract.Person) -> str:
    if person.national_id is not None:
        return subject_id_for(secret, person.national_id)
    # Foreigners have no national ID: the passport, scoped by nationality, stands in.
    assert person.passport is not None, "the contract requires one of the two"
    return passport_subject_id(secret, person.nationality, person.passport)


def travellers(form: DeclarationForm | PaperForm) -> list[Traveller]:
    """The submitter first, then each dependant (on the submitter's residence unless given)."""
    residence = contract.Residence.model_validate(form.residence.model_dump())
    people = [Traveller(contract.Person.model_validate(form.person.model_dump()), residence,
                        contract.Health.model_validate(form.health.model_dump()))]
    for dependant in form.dependants:
        own = dependant.residence
        people.append(Traveller(
            contract.Person.model_validate(dependant.person.model_dump()),
            contract.Residence.model_validate(own.model_dump()) if own else residence,
            contract.Health.model_validate(dependant.health.model_dump())))
    return people


def natural_id(subject_id: str, trip: contract.Trip) -> str:
    transport = trip.transport
    key = "|".join([subject_id, trip.departure_date.isoformat(), trip.origin_ward,
                    trip.destination_ward, transport.mode.value, transport.number or ""])
    return str(uuid.uuid5(NATURAL_IDS, key))


def keyed_id(idempotency_key: str, position: int) -> str:
    """The id of the `position`-th traveller of a submit sent with this key."""
    return str(uuid.uuid5(KEYED_IDS, f"{idempotency_key}|{position}"))


def request_fingerprint(form: DeclarationForm) -> str:
    """What a retry must repeat exactly to reuse an idempotency key (the validated
    form, so an NFD and an NFC spelling of one name are the same request)."""
    return hashlib.sha256(form.model_dump_json().encode()).hexdigest()


def submitted_events(form: DeclarationForm | PaperForm, *, channel: Channel, secret: bytes,
                     validity_hours: int, entered_by: str | None = None,
                     correlation_id: str | None = None, natural: bool = False,
                     idempotency_key: str | None = None) -> list[Envelope[DeclarationSubmitted]]:
    """One `declaration.submitted` per traveller. Ids are new, `natural` (derived from
    what was declared, for officer-entered forms) or derived from `idempotency_key`."""
    trip = contract.Trip.model_validate(form.trip.model_dump())
    until = valid_until(trip.departure_date, validity_hours)
    events = []
    for position, traveller in enumerate(travellers(form)):
        subject = subject_of(secret, traveller.person)
        if natural:
            declaration_id = natural_id(subject, trip)
        elif idempotency_key is not None:
            declaration_id = keyed_id(idempotency_key, position)
        else:
            declaration_id = new_event_id()
        payload = DeclarationSubmitted(
            declaration_id=declaration_id,
            subject_id=subject, channel=channel, person=traveller.person,
            residence=traveller.residence, trip=trip, health=traveller.health,
            valid_until=until, entered_by=entered_by)
        events.append(Envelope.wrap(payload, producer=PRODUCER, correlation_id=correlation_id))
    return events


def arrival_event(declared: Envelope[DeclarationSubmitted],
                  manifest: Manifest) -> Envelope[contract.ArrivalRegistered]:
    """The arrival a manifest row registers, beside the declaration it became."""
    p = declared.payload
    key = f"{manifest.mode}:{manifest.number}:{manifest.arrival_date}:{p.subject_id}"
    return Envelope.wrap(contract.ArrivalRegistered(
        arrival_id=hashlib.sha256(key.encode()).hexdigest()[:32],
        declaration_id=p.declaration_id, subject_id=p.subject_id,
        national_id=p.person.national_id, passport=p.person.passport,
        nationality=p.person.nationality, full_name=p.person.full_name,
        date_of_birth=p.person.date_of_birth, gender=p.person.gender,
        country_of_departure=manifest.country_of_departure,
        port_of_departure=manifest.port_of_departure, arrival_date=manifest.arrival_date,
        transport=p.trip.transport, entry_ward=manifest.entry_ward,
        destination_ward=p.trip.destination_ward),
        producer=PRODUCER, correlation_id=declared.correlation_id, causation_id=declared.event_id)


def status_at(stored: Status, valid_until_at: datetime, now: datetime) -> Status:
    """Expiry is derived at read time, so no job has to flip documents to `expired`."""
    return Status.expired if stored != Status.rejected and now >= valid_until_at else stored

