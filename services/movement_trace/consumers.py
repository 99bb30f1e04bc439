"""Event handlers of the movement-trace service: every consumed event becomes a movement.

One subscriber reads all six topics. With one subscriber per topic (what
`libs.runtime.kafka.subscribe` does) the group has six members, and each
joining one makes the others rebalance: start-up took ~18 s instead of ~3 s.
The shared dead-letter middleware still applies: what `parse_event` refuses
goes to `<topic>.dlq`.
"""

from __future__ import annotations

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.middlewares import AckPolicy

from libs.contracts.envelope import UnknownEvent, parse_event, utcnow
from libs.contracts.topics import Topics
from libs.runtime import metrics
from libs.runtime.logs import correlation_id
from services.movement_trace.domain import is_expired
from services.movement_trace.projection import PROJECTORS, project
from services.movement_trace.settings import Settings
from services.movement_trace.store import TraceStore


def register(broker: KafkaBroker, settings: Settings, store: TraceStore) -> None:
    topics = Topics(settings.topic_prefix)
    names = {topics(cls.TYPE): cls for cls in PROJECTORS}

    async def on_event(message: KafkaMessage) -> None:
        """Stored once per source event; events older than the retention period are skipped."""
        record = message.raw_message
        assert not isinstance(record, tuple), "not a batch subscriber"
        expected = names[record.topic]
        event = parse_event(message.body, expected_type=expected.TYPE)
        if event.version != expected.VERSION:
            raise UnknownEvent(f"{expected.TYPE} version {event.version} is not known here")
        token = correlation_id.set(event.correlation_id)
        try:
            movement = project(event)
            if not is_expired(movement.at, utcnow(), settings.retention_days):
                await store.add(movement)
            metrics.EVENTS_CONSUMED.labels(event.type).inc()
        finally:
            correlation_id.reset(token)

    broker.subscriber(*names, group_id=settings.consumer_group(),
                      ack_policy=AckPolicy.NACK_ON_ERROR, auto_offset_reset="earliest",
                      description=on_event.__doc__)(on_event)
