"""The batch consumer of `declaration.submitted`.

Declarations are taken from Kafka in batches (up to `batch_max_records`) so that
one registry round and one insert serve many of them. The shared `subscribe`
handles one message at a time, so this module does the same duties per record:
poison records go to the dead-letter topic one by one (the rest of the batch
goes on), an outage of the store or Kafka is retried by the broker middleware
with the whole batch, and offsets are committed only after the batch is stored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, cast

from aiokafka import ConsumerRecord
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.message import StreamMessage
from faststream.middlewares import AckPolicy

from libs.contracts import topics
from libs.contracts.envelope import Envelope, UnknownEvent, parse_event
from libs.contracts.events.declaration import DeclarationSubmitted
from libs.contracts.topics import Topics
from libs.runtime import metrics
from libs.runtime.kafka import OUTAGE, POISON, DeadLetters
from services.identity_verification.settings import Settings
from services.identity_verification.verifier import Verifier

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _OneRecord:
    """The two attributes `DeadLetters.send` reads, for one record of a batch."""

    raw_message: ConsumerRecord[bytes, bytes]
    body: bytes


async def raw_values(message: StreamMessage[Any]) -> list[bytes]:
    # Skip FastStream's JSON decoding: each record is parsed here, so that one bad
    # record is dead-lettered alone instead of failing the whole batch.
    return [record.value or b"" for record in message.raw_message]


def register(broker: KafkaBroker, settings: Settings, verifier: Verifier) -> None:
    dead_letters = DeadLetters(settings.consumer_max_attempts)
    dead_letters.broker = broker

    async def dead_letter(record: ConsumerRecord[bytes, bytes], error: BaseException) -> None:
        message = _OneRecord(record, record.value or b"")
        await dead_letters.send(cast(StreamMessage[Any], message), error, 1)

    async def on_declarations(bodies: list[bytes], message: KafkaMessage) -> None:
        """Verify each declaration against the population registry."""
        records: tuple[ConsumerRecord[bytes, bytes], ...] = message.raw_message
        events: list[tuple[ConsumerRecord[bytes, bytes], Envelope[DeclarationSubmitted]]] = []
        for record in records:
            try:
                events.append((record, _parse(record.value or b"")))
            except POISON as error:
                await dead_letter(record, error)
        await _verify(verifier, events, dead_letter)
        metrics.EVENTS_CONSUMED.labels(topics.DECLARATION_SUBMITTED).inc(len(events))

    broker.subscriber(
        Topics(settings.topic_prefix)(topics.DECLARATION_SUBMITTED),
        group_id=settings.consumer_group(),
        batch=True,
        max_records=settings.batch_max_records,
        batch_timeout_ms=settings.batch_timeout_ms,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        auto_offset_reset="earliest",
        decoder=raw_values,
        description=on_declarations.__doc__,
    )(on_declarations)


def _parse(value: bytes) -> Envelope[DeclarationSubmitted]:
    event = parse_event(value, expected_type=topics.DECLARATION_SUBMITTED)
    if event.version != DeclarationSubmitted.VERSION:
        raise UnknownEvent(f"declaration.submitted version {event.version} is not known here")
    return event


async def _verify(verifier: Verifier, events: list[tuple[Any, Envelope[DeclarationSubmitted]]],
                  dead_letter: Any) -> None:
    if not events:
        return
    try:
        await verifier.verify_batch([event for _, event in events])
        return
    except OUTAGE:
        raise  # the middleware waits the outage out and retries the whole batch
    except Exception:
        log.exception("batch verification failed; verifying one by one")
    for record, event in events:
        try:
            await verifier.verify_batch([event])
        except OUTAGE:
            raise
        except Exception as error:
            await dead_letter(record, error)
