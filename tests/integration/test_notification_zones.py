"""Epidemic zone levels: set by an admin, published as zone.level_changed, read publicly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from libs.contracts.envelope import parse_event
from libs.contracts.topics import ZONE_LEVEL_CHANGED
from libs.runtime.auth import Role
from services.ward_notification.app import build
from services.ward_notification.settings import Settings
from tests.conftest import ServerSlice
from tests.support.apps import running
from tests.support.kafka import eventually, read_topic
from tests.support.notification_kit import declaration
from tests.support.samples import HOAN_KIEM, VUNG_TAU
from tests.support.tokens import bearer

ADMIN = bearer(Role.admin, who="bo-y-te")


async def test_admin_sets_levels_and_everyone_reads_them(env: ServerSlice) -> None:
    async with running(build(env.settings(Settings, arrivals_cache_s=0))) as api:
        fresh = (await api.get(f"/v1/zones/{HOAN_KIEM}")).json()
        earlier = datetime.now(UTC) - timedelta(hours=2)
        orange = await api.post(f"/v1/zones/{HOAN_KIEM}/levels", headers=ADMIN, json={
            "level": 3, "effective_at": earlier.isoformat(), "note": "Ổ dịch tại chợ"})
        red = await api.post(f"/v1/zones/{HOAN_KIEM}/levels", headers=ADMIN, json={"level": 4})
        later = datetime.now(UTC) + timedelta(days=7)
        await api.post(f"/v1/zones/{HOAN_KIEM}/levels", headers=ADMIN,
                       json={"level": 2, "effective_at": later.isoformat()})
        now = (await api.get(f"/v1/zones/{HOAN_KIEM}")).json()
        records = await read_topic(env.servers.kafka_bootstrap, env.topics(ZONE_LEVEL_CHANGED),
                                   at_least=3, settle_s=1.0)

        await env.publish(declaration("001085000011"), declaration("001085000012"))

        async def arrivals() -> int:
            zone = (await api.get(f"/v1/zones/{VUNG_TAU}", params={"days": 1})).json()
            return int(zone["recent_arrivals"]["count"]) == 2

        await eventually(arrivals)

    assert fresh["level"] == 1 and fresh["declared"] is False and fresh["history"] == []
    assert fresh["ward_name"] == "Phường Hoàn Kiếm"
    assert orange.status_code == red.status_code == 201
    assert now["level"] == 4 and now["level_name"] == "red" and now["level_name_vi"] == "Vùng đỏ"
    assert now["declared"] is True and now["since"] == red.json()["effective_at"]
    assert now["next"]["level"] == 2  # scheduled, not yet in force
    assert [c["level"] for c in now["history"]] == [2, 4, 3]
    assert now["history"][2]["note"] == "Ổ dịch tại chợ"
    assert "set_by" not in now["history"][0]  # the public page does not name officials

    events = sorted((parse_event(r.value).payload for r in records), key=lambda p: p.effective_at)
    assert [int(e.level) for e in events] == [3, 4, 2]
    assert {e.set_by for e in events} == {"bo-y-te"}
    assert {r.key.decode() for r in records} == {HOAN_KIEM}  # ward events keyed by ward code


async def test_only_admins_set_levels_and_bad_levels_are_refused(env: ServerSlice) -> None:
    async with running(build(env.settings(Settings))) as api:
        url = f"/v1/zones/{HOAN_KIEM}/levels"
        official = bearer(Role.ward_official, [HOAN_KIEM])
        anonymous = await api.post(url, json={"level": 2})
        not_admin = await api.post(url, headers=official, json={"level": 2})
        bad = [
            await api.post(url, headers=ADMIN, json={"level": 5}),
            await api.post(url, headers=ADMIN, json={"level": "red"}),
            await api.post(url, headers=ADMIN, json={}),
            await api.post(url, headers=ADMIN,
                           json={"level": 2, "effective_at": "2025-10-01T08:00:00"}),
            await api.post(url, headers=ADMIN,
                           json={"level": 2, "effective_at": "2099-01-01T00:00:00+07:00"}),
            await api.post(url, headers=ADMIN, json={"level": 2, "note": "x" * 501}),
            await api.post("/v1/zones/99999/levels", headers=ADMIN, json={"level": 2}),
        ]
        unknown_ward = await api.get("/v1/zones/abcde")
        after = (await api.get(f"/v1/zones/{HOAN_KIEM}")).json()
    assert anonymous.status_code == 401 and not_admin.status_code == 403
    assert [r.status_code for r in bad] == [422] * len(bad)
    assert [r.json()["error"]["code"] for r in bad[3:5]] == ["effective_at_invalid"] * 2
    assert "offset" in bad[3].json()["error"]["message"]["en"]
    assert unknown_ward.status_code == 422
    assert after["history"] == []  # nothing refused was stored
