"""The typed records that cross layers: what the stores return and the use cases hand on.

No storage layout here (`_id`, outbox fields, `ward_day` keys are `store/`'s): a store
turns its documents into these records before returning them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from libs.contracts.envelope import Envelope
from libs.contracts.events.checkpoint import CheckpointPassed, CheckpointRefused
from libs.contracts.events.identity import IdentityRejected
from libs.contracts.events.notification import NotifyReason, ZoneLevel

# What a notification says, by reason (expected date and origin, checkpoint, reasons …):
# a JSON object written by domain/notifications.py and shown as is.
Detail = dict[str, object]

# The events that name a declaration and notify once it is known.
DependentEvent = (Envelope[CheckpointPassed] | Envelope[CheckpointRefused]
                  | Envelope[IdentityRejected])


class AlertCause(StrEnum):
    identity_rejected = "identity_rejected"
    checkpoint_refused = "checkpoint_refused"


class Fact(BaseModel):
    fact_id: str
    at: datetime
    detail: Detail


class StoredNotification(BaseModel):
    """What the HTTP API, the live feed and the webhooks show of a notification (no
    outbox, no internals)."""

    id: str = Field(description="deterministic: one per (subject, declaration, ward, reason)")
    ward_code: str
    reason: NotifyReason
    cause: AlertCause | None = Field(None, description="for alerts: what raised it")
    subject_id: str = Field(description="pseudonymous person id (never a name or ID number)")
    declaration_id: str
    detail: Detail = Field(description="by reason: expected date and origin (arriving), "
                                       "destination (departing), checkpoint (passed), "
                                       "reasons (alert)")
    facts: list[Fact] = Field(description="every fact behind it, e.g. each checkpoint passed")
    created_at: datetime
    day: str = Field(description="local day (Vietnam, UTC+7) it was created")
    read: bool
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None


@dataclass(frozen=True)
class ParkedEvent:
    """An event waiting for its declaration."""

    event_id: str
    declaration_id: str
    event: DependentEvent


@dataclass(frozen=True)
class DayGroup:
    """Notifications of one ward and local day with one reason and read state."""

    ward_code: str
    day: str
    reason: str
    read: bool
    count: int


class DayCount(BaseModel):
    day: str
    ward_code: str
    total: int
    unread: int
    by_reason: dict[str, int]


# --- zones ---

@dataclass(frozen=True)
class ZoneChange:
    """One change of a ward's level, from a time on."""

    change_id: str
    ward_code: str
    level: ZoneLevel
    effective_at: datetime
    set_by: str
    set_at: datetime
    note: str | None = None


@dataclass(frozen=True)
class ZoneOverview:
    """A ward's level now, its history, the next change and its recent arrivals."""

    ward_code: str
    level: ZoneLevel
    in_force: ZoneChange | None
    upcoming: ZoneChange | None
    history: list[ZoneChange]
    arrivals_days: int
    arrivals: int


# --- follow-ups ---

class Followup(BaseModel):
    """A visit or call recorded by a ward official."""

    model_config = ConfigDict(frozen=True)

    followup_id: str
    quarantine_id: str
    on: date
    day: int
    reached: bool
    channel: str
    symptoms: list[str]
    temperature_c: float | None
    by: str
    at: datetime


@dataclass(frozen=True)
class FollowupCounts:
    day: date
    wards: list[str] | None
    active_quarantines: int
    due_today: int
    lost_to_followup: int
    new_f0: dict[str, int]
    new_f1: dict[str, int]


# --- webhooks ---

DeliveryState = Literal["pending", "delivered", "failed", "paused", "cancelled"]
PENDING: DeliveryState = "pending"
DELIVERED: DeliveryState = "delivered"
FAILED: DeliveryState = "failed"
PAUSED: DeliveryState = "paused"
CANCELLED: DeliveryState = "cancelled"


class Webhook(BaseModel):
    """A subscription of a ward's system."""

    model_config = ConfigDict(frozen=True)

    id: str
    ward_code: str
    url: str
    description: str | None
    secret: str
    enabled: bool
    consecutive_failures: int
    disabled_at: datetime | None = None
    disabled_reason: str | None = None
    created_at: datetime
    created_by: str


class DeliveryAttempt(BaseModel):
    at: datetime
    status: int | None = Field(description="HTTP status the receiver answered, if it answered")
    error: str | None
    ms: float

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class NewDelivery(BaseModel):
    """A notification to send to one subscription (id `<webhook>:<notification>`)."""

    model_config = ConfigDict(frozen=True)

    id: str
    webhook_id: str
    ward_code: str
    notification_id: str
    notified_at: datetime
    body: str
    created_at: datetime


class Delivery(BaseModel):
    """A delivery as logged; the log's listing leaves out the body."""

    model_config = ConfigDict(frozen=True)

    id: str
    webhook_id: str
    notification_id: str
    notified_at: datetime
    state: DeliveryState
    attempts: int
    created_at: datetime
    body: str = ""
    delivered_at: datetime | None = None
    latency_ms: float | None = None
    log: list[DeliveryAttempt] = Field(default_factory=list)
