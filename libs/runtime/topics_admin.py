"""Creating the catalogue's topics (idempotent), used by the launcher and the test fixtures.

Each topic keeps its records as long as the retention policy says
(libs/runtime/retention.py, docs/retention.md): the event log is the source the
projections are rebuilt from, for the window the stores keep, and no longer — it
must not be a permanent copy of what the purges remove. Topics that exist already
are brought to the policy too (a changed `KHAIBAO_RETENTION_DAYS`, an older stack).
"""

from __future__ import annotations

import asyncio
import time

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import TopicAlreadyExistsError

from libs.contracts.topics import ALL_TOPICS
from libs.runtime.retention import Retention


def catalogue_name(physical: str) -> str:
    """The catalogue topic a physical name stands for (a test's prefix is cut off)."""
    return max((t for t in ALL_TOPICS if physical.endswith(t)), key=len, default=physical)


def default_retention() -> Retention:
    from libs.runtime.settings import ServiceSettings

    return ServiceSettings().retention


async def ensure_topics(bootstrap: str, names: list[str], partitions: int = 6,
                        retention: Retention | None = None) -> int:
    """Create the topics of `names` that do not exist yet, and bring every one of them to the
    retention policy; return how many were created."""
    policy = retention or default_retention()
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = sorted(set(names) - existing)
        if missing:
            new = [NewTopic(name, partitions, 1,
                            topic_configs=policy.topic_configs(catalogue_name(name)))
                   for name in missing]
            try:
                await admin.create_topics(new)
            except TopicAlreadyExistsError:
                pass  # another process created them between our list and create
            await _wait_for_leaders(admin, missing)
        present = sorted(set(names) & existing)
        if present:
            await admin.alter_configs([
                ConfigResource(ConfigResourceType.TOPIC, name,
                               policy.topic_configs(catalogue_name(name))) for name in present])
        return len(missing)
    finally:
        await admin.close()


async def _wait_for_leaders(admin: AIOKafkaAdminClient, names: list[str],
                            timeout_s: float = 30.0) -> None:
    """A new topic takes a moment to elect partition leaders; producing before fails."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        described = await admin.describe_topics(names)
        if all(t["error_code"] == 0 and t["partitions"] and
               all(p["leader"] >= 0 for p in t["partitions"]) for t in described):
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"topics without leaders after {timeout_s} s: {names}")


async def delete_topics(bootstrap: str, names: list[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        doomed = [name for name in names if name in existing]
        if doomed:
            await admin.delete_topics(doomed)
    finally:
        await admin.close()


def main() -> None:
    """`python -m libs.runtime.topics_admin`: create the whole catalogue (compose's topic job)."""
    import os

    from libs.contracts.topics import Topics

    bootstrap = os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    names = Topics(os.environ.get("KHAIBAO_TOPIC_PREFIX", "")).all()
    created = asyncio.run(ensure_topics(bootstrap, names))
    print(f"{created} topics created, {len(names) - created} already there")


if __name__ == "__main__":
    main()
