"""What the use cases need from the outside, as protocols: `store/` implements them on
PyMongo, tests/support/fakes/ward.py in memory (so the service tier has unit tests)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Protocol

from libs.contracts.envelope import Envelope
from libs.contracts.events.notification import FollowupRecorded, NotifyReason, ZoneLevelChanged
from libs.contracts.events.trace import CaseConfirmed, QuarantineOrdered, QuarantineReleased
from services.ward_notification.domain.followups import Attempt, Quarantined
from services.ward_notification.domain.notifications import DeclarationView, Notification
from services.ward_notification.domain.records import (
    DayGroup,
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    DependentEvent,
    Followup,
    NewDelivery,
    ParkedEvent,
    StoredNotification,
    Webhook,
    ZoneChange,
)

# The caller's ward check (`Principal.may_see`), handed in by a route: what is of a ward
# the caller may not see is "not found" (or refused) by the use case.
Visible = Callable[[str], bool]


class Notifications(Protocol):
    """Notifications (each stored with its `ward.notified`), the declaration view, events
    parked until their declaration arrives, and the live feed's (ward, bucket) lists."""

    async def save_views(self, views: list[DeclarationView], now: datetime) -> set[str]:
        """Store the views not stored yet; the declaration ids that were new."""
        ...

    async def view(self, declaration_id: str) -> DeclarationView | None: ...

    async def park(self, event: DependentEvent, now: datetime) -> None:
        """Keep an event until its declaration is seen (a replay keeps the first)."""
        ...

    async def parked_for(self, declaration_ids: list[str]) -> list[ParkedEvent]:
        """The events waiting for these declarations, in the order they were parked."""
        ...

    async def unpark(self, event_id: str) -> None: ...

    async def add_many(self, ns: list[Notification], now: datetime) -> set[str]:
        """Store those not stored yet; the notification ids that were new."""
        ...

    async def add_fact(self, n: Notification, now: datetime) -> bool:
        """A later fact of a stored notification, once; True when added now."""
        ...

    async def get(self, notification_id: str) -> StoredNotification | None: ...

    async def many(self, ids: list[str]) -> list[StoredNotification]: ...

    async def page(self, wards: list[str], days: list[date], unread: bool | None,
                   reason: NotifyReason | None, after: tuple[datetime, str] | None,
                   limit: int) -> list[StoredNotification]:
        """Of these wards and local days, newest first, after (created_at, id) if given."""
        ...

    async def acknowledge(self, ids: list[str], by: str, now: datetime) -> int: ...

    async def counts(self, wards: list[str], days: list[date]) -> list[DayGroup]: ...

    async def arrivals(self, ward_code: str, days: list[date]) -> int:
        """Arrivals declared for this ward on these local days."""
        ...

    async def announce(self, bucket: int, notifications: list[tuple[str, str]]) -> None:
        """Put (ward code, notification id) pairs into their ward's feed bucket."""
        ...

    async def bucket(self, ward_code: str, bucket: int) -> list[str]: ...


class Webhooks(Protocol):
    """Subscriptions, their delivery log and the queue of deliveries to try."""

    async def add(self, webhook: Webhook) -> None: ...

    async def get(self, webhook_id: str) -> Webhook | None: ...

    async def for_wards(self, wards: list[str] | None) -> list[Webhook]: ...

    async def count_for_ward(self, ward_code: str) -> int: ...

    async def set_enabled(self, webhook_id: str, enabled: bool, now: datetime,
                          reason: str | None = None) -> None: ...

    async def set_secret(self, webhook_id: str, secret: str, now: datetime, by: str) -> None:
        """Replaces the signing secret (a rotation): deliveries from now on are signed with it."""

    async def delete(self, webhook_id: str) -> None:
        """Remove it; its waiting deliveries are cancelled."""
        ...

    async def record_outcome(self, webhook_id: str, ok: bool, now: datetime) -> Webhook | None:
        """Count consecutive failures (reset by a success); the updated subscription."""
        ...

    async def enqueue(self, delivery: NewDelivery, enabled: bool, now: datetime) -> None:
        """Log and queue (paused when not enabled); a repeat changes nothing."""
        ...

    async def delivery(self, delivery_id: str) -> Delivery | None: ...

    async def log(self, webhook_id: str, state: DeliveryState | None,
                  limit: int) -> list[Delivery]: ...

    async def delivered(self, delivery_id: str, attempt: DeliveryAttempt,
                        latency_ms: float) -> None: ...

    async def failed(self, delivery_id: str, attempt: DeliveryAttempt, gave_up: bool) -> None: ...

    async def pause_all(self, webhook_id: str) -> None: ...

    async def resume_all(self, webhook_id: str, now: datetime) -> int: ...

    async def due(self, now: datetime, limit: int) -> list[str]: ...

    async def claim(self, delivery_id: str, now: datetime, lease: timedelta) -> bool: ...

    async def retry_at(self, delivery_id: str, when: datetime) -> None: ...

    async def dequeue(self, delivery_id: str) -> None: ...


class Zones(Protocol):
    """Zone-level changes, each stored with its `zone.level_changed`."""

    async def add(self, event: Envelope[ZoneLevelChanged], note: str | None) -> ZoneChange: ...

    async def for_ward(self, ward_code: str) -> list[ZoneChange]: ...


class Followups(Protocol):
    """The views of trace's quarantines and cases, and the follow-ups recorded here."""

    async def put_order(self, event: Envelope[QuarantineOrdered]) -> bool: ...

    async def put_release(self, event: Envelope[QuarantineReleased]) -> bool: ...

    async def put_case(self, event: Envelope[CaseConfirmed]) -> bool: ...

    async def in_wards(self, wards: list[str] | None) -> list[Quarantined]:
        """Orders of these wards (all wards: None), with their release day if released."""
        ...

    async def quarantine(self, quarantine_id: str) -> Quarantined | None: ...

    async def attempts(self, quarantine_ids: list[str]) -> dict[str, list[Attempt]]: ...

    async def case_days(self, wards: list[str] | None) -> list[str]: ...

    async def order_days(self, wards: list[str] | None) -> list[tuple[str, str]]:
        """(day ordered, reason) of every order of these wards."""
        ...

    async def add_followup(self, followup_id: str, event: Envelope[FollowupRecorded],
                           at: datetime) -> bool:
        """The follow-up and its event; False when this id exists."""
        ...

    async def followup(self, followup_id: str) -> Followup | None: ...


class Outbox(Protocol):
    """The relay that publishes what a write put into its document's outbox."""

    def wake(self, *ids: str) -> None:
        """Publish now what these documents hold (by `_id`), not at the next sweep."""
        ...
