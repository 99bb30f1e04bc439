"""Venue stays (pure): check-in, check-out, automatic and move-on check-outs.

One person has at most one open stay. Checking in somewhere closes the open
stay at the time of the new check-in (or earlier, when the stay had already
run out); a stay nobody checks out of ends `venue_stay_max_s` after it began.
Contact tracing compares these stays, so every stay gets exactly one
check-out: its id is derived from the stay, whoever closes it first wins.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from libs.contracts.events.checkpoint import CheckpointKind

VENUE_KINDS = frozenset({CheckpointKind.supermarket, CheckpointKind.market,
                         CheckpointKind.bus_station, CheckpointKind.railway_station,
                         CheckpointKind.port, CheckpointKind.airport, CheckpointKind.venue})
_CHECKOUTS = uuid.UUID("3c7f4b8e-2d7a-4e57-9a43-6a1d7b0c9e21")
AUTO_CHECKOUT = "system:auto-checkout"
MOVE_ON_CHECKOUT = "system:move-on"


def is_venue(kind: str) -> bool:
    return kind in VENUE_KINDS


def checkout_id(stay_id: str) -> str:
    """The one check-out a stay can get (automatic or move-on), whoever writes it first."""
    return str(uuid.uuid5(_CHECKOUTS, stay_id))


@dataclass(frozen=True)
class Stay:
    stay_id: str  # the id of the check-in passage
    subject_id: str
    declaration_id: str
    checkpoint_id: str
    since: datetime
    due_at: datetime


def new_stay(stay_id: str, subject_id: str, declaration_id: str, checkpoint_id: str,
             since: datetime, max_stay: timedelta) -> Stay:
    return Stay(stay_id, subject_id, declaration_id, checkpoint_id, since, since + max_stay)


@dataclass(frozen=True)
class CheckInPlan:
    close_existing_at: datetime | None = None  # the open stay ends then (move-on)
    open_new: bool = False  # the new stay becomes the open one
    close_new_at: datetime | None = None  # the new stay (a late, offline check-in) ended then


def plan_check_in(existing: Stay | None, new: Stay) -> CheckInPlan:
    if existing is None:
        return CheckInPlan(open_new=True)
    if existing.stay_id == new.stay_id:
        return CheckInPlan()  # the same check-in again: a retry
    if existing.since <= new.since:
        return CheckInPlan(close_existing_at=min(new.since, existing.due_at), open_new=True)
    # A check-in queued offline arrives after a later one: it lasted until the later began.
    return CheckInPlan(close_new_at=min(existing.since, new.due_at))


def closes_on_check_out(existing: Stay | None, checkpoint_id: str, at: datetime) -> bool:
    return existing is not None and existing.checkpoint_id == checkpoint_id and existing.since <= at
