"""The typed records that cross from the stores to the use cases and the routes.

The stores turn each of them into their documents and back (`store/`); nothing else
sees a document, so a field renamed in a store fails in mypy, not at run time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from libs.contracts.events.declaration import DeclarationSubmitted, VehicleDeclared
from libs.contracts.quarantine import under_quarantine
from services.declaration.domain.declarations import Status


@dataclass(frozen=True, kw_only=True)
class Declaration:
    """A stored declaration: what was declared (as published) and its identity verdict."""

    declared: DeclarationSubmitted
    submitted_at: datetime
    status: Status = Status.pending  # as stored: expiry is derived when read (status_at)
    reasons: list[str] = field(default_factory=list)
    language: str | None = None  # the page's; messages to the person are written in it
    submitted_with: str | None = None  # a dependant's: the submitter's declaration

    @property
    def declaration_id(self) -> str:
        return self.declared.declaration_id

    @property
    def subject_id(self) -> str:
        return self.declared.subject_id

    @property
    def valid_until(self) -> datetime:
        return self.declared.valid_until


@dataclass(frozen=True)
class Standing:
    """The stored status of a declaration and the end of its validity (a crew member's)."""

    status: Status
    valid_until: datetime


@dataclass(frozen=True)
class Vehicle:
    """A stored green-lane vehicle declaration."""

    declared: VehicleDeclared
    submitted_at: datetime


def order_ref(quarantine_id: str) -> str:
    """A quarantine order's short, stable name (what a daily reminder is keyed by)."""
    return hashlib.sha256(quarantine_id.encode()).hexdigest()[:24]


@dataclass(frozen=True, kw_only=True)
class QuarantineOrder:
    """A quarantine of a person as this service has heard of it: its order and its release
    meet in either order, so either half may be missing."""

    ref: str
    start: date | None = None
    end: date | None = None  # the first day free again
    place: str | None = None
    reason: str | None = None
    released_on: date | None = None

    def in_force(self, today: date) -> bool:
        if self.start is None or self.end is None:
            return False  # a release whose order has not arrived
        return under_quarantine(self.start, self.end, self.released_on, today)


@dataclass(frozen=True)
class Quarantined:
    """A person with an order not over by some day, and all their orders."""

    subject_id: str
    orders: list[QuarantineOrder]


class GrantKind(StrEnum):
    """Who a grant makes responsible for a person."""

    ward = "ward"
    officer = "officer"
    epidemiology = "epidemiology"


@dataclass(frozen=True)
class GrantKey:
    """One grant per person, kind and holder (a ward code, an officer; none for epidemiology)."""

    subject_id: str
    kind: GrantKind
    holder: str = ""


@dataclass(frozen=True, kw_only=True)
class Grant:
    """What lets a staff member see who a person is: the latest event that made them
    responsible for that person."""

    key: GrantKey
    last_at: datetime
    grounds: str
    declaration_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class Access:
    """A trace query or a reveal about a person, as that person sees it."""

    kind: Literal["trace", "reveal"]
    role: str
    unit: str | None
    purpose: str
    at: datetime


def quarantine_in_force(orders: list[QuarantineOrder], today: date) -> QuarantineOrder | None:
    """The order in force today, the longest if several; one whose release came first never
    is."""
    active = [order for order in orders if order.in_force(today)]
    return max(active, key=lambda order: order.end or today) if active else None
