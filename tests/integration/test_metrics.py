"""`/metrics` tells an operator what the service is doing: requests, events consumed,
consumer lag per partition, store commands, outbox and dead letters; `/readyz` carries the
consumer watchdog's view of the group."""

from __future__ import annotations

import re

from libs.contracts.topics import DECLARATION_SUBMITTED
from services.ward_notification.app import build
from services.ward_notification.settings import Settings
from tests.conftest import ServerSlice
from tests.support.apps import running
from tests.support.kafka import eventually
from tests.support.notification_kit import declaration


def _samples(text: str, name: str) -> dict[str, float]:
    """{labels: value} of one metric in the Prometheus text format."""
    return {labels: float(value) for labels, value in
            re.findall(rf"^{name}(\{{[^}}]*\}}) (\S+)$", text, re.MULTILINE)}


async def test_metrics_show_lag_consumption_store_and_outbox(env: ServerSlice) -> None:
    settings = env.settings(Settings, consumer_watch_s=0.5)
    topic = env.topics(DECLARATION_SUBMITTED)
    async with running(build(settings)) as api:
        await env.publish(declaration(), declaration())

        async def lag_of_the_topic() -> dict[str, float]:
            text = (await api.get("/metrics")).text
            return {k: v for k, v in _samples(text, "khaibao_consumer_lag_records").items()
                    if f'topic="{topic}"' in k}

        # Each partition the replica owns gets a gauge once it has been fetched from;
        # both declarations consumed means every one of them reads 0.
        lags = await eventually(lag_of_the_topic, timeout_s=60)

        async def caught_up() -> bool:
            return set((await lag_of_the_topic()).values()) == {0.0}

        assert await eventually(caught_up, timeout_s=60)

        async def watchdog_saw_it_consumed() -> dict[str, float] | None:
            report: dict[str, float] = (await api.get("/readyz")).json()["consumer"]
            return report if report["committed"] >= 2 and report["behind"] == 0 else None

        watched = await eventually(watchdog_saw_it_consumed, timeout_s=30)
        text = (await api.get("/metrics")).text
    assert lags
    consumed = _samples(text, "khaibao_events_consumed_total")
    assert consumed['{type="declaration.submitted"}'] >= 2
    commands = _samples(text, "khaibao_store_commands_total")
    inserts = {labels: n for labels, n in commands.items() if 'command="insert"' in labels}
    assert sum(inserts.values()) >= 1, commands
    assert all('collection=""' not in labels for labels in inserts), inserts  # each names its own
    published = _samples(text, "khaibao_outbox_published_total")
    assert published['{topic="ward.notified"}'] >= 4  # two wards for each declaration
    assert _samples(text, "khaibao_http_request_seconds_count")
    assert watched["restarts"] == 0 and watched["still_s"] == 0
    assert re.search(r"^khaibao_consumer_group_behind_records 0\.0$", text, re.MULTILINE)
