"""Webhook subscriptions of a ward's own systems, and their delivery log."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Query, Response

from libs.contracts.values import Identifier
from libs.runtime.auth import WardOfficial
from libs.runtime.errors import ApiError
from libs.runtime.openapi import beyond_schema, link, links, responses
from services.ward_notification.api.models import (
    DeliveryOut,
    State,
    WebhookCreated,
    WebhookOut,
    WebhookRequest,
)
from services.ward_notification.api.scope import WardsQuery, check_wards, wards_for
from services.ward_notification.domain.errors import (
    TooManyWebhooks,
    UrlInvalid,
    UrlNotPublic,
    WebhookNotFound,
)
from services.ward_notification.service.subscriptions import Subscriptions

T = TypeVar("T")


async def visible(answer: Awaitable[T]) -> T:
    try:
        return await answer
    except WebhookNotFound:
        raise ApiError(404, "webhook_not_found", "Không tìm thấy webhook",
                       "No such webhook in your wards") from None


def build_router(subscriptions: Subscriptions) -> APIRouter:
    router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])

    named = "$response.body#/id"
    made = links(201, **{name: link(path, method, what, webhook_id=named) for name, path, method,
                         what in (("Get", "/v1/webhooks/{webhook_id}", "GET", "the subscription"),
                                  ("Delete", "/v1/webhooks/{webhook_id}", "DELETE", "unsubscribe"),
                                  ("Disable", "/v1/webhooks/{webhook_id}/disable", "POST",
                                   "pause it"),
                                  ("Enable", "/v1/webhooks/{webhook_id}/enable", "POST",
                                   "resume it"),
                                  ("RotateSecret", "/v1/webhooks/{webhook_id}/secret", "POST",
                                   "rotate its signing secret"),
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
        try:
            webhook = await subscriptions.create(body.ward_code, body.url, body.description,
                                                 who.subject)
        except UrlInvalid as invalid:
            raise ApiError(422, "url_invalid", "Địa chỉ webhook không hợp lệ", invalid.problem,
                           {"url": [{"code": "invalid", "message": invalid.problem}]}) from None
        except UrlNotPublic as refused:
            raise ApiError(422, "url_not_public", "Webhook chỉ được gửi tới địa chỉ công khai",
                           f"A webhook may only reach public addresses: {refused.problem}",
                           {"url": [{"code": "not_public", "message": refused.problem}]}
                           ) from None
        except TooManyWebhooks as too_many:
            raise ApiError(409, "too_many_webhooks", "Phường/xã đã có đủ số webhook tối đa",
                           f"At most {too_many.limit} webhooks a ward") from None
        return WebhookCreated.model_validate(webhook.model_dump())

    @router.get("", response_model=list[WebhookOut])
    async def listing(who: WardOfficial, wards: WardsQuery = None) -> list[WebhookOut]:
        """Subscriptions of the caller's wards."""
        return [WebhookOut.of(w) for w in await subscriptions.for_wards(wards_for(who, wards))]

    @router.get("/{webhook_id}", response_model=WebhookOut)
    async def one(webhook_id: Identifier, who: WardOfficial) -> WebhookOut:
        """One subscription."""
        return WebhookOut.of(await visible(subscriptions.one(webhook_id, who.may_see)))

    @router.post("/{webhook_id}/enable", response_model=WebhookOut)
    async def enable(webhook_id: Identifier, who: WardOfficial) -> WebhookOut:
        """Re-enable a subscription; deliveries paused meanwhile are sent again."""
        return WebhookOut.of(await visible(subscriptions.enable(webhook_id, who.may_see)))

    @router.post("/{webhook_id}/disable", response_model=WebhookOut)
    async def disable(webhook_id: Identifier, who: WardOfficial) -> WebhookOut:
        """Pause a subscription; notifications meanwhile wait for it to be enabled."""
        return WebhookOut.of(await visible(
            subscriptions.disable(webhook_id, who.subject, who.may_see)))

    @router.post("/{webhook_id}/secret", response_model=WebhookCreated)
    async def rotate_secret(webhook_id: Identifier, who: WardOfficial) -> WebhookCreated:
        """Rotate the signing secret: the answer holds the new one, only this once; every
        delivery from now on (retries included) is signed with it."""
        return WebhookCreated.model_validate((await visible(
            subscriptions.rotate_secret(webhook_id, who.subject, who.may_see))).model_dump())

    @router.delete("/{webhook_id}", status_code=204)
    async def delete(webhook_id: Identifier, who: WardOfficial) -> Response:
        """Remove a subscription; its waiting deliveries are cancelled."""
        await visible(subscriptions.delete(webhook_id, who.may_see))
        return Response(status_code=204)

    @router.get("/{webhook_id}/deliveries", response_model=list[DeliveryOut])
    async def deliveries(webhook_id: Identifier, who: WardOfficial, state: State | None = None,
                         limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[DeliveryOut]:
        """The delivery log, newest first: every attempt with its status and duration."""
        return [DeliveryOut.of(d) for d in await visible(
            subscriptions.deliveries(webhook_id, state, limit, who.may_see))]

    return router
