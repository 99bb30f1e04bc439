"""Webhooks to a real local receiver: signatures, retries, the log, disabling and re-enabling."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx

from libs.runtime.auth import Role
from services.ward_notification.app import build
from services.ward_notification.settings import Settings
from tests.conftest import ServerSlice
from tests.support.apps import running
from tests.support.kafka import eventually
from tests.support.notification_kit import Receiver, declaration, serving
from tests.support.samples import HOAN_KIEM, VUNG_TAU
from tests.support.tokens import bearer

VUNGTAU = bearer(Role.ward_official, [VUNG_TAU])
# The receivers run on 127.0.0.1, which webhooks may reach only when allow-listed
# (test_hostile_findings shows the refusal without it).
LOCAL = {"webhook_allowed_hosts": "127.0.0.1"}
FAST = {"webhook_backoff_base_s": 0.05, "webhook_backoff_max_s": 0.2, "webhook_poll_s": 0.1,
        **LOCAL}


async def _subscribe(api: httpx.AsyncClient, url: str) -> dict[str, Any]:
    created = await api.post("/v1/webhooks", headers=VUNGTAU,
                             json={"ward_code": VUNG_TAU, "url": url, "description": "UBND"})
    assert created.status_code == 201, created.text
    return dict(created.json())


def _expected_signature(secret: str, request: dict[str, Any]) -> str:
    # Computed here independently of the service's code, as a receiver would.
    signed = request["headers"]["x-khaibao-timestamp"].encode() + b"." + request["body"]
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


async def test_signed_payloads_and_retries_when_the_receiver_answers_500(env: ServerSlice) -> None:
    receiver = Receiver(plan=[500, 500])
    async with serving(receiver.app()) as hook_base, \
            running(build(env.settings(Settings, **FAST))) as api:
        webhook = await _subscribe(api, f"{hook_base}/hook")
        decl = declaration()
        await env.publish(decl)
        await eventually(lambda: _state(api, webhook["id"], "delivered"))
        log = (await api.get(f"/v1/webhooks/{webhook['id']}/deliveries", headers=VUNGTAU)).json()

    assert len(receiver.received) == 3
    for request in receiver.received:
        assert request["headers"]["x-khaibao-signature"] == _expected_signature(
            webhook["secret"], request)
    assert len({r["headers"]["x-khaibao-delivery"] for r in receiver.received}) == 1
    assert [r["headers"]["x-khaibao-attempt"] for r in receiver.received] == ["1", "2", "3"]
    assert len({r["body"] for r in receiver.received}) == 1  # retries send the same bytes
    body = json.loads(receiver.received[0]["body"])
    assert body["type"] == "ward.notified" and body["webhook_id"] == webhook["id"]
    assert body["notification"]["reason"] == "arriving"
    assert body["notification"]["declaration_id"] == decl.payload.declaration_id

    [delivery] = log
    assert [a["status"] for a in delivery["log"]] == [500, 500, 200]
    assert delivery["state"] == "delivered" and delivery["latency_ms"] > 0


async def test_a_failing_subscription_is_disabled_then_re_enabled(env: ServerSlice) -> None:
    receiver = Receiver(always=503)
    settings = env.settings(Settings, webhook_disable_after=3, webhook_max_attempts=10, **FAST)
    async with serving(receiver.app()) as hook_base, running(build(settings)) as api:
        webhook = await _subscribe(api, f"{hook_base}/hook")
        await env.publish(declaration("001085000001"))

        async def disabled() -> bool:
            doc = (await api.get(f"/v1/webhooks/{webhook['id']}", headers=VUNGTAU)).json()
            return doc["enabled"] is False

        await eventually(disabled)
        assert len(receiver.received) == 3
        await eventually(lambda: _state(api, webhook["id"], "paused"))
        await env.publish(declaration("001085000002"))  # waits while the hook is disabled
        await eventually(lambda: _count(api, webhook["id"], "paused", 2))
        assert len(receiver.received) == 3

        receiver.always = None  # the ward's system is fixed
        enabled = await api.post(f"/v1/webhooks/{webhook['id']}/enable", headers=VUNGTAU)
        assert enabled.json()["enabled"] is True and enabled.json()["consecutive_failures"] == 0
        await eventually(lambda: _count(api, webhook["id"], "delivered", 2))
    assert len(receiver.received) == 5


async def test_subscriptions_refuse_bad_input_and_other_wards(env: ServerSlice) -> None:
    async with running(build(env.settings(Settings, **LOCAL))) as api:
        webhook = await _subscribe(api, "http://127.0.0.1:9/hook")
        hanoi = bearer(Role.ward_official, [HOAN_KIEM])
        bad = [
            await api.post("/v1/webhooks", headers=VUNGTAU,
                           json={"ward_code": VUNG_TAU, "url": "ftp://127.0.0.1/x"}),
            await api.post("/v1/webhooks", headers=VUNGTAU,
                           json={"ward_code": VUNG_TAU, "url": "http://u:p@127.0.0.1/x"}),
            await api.post("/v1/webhooks", headers=VUNGTAU, json={"ward_code": "1", "url": 5}),
        ]
        other_ward = await api.post("/v1/webhooks", headers=hanoi,
                                    json={"ward_code": VUNG_TAU, "url": "http://127.0.0.1/x"})
        hidden = await api.get(f"/v1/webhooks/{webhook['id']}", headers=hanoi)
        hidden_enable = await api.post(f"/v1/webhooks/{webhook['id']}/enable", headers=hanoi)
        listed = (await api.get("/v1/webhooks", headers=VUNGTAU)).json()
        deleted = await api.delete(f"/v1/webhooks/{webhook['id']}", headers=VUNGTAU)
        gone = await api.get(f"/v1/webhooks/{webhook['id']}", headers=VUNGTAU)

    assert [r.status_code for r in bad] == [422, 422, 422]
    assert [r.json()["error"]["code"] for r in bad[:2]] == ["url_invalid", "url_invalid"]
    assert set(bad[2].json()["error"]["fields"]) == {"ward_code", "url"}
    assert other_ward.status_code == 403
    assert hidden.status_code == 404 and hidden_enable.status_code == 404
    assert [w["id"] for w in listed] == [webhook["id"]] and "secret" not in listed[0]
    assert deleted.status_code == 204 and gone.status_code == 404


async def _deliveries(api: httpx.AsyncClient, webhook_id: str) -> list[dict[str, Any]]:
    response = await api.get(f"/v1/webhooks/{webhook_id}/deliveries", headers=VUNGTAU)
    assert response.status_code == 200, response.text
    return list(response.json())


async def _state(api: httpx.AsyncClient, webhook_id: str, state: str) -> bool:
    return any(d["state"] == state for d in await _deliveries(api, webhook_id))


async def _count(api: httpx.AsyncClient, webhook_id: str, state: str, n: int) -> bool:
    return sum(1 for d in await _deliveries(api, webhook_id) if d["state"] == state) == n
