"""Who may see whom, and what a reveal shows (pure rules; service/revealing.py runs them).

Other services know people only by subject id. This service holds the declarations,
so it alone answers "who is this?", and only to staff responsible for that person:

- a ward official, for people notified to one of their wards (arriving, departing,
  passed a checkpoint there, an alert), quarantined or followed up there, within the
  retention window;
- an epidemiologist, for a confirmed case, the contacts proposed with a case, or a
  person under a quarantine order, within the retention window;
- an officer, for the traveller whose QR code they scanned in the last minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from libs.contracts.events.declaration import DeclarationSubmitted, Place
from libs.contracts.wards import ward_names
from libs.runtime.auth import Principal, Role
from services.declaration.domain.records import Grant, GrantKey, GrantKind


@dataclass(frozen=True)
class Windows:
    responsibility: timedelta  # wards and epidemiologists: the retention window
    scan: timedelta  # officers: minutes after the scan


def candidate_grants(who: Principal, subject_id: str) -> list[GrantKey]:
    """The grants that would let this caller see this person."""
    if who.role == Role.ward_official:
        return [GrantKey(subject_id, GrantKind.ward, ward) for ward in who.scope]
    if who.role == Role.officer:
        return [GrantKey(subject_id, GrantKind.officer, who.subject)]
    if who.role == Role.epidemiologist:
        return [GrantKey(subject_id, GrantKind.epidemiology)]
    return []


def usable(grant: Grant, windows: Windows, now: datetime) -> bool:
    window = windows.scan if grant.key.kind == GrantKind.officer else windows.responsibility
    return now - grant.last_at <= window


def latest_declaration(grants: list[Grant]) -> str | None:
    """The declaration named by the latest of these grants that names one."""
    named = [g for g in grants if g.declaration_id]
    return max(named, key=lambda g: g.last_at).declaration_id if named else None


def grounds(grants: list[Grant]) -> str:
    return "; ".join(sorted({g.grounds for g in grants}))


@dataclass(frozen=True)
class PlaceNames:
    ward_code: str
    ward_name: str
    province_name: str
    address: str


@dataclass(frozen=True, kw_only=True)
class PersonDetails:
    """What a reveal shows: who the person is and how to reach them, nothing about health."""

    full_name: str
    date_of_birth: date
    gender: str | None
    phone: str | None
    email: str | None
    residence: dict[str, PlaceNames | None]


def place(part: Place | None) -> PlaceNames | None:
    if part is None:
        return None
    ward, province = ward_names(part.ward_code)
    return PlaceNames(part.ward_code, ward, province, part.address)


def person_details(declared: DeclarationSubmitted) -> PersonDetails:
    person, residence = declared.person, declared.residence
    return PersonDetails(
        full_name=person.full_name, date_of_birth=person.date_of_birth,
        gender=person.gender.value, phone=person.phone,
        email=person.email,
        residence={"permanent": place(residence.permanent),
                   "temporary": place(residence.temporary), "current": place(residence.current)})
