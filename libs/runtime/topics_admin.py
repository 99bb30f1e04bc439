"""Creating the catalogue's topics (idempotent), used by the launcher and the test fixtures."""

from __future__ import annotations

import asyncio
import time

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

# Event topics are the source of truth for movement and are replayed to rebuild
# projections, so Kafka never deletes them; services purge personal data instead.
KEEP_FOREVER = {"retention.ms": "-1"}


async def ensure_topics(bootstrap: str, names: list[str], partitions: int = 6) -> int:
    """Create the topics of `names` that do not exist yet; return how many were created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        missing = sorted(set(names) - set(await admin.list_topics()))
        if not missing:
            return 0
        new = [NewTopic(name, partitions, 1, topic_configs=KEEP_FOREVER) for name in missing]
        try:
            await admin.create_topics(new)
        except TopicAlreadyExistsError:
            pass  # another process created them between our list and create
        await _wait_for_leaders(admin, missing)
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
