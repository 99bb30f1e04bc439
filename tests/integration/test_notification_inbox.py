"""The ward officials' inbox on the real servers: filters, paging, acknowledge, counts, scope."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from libs.contracts.vietnam_time import vn_today
from libs.runtime.auth import Role
from services.ward_notification.app import build
from services.ward_notification.settings import Settings
from tests.conftest import ServerSlice
from tests.support.apps import running
from tests.support.kafka import eventually
from tests.support.notification_kit import BEN_THANH, declaration
from tests.support.samples import HOAN_KIEM, VUNG_TAU
from tests.support.tokens import bearer

pytestmark = pytest.mark.calendar  # "today" is in it: `make test-clock` runs it at 20:00 UTC too

HANOI = bearer(Role.ward_official, [HOAN_KIEM], who="official-hk")
VUNGTAU = bearer(Role.ward_official, [VUNG_TAU], who="official-vt")
ADMIN = bearer(Role.admin)


async def _seeded(api: httpx.AsyncClient, env: ServerSlice, people: int) -> list[dict[str, Any]]:
    """`people` declarations Hà Nội → Vũng Tàu: as many arrivals in Vũng Tàu."""
    await env.publish(*(declaration(f"0010850{i:05d}") for i in range(people)))

    async def all_there() -> list[dict[str, Any]]:
        response = await api.get("/v1/notifications", headers=VUNGTAU, params={"limit": 200})
        items: list[dict[str, Any]] = response.json()["items"]
        return items if len(items) == people else []

    return await eventually(all_there)


async def test_filters_paging_acknowledge_and_counts(env: ServerSlice) -> None:
    async with running(build(env.settings(Settings))) as api:
        everything = await _seeded(api, env, 5)

        pages, cursor = [], None
        for _ in range(5):
            params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
            page = (await api.get("/v1/notifications", headers=VUNGTAU, params=params)).json()
            pages.append([n["id"] for n in page["items"]])
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert [len(p) for p in pages] == [2, 2, 1]
        assert [i for p in pages for i in p] == [n["id"] for n in everything]  # newest first, no gaps

        one, two = everything[0]["id"], everything[1]["id"]
        single = await api.post(f"/v1/notifications/{one}/ack", headers=VUNGTAU)
        assert single.status_code == 200 and single.json()["acknowledged_by"] == "official-vt"
        many = (await api.post("/v1/notifications/ack", headers=VUNGTAU,
                               json={"ids": [one, two, "nope"]})).json()
        assert many == {"acknowledged": [two], "already": [one], "not_found": ["nope"]}

        unread = (await api.get("/v1/notifications", headers=VUNGTAU,
                                params={"unread": "true"})).json()["items"]
        assert {n["id"] for n in unread} == {n["id"] for n in everything[2:]}
        passed = await api.get("/v1/notifications", headers=VUNGTAU, params={"reason": "passed"})
        assert passed.json()["items"] == []
        later = await api.get("/v1/notifications", headers=VUNGTAU, params={
            "from": (_today() + timedelta(days=1)).isoformat(),
            "to": (_today() + timedelta(days=2)).isoformat()})
        assert later.json()["items"] == []

        counts = (await api.get("/v1/notifications/counts", headers=VUNGTAU)).json()
        assert counts == [{"day": _today().isoformat(), "ward_code": VUNG_TAU, "total": 5,
                           "unread": 3, "by_reason": {"arriving": 5}}]
        departures = (await api.get("/v1/notifications/counts", headers=HANOI)).json()
        assert departures[0]["by_reason"] == {"departing": 5}


async def test_an_official_of_another_ward_is_refused(env: ServerSlice) -> None:
    async with running(build(env.settings(Settings))) as api:
        arrival = (await _seeded(api, env, 1))[0]
        other = bearer(Role.ward_official, [BEN_THANH])

        for path in ("/v1/notifications", "/v1/notifications/counts", "/v1/feed", "/v1/webhooks"):
            refused = await api.get(path, headers=HANOI, params={"ward": VUNG_TAU})
            assert refused.status_code == 403, path
            assert refused.json()["error"]["code"] == "ward_forbidden"
            assert refused.json()["error"]["fields"] == {"ward": [VUNG_TAU]}
        assert (await api.get("/v1/notifications", headers=other)).json()["items"] == []
        hidden = await api.get(f"/v1/notifications/{arrival['id']}", headers=HANOI)
        assert hidden.status_code == 404
        ack = await api.post("/v1/notifications/ack", headers=other, json={"ids": [arrival["id"]]})
        assert ack.json()["not_found"] == [arrival["id"]]
        still_unread = await api.get(f"/v1/notifications/{arrival['id']}", headers=VUNGTAU)
        assert still_unread.json()["read"] is False

        assert (await api.get("/v1/notifications")).status_code == 401
        officer = bearer(Role.officer, ["cp-1"])
        assert (await api.get("/v1/notifications", headers=officer)).status_code == 403
        admin_no_ward = await api.get("/v1/notifications", headers=ADMIN)
        assert admin_no_ward.status_code == 422
        assert admin_no_ward.json()["error"]["code"] == "ward_required"
        admin = await api.get("/v1/notifications", headers=ADMIN, params={"ward": VUNG_TAU})
        assert [n["id"] for n in admin.json()["items"]] == [arrival["id"]]


async def test_bad_input_gets_a_clear_4xx(env: ServerSlice) -> None:
    async with running(build(env.settings(Settings))) as api:
        cases = [
            await api.get("/v1/notifications", headers=HANOI, params={"ward": "99999"}),
            await api.get("/v1/notifications", headers=HANOI, params={"limit": 0}),
            await api.get("/v1/notifications", headers=HANOI, params={"reason": "party"}),
            await api.get("/v1/notifications", headers=HANOI, params={"from": "yesterday"}),
            await api.get("/v1/notifications", headers=HANOI, params={"cursor": "!!garbage"}),
            await api.get("/v1/notifications", headers=HANOI,
                          params={"from": "2025-01-10", "to": "2025-01-01"}),
            await api.get("/v1/notifications", headers=HANOI,
                          params={"from": "2025-01-01", "to": "2025-03-01"}),
            await api.post("/v1/notifications/ack", headers=HANOI, json={"ids": []}),
            await api.post("/v1/notifications/ack", headers=HANOI, json={"ids": "abc"}),
            await api.post("/v1/notifications/ack", headers=HANOI, json={"ids": ["x"] * 201}),
        ]
        malformed = await api.post("/v1/notifications/ack", headers={
            **HANOI, "content-type": "application/json"}, content=b'{"ids": [')
        huge = await api.post("/v1/notifications/ack", headers=HANOI,
                              json={"ids": ["x" * 1000] * 1200})
        bad_token = await api.get("/v1/notifications",
                                  headers={"authorization": "Bearer not.a.jwt"})
    for response in cases:
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] and error["message"]["vi"] and error["message"]["en"]
    assert [r.json()["error"]["code"] for r in cases[4:7]] == [
        "cursor_invalid", "range_invalid", "range_too_long"]
    assert malformed.status_code == 400 and malformed.json()["error"]["code"] == "malformed_json"
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "body_too_large"
    assert bad_token.status_code == 401 and bad_token.json()["error"]["code"] == "token_invalid"


def _today() -> date:
    return vn_today()
