"""Webhook subscriptions of a ward's own systems, and their delivery log."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from libs.contracts.envelope import new_event_id, utcnow
from libs.contracts.patterns import Documented
from libs.contracts.values import Identifier, PlainText, WardCode
from libs.runtime.auth import Principal
from libs.runtime.errors import ApiError
from libs.runtime.mongo import Document
from libs.runtime.openapi import beyond_schema, link, links, responses
from services.ward_notification import webhook_rules
from services.ward_notification.delivery import DeliveryWorker
from services.ward_notification.scope import WardOfficial, WardsQuery, check_wards, wards_for
from services.ward_notification.settings import Settings
from services.ward_notification.store_webhooks import WebhookStore
from services.ward_notification.webhook_addresses import destination_problem

State = Literal["pending", "delivered", "failed", "paused", "cancelled"]


class WebhookRequest(BaseModel):
    ward_code: WardCode
    url: Annotated[PlainText, Documented(format=None, pattern=webhook_rules.URL_PATTERN)] = Field(
        min_length=1, max_length=webhook_rules.MAX_URL_LENGTH,
        examples=["https://ubnd-hoankiem.example/khaibao"])
    description: PlainText | None = Field(None, max_length=200)


class WebhookOut(BaseModel):
    id: str
    ward_code: str
    url: str
    description: str | None
    enabled: bool
    consecutive_failures: int
    disabled_at: datetime | None = None
    disabled_reason: str | None = None
    created_at: datetime

    @classmethod
    def of(cls, doc: Document) -> WebhookOut:
        return cls.model_validate({**doc, "id": doc["_id"]})


class WebhookCreated(WebhookOut):
    secret: str = Field(description="HMAC key of the signatures; shown only once, keep it safe")


class Attempt(BaseModel):
    at: datetime
    status: int | None = Field(description="HTTP status the receiver answered, if it answered")
    error: str | None
    ms: float


class DeliveryOut(BaseModel):
    id: str
    notification_id: str
    state: State
    attempts: int
    created_at: datetime
    delivered_at: datetime | None = None
    latency_ms: float | None = Field(None, description="notification stored → receiver's 2xx")
    log: list[Attempt]

    @classmethod
    def of(cls, doc: Document) -> DeliveryOut:
        return cls.model_validate({**doc, "id": doc["_id"]})


def build_router(store: WebhookStore, worker: DeliveryWorker, settings: Settings) -> APIRouter:
    router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])

    async def visible(webhook_id: str, who: Principal) -> Document:
        doc = await store.get(webhook_id)
        if doc is None or not who.may_see(doc["ward_code"]):
            raise ApiError(404, "webhook_not_found", "Không tìm thấy webhook",
                           "No such webhook in your wards")
        return doc

    named = "$response.body#/id"
    made = links(201, **{name: link(path, method, what, webhook_id=named) for name, path, method,
                         what in (("Get", "/v1/webhooks/{webhook_id}", "GET", "the subscription"),
                                  ("Delete", "/v1/webhooks/{webhook_id}", "DELETE", "unsubscribe"),
                                  ("Disable", "/v1/webhooks/{webhook_id}/disable", "POST",
                                   "pause it"),
                                  ("Enable", "/v1/webhooks/{webhook_id}/enable", "POST",
                                   "resume it"),
                                  ("Deliveries", "/v1/webhooks/{webhook_id}/deliveries", "GET",
                                   "its delivery log"))})
    rules = beyond_schema(
        url_invalid="an http:// URL where the operator requires https (always in production)",
        url_not_public="a URL whose host does not resolve, or resolves to a loopback, private, "
                       "link-local, metadata or other non-public address (unless allow-listed)")

    @router.post("", status_code=201, response_model=WebhookCreated,
                 responses=responses(made, rules))
    async def create(body: WebhookRequest, who: WardOfficial) -> WebhookCreated:
        """Subscribe a ward's system; the answer holds the signing secret, only this once.
        The URL's host must resolve to public addresses only (422 `url_not_public` for
        loopback, private, link-local, metadata … ones), unless the operator allow-lists it;
        each delivery checks again."""
        check_wards(who, [body.ward_code])
        problem = webhook_rules.url_problem(body.url, settings.webhook_require_https)
        if problem:
            raise ApiError(422, "url_invalid", "Địa chỉ webhook không hợp lệ", problem,
                           {"url": [{"code": "invalid", "message": problem}]})
        problem = await destination_problem(body.url, settings.webhook_allowed,
                                            worker.resolver, settings.webhook_timeout_s)
        if problem:
            raise ApiError(422, "url_not_public", "Webhook chỉ được gửi tới địa chỉ công khai",
                           f"A webhook may only reach public addresses: {problem}",
                           {"url": [{"code": "not_public", "message": problem}]})
        if await store.count_for_ward(body.ward_code) >= settings.webhooks_per_ward:
            raise ApiError(409, "too_many_webhooks", "Phường/xã đã có đủ số webhook tối đa",
                           f"At most {settings.webhooks_per_ward} webhooks a ward")
        doc: Document = {"_id": new_event_id(), "ward_code": body.ward_code, "url": body.url,
                         "description": body.description, "secret": secrets.token_urlsafe(32),
                         "enabled": True, "consecutive_failures": 0, "created_at": utcnow(),
                         "created_by": who.subject}
        await store.add(doc)
        return WebhookCreated.model_validate({**doc, "id": doc["_id"]})

    @router.get("", response_model=list[WebhookOut])
    async def listing(who: WardOfficial, wards: WardsQuery = None) -> list[WebhookOut]:
        """Subscriptions of the caller's wards."""
        return [WebhookOut.of(d) for d in await store.for_wards(wards_for(who, wards))]

    @router.get("/{webhook_id}", response_model=WebhookOut)
    async def one(webhook_id: Identifier, who: WardOfficial) -> WebhookOut:
        """One subscription."""
        return WebhookOut.of(await visible(webhook_id, who))

    @router.post("/{webhook_id}/enable", response_model=WebhookOut)
    async def enable(webhook_id: Identifier, who: WardOfficial) -> WebhookOut:
        """Re-enable a subscription; deliveries paused meanwhile are sent again."""
        await visible(webhook_id, who)
        await store.set_enabled(webhook_id, True, utcnow())
        await store.resume_all(webhook_id, utcnow())
        worker.wake()
        return WebhookOut.of(await visible(webhook_id, who))

    @router.post("/{webhook_id}/disable", response_model=WebhookOut)
    async def disable(webhook_id: Identifier, who: WardOfficial) -> WebhookOut:
        """Pause a subscription; notifications meanwhile wait for it to be enabled."""
        await visible(webhook_id, who)
        await store.set_enabled(webhook_id, False, utcnow(), f"disabled by {who.subject}")
        await store.pause_all(webhook_id)
        return WebhookOut.of(await visible(webhook_id, who))

    @router.delete("/{webhook_id}", status_code=204)
    async def delete(webhook_id: Identifier, who: WardOfficial) -> Response:
        """Remove a subscription; its waiting deliveries are cancelled."""
        await visible(webhook_id, who)
        await store.delete(webhook_id)
        return Response(status_code=204)

    @router.get("/{webhook_id}/deliveries", response_model=list[DeliveryOut])
    async def deliveries(webhook_id: Identifier, who: WardOfficial, state: State | None = None,
                         limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[DeliveryOut]:
        """The delivery log, newest first: every attempt with its status and duration."""
        await visible(webhook_id, who)
        return [DeliveryOut.of(d) for d in await store.log(webhook_id, state, limit)]

    return router
