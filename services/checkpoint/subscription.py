"""One Kafka consumer for every topic the checkpoint service reads.

`libs.runtime.kafka.subscribe` makes one consumer per topic, all in the
service's group; with seven topics each member's join rebalanced the group
again and start-up took ~20 s. One subscriber on all seven topics joins once.
Everything else is as in the shared `subscribe`: the broker's dead-letter
middleware, commit after the handler (NACK_ON_ERROR), typed envelopes, the
correlation id and the consumed-events metric. Messages keep their order per
partition; handlers run one at a time per replica.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Union

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.middlewares import AckPolicy

from libs.contracts.envelope import Envelope, EventPayload, UnknownEvent, parse_event
from libs.contracts.topics import Topics
from libs.runtime import metrics
from libs.runtime.logs import correlation_id
from libs.runtime.settings import ServiceSettings

Handler = Callable[[Envelope[Any]], Awaitable[None]]


def subscribe_all(broker: KafkaBroker, settings: ServiceSettings,
                  handlers: Mapping[type[EventPayload], Handler]) -> None:
    topics = Topics(settings.topic_prefix)
    by_topic = {topics(event.TYPE): (event, handler) for event, handler in handlers.items()}

    async def consume(body: Any, message: KafkaMessage) -> None:
        """Dispatch by topic to the handler of that topic's event type."""
        event, handler = by_topic[message.raw_message.topic]  # type: ignore[union-attr]
        # The raw bytes, not FastStream's decoding: what is not an event of this
        # topic's type and version raises here and is dead-lettered as poison.
        envelope = parse_event(message.body, expected_type=event.TYPE)
        if envelope.version != event.VERSION:
            raise UnknownEvent(f"{event.TYPE} version {envelope.version} is not known here")
        token = correlation_id.set(envelope.correlation_id)
        try:
            await handler(envelope)
            metrics.EVENTS_CONSUMED.labels(event.TYPE).inc()
        finally:
            correlation_id.reset(token)

    # Documented (AsyncAPI) as any of the envelopes it accepts; validated exactly below.
    envelopes: Any = Union[tuple(Envelope[e] for e in handlers)]  # type: ignore[valid-type]  # noqa: UP007
    consume.__annotations__ = {"body": envelopes, "message": KafkaMessage, "return": None}
    broker.subscriber(
        *by_topic,
        group_id=settings.consumer_group(),
        ack_policy=AckPolicy.NACK_ON_ERROR,
        auto_offset_reset="earliest",
        description=" ".join((handler.__doc__ or event.TYPE).strip()
                             for event, handler in handlers.items()),
    )(consume)
