"""The consumed topics as the rebuild replays them: from their beginning up to where
they end when the replay starts, in batches, with a fresh consumer (no group: the
service's own group and its offsets are left alone)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from libs.contracts.topics import Topics
from services.movement_trace.domain.projection import PROJECTORS
from services.movement_trace.settings import Settings


class KafkaEventLog:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def replay(self) -> AsyncIterator[list[bytes]]:
        topics = Topics(self.settings.topic_prefix)
        names = [topics(cls.TYPE) for cls in PROJECTORS]
        consumer = AIOKafkaConsumer(bootstrap_servers=self.settings.kafka_bootstrap, group_id=None,
                                    enable_auto_commit=False, auto_offset_reset="earliest",
                                    max_poll_records=self.settings.rebuild_batch)
        await consumer.start()
        try:
            parts = await _partitions(self.settings.kafka_bootstrap, names)
            if not parts:
                return
            consumer.assign(parts)
            await consumer.seek_to_beginning(*parts)
            ends = await consumer.end_offsets(parts)
            while not await _caught_up(consumer, ends):
                batch = await consumer.getmany(timeout_ms=500,
                                               max_records=self.settings.rebuild_batch)
                yield [r.value for records in batch.values() for r in records]
        finally:
            await consumer.stop()


async def _partitions(bootstrap: str, names: list[str]) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        described = await admin.describe_topics([n for n in names if n in existing])
    finally:
        await admin.close()
    return [TopicPartition(t["topic"], p["partition"]) for t in described
            for p in t["partitions"]]


async def _caught_up(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    for partition, end in ends.items():
        if await consumer.position(partition) < end:
            return False
    return True
