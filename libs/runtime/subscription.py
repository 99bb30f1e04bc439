"""One Kafka consumer for several topics of a service, event by event or in batches.

Every service has exactly one subscriber: each subscriber is a member of the
service's consumer group, and each member joining rebalances the others (seven
per-topic subscribers took ~20 s to start; one joins once, ~0.2 s).
`subscribe_all` runs one handler per event type: the broker's dead-letter
middleware, commit after the handler (NACK_ON_ERROR), typed envelopes, the
correlation id and the consumed-events metric. Messages keep their order per
partition; handlers run one at a time per replica.

`subscribe_batches` hands the handler up to `max_records` events at once, so
that one round trip to the store serves many (FerretDB answers one command at a
time per connection, ~1–5 ms each: per-event writes cap a consumer at a few
hundred events per second, and far less under load).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Union, cast

from aiokafka import ConsumerRecord
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.message import StreamMessage
from faststream.middlewares import AckPolicy
from pydantic import SkipValidation

from libs.contracts.envelope import Envelope, EventPayload, UnknownEvent, parse_event
from libs.contracts.topics import Topics
from libs.runtime import metrics
from libs.runtime.kafka import OUTAGE, POISON, DeadLetters
from libs.runtime.logs import correlation_id
from libs.runtime.settings import ServiceSettings

log = logging.getLogger(__name__)

Handler = Callable[[Envelope[Any]], Awaitable[None]]
BatchHandler = Callable[[list[Envelope[Any]]], Awaitable[None]]


def subscribe_all(broker: KafkaBroker, settings: ServiceSettings,
                  handlers: Mapping[type[EventPayload], Handler]) -> None:
    topics = Topics(settings.topic_prefix)
    by_topic = {topics(event.TYPE): (event, handler) for event, handler in handlers.items()}

    async def consume(body: Any, message: KafkaMessage) -> None:
        """Dispatch by topic to the handler of that topic's event type."""
        event, handler = by_topic[message.raw_message.topic]  # type: ignore[union-attr]
        envelope = _parse(message.body, event)
        token = correlation_id.set(envelope.correlation_id or envelope.event_id)
        try:
            await handler(envelope)
            metrics.EVENTS_CONSUMED.labels(event.TYPE).inc()
        finally:
            correlation_id.reset(token)

    # Documented (AsyncAPI) as any of the envelopes it accepts; validated exactly below,
    # by `_parse`, not by FastStream: an older version must reach the upcasters whole.
    envelopes: Any = Annotated[Union[tuple(Envelope[e] for e in handlers)],  # type: ignore[valid-type]  # noqa: UP007
                               SkipValidation]
    consume.__annotations__ = {"body": envelopes, "message": KafkaMessage, "return": None}
    broker.subscriber(
        *by_topic,
        group_id=settings.consumer_group(),
        ack_policy=AckPolicy.NACK_ON_ERROR,
        auto_offset_reset="earliest",
        description=" ".join((handler.__doc__ or event.TYPE).strip()
                             for event, handler in handlers.items()),
    )(consume)


def subscribe_batches(broker: KafkaBroker, settings: ServiceSettings,
                      events: Sequence[type[EventPayload]], handler: BatchHandler, *,
                      max_records: int, timeout_ms: int, description: str | None = None) -> None:
    """One subscriber for the topics of `events`; `handler` gets their events in batches.

    Each record is parsed alone: a poison record goes to its dead-letter topic and
    the rest of the batch goes on. An outage raised by the handler is retried with
    the whole batch by the broker's middleware (handlers are idempotent). Any other
    failure: the batch is handled again one event at a time, and the events that
    still fail are dead-lettered one by one. Offsets are committed after the batch.
    """
    topics = Topics(settings.topic_prefix)
    by_topic = {topics(event.TYPE): event for event in events}
    dead_letters = DeadLetters(settings.consumer_max_attempts)
    dead_letters.broker = broker

    async def dead_letter(record: ConsumerRecord[bytes, bytes], error: BaseException) -> None:
        one = _OneRecord(record, record.value or b"")
        await dead_letters.send(cast(StreamMessage[Any], one), error, 1)

    async def consume(bodies: list[bytes], message: KafkaMessage) -> None:
        parsed: list[tuple[ConsumerRecord[bytes, bytes], Envelope[Any]]] = []
        for record in cast(tuple[ConsumerRecord[bytes, bytes], ...], message.raw_message):
            try:
                parsed.append((record, _parse(record.value or b"", by_topic[record.topic])))
            except POISON as error:
                await dead_letter(record, error)
        if parsed:
            await _handle(handler, parsed, dead_letter)
        for _, envelope in parsed:
            metrics.EVENTS_CONSUMED.labels(envelope.type).inc()

    broker.subscriber(
        *by_topic,
        group_id=settings.consumer_group(),
        batch=True,
        max_records=max_records,
        batch_timeout_ms=timeout_ms,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        auto_offset_reset="earliest",
        decoder=_raw_values,
        description=description or handler.__doc__,
    )(consume)


@dataclass(frozen=True)
class _OneRecord:
    """The two attributes `DeadLetters.send` reads, for one record of a batch."""

    raw_message: ConsumerRecord[bytes, bytes]
    body: bytes


async def _raw_values(message: StreamMessage[Any]) -> list[bytes]:
    # No FastStream decoding: each record is parsed by `_parse`, so that one bad
    # record is dead-lettered alone instead of failing the whole batch.
    return [record.value or b"" for record in message.raw_message]


async def _handle(handler: BatchHandler,
                  parsed: list[tuple[ConsumerRecord[bytes, bytes], Envelope[Any]]],
                  dead_letter: Callable[[ConsumerRecord[bytes, bytes], BaseException],
                                        Awaitable[None]]) -> None:
    try:
        await handler([envelope for _, envelope in parsed])
        return
    except OUTAGE:
        raise  # the middleware waits the outage out and retries the whole batch
    except Exception:
        log.exception("batch failed; handling its events one by one")
    for record, envelope in parsed:
        token = correlation_id.set(envelope.correlation_id or envelope.event_id)
        try:
            await handler([envelope])
        except OUTAGE:
            raise
        except Exception as error:
            await dead_letter(record, error)
        finally:
            correlation_id.reset(token)


def _parse(value: bytes, event: type[EventPayload]) -> Envelope[Any]:
    # The raw bytes, not FastStream's decoding: what is not an event of this
    # topic's type and version raises here and is dead-lettered as poison.
    envelope = parse_event(value, expected_type=event.TYPE)
    if envelope.version != event.VERSION:
        raise UnknownEvent(f"{event.TYPE} version {envelope.version} is not known here")
    return envelope
