"""What the HTTP API and the webhooks show of a notification (no outbox, no internals)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from libs.contracts.events.notification import NotifyReason
from libs.runtime.mongo import Document
from services.ward_notification.domain import AlertCause


class Fact(BaseModel):
    fact_id: str
    at: datetime
    detail: dict[str, Any]


class NotificationOut(BaseModel):
    id: str = Field(description="deterministic: one per (subject, declaration, ward, reason)")
    ward_code: str
    reason: NotifyReason
    cause: AlertCause | None = Field(None, description="for alerts: what raised it")
    subject_id: str = Field(description="pseudonymous person id (never a name or ID number)")
    declaration_id: str
    detail: dict[str, Any] = Field(description="by reason: expected date and origin (arriving), "
                                   "destination (departing), checkpoint (passed), reasons (alert)")
    facts: list[Fact] = Field(description="every fact behind it, e.g. each checkpoint passed")
    created_at: datetime
    day: str = Field(description="local day (Vietnam, UTC+7) it was created")
    read: bool
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None

    @classmethod
    def of(cls, doc: Document) -> NotificationOut:
        return cls.model_validate({**doc, "id": doc["_id"]})


def webhook_body(doc: Document, delivery_id: str, webhook_id: str) -> str:
    """The JSON a ward's system receives; fixed per delivery, so retries send the same bytes."""
    notification = NotificationOut.of(doc).model_dump(mode="json")
    return WebhookPayload(delivery_id=delivery_id, webhook_id=webhook_id,
                          notification=notification).model_dump_json()


class WebhookPayload(BaseModel):
    type: str = "ward.notified"
    delivery_id: str
    webhook_id: str
    notification: dict[str, Any]
