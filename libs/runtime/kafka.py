"""The Kafka side of a service: broker factory, dead letters, consumer lag (subscriptions:
libs/runtime/subscription.py).

Delivery is at-least-once: offsets are committed only after the handler
returned (`AckPolicy.NACK_ON_ERROR`), and handlers are idempotent. A message
that cannot be an event (not JSON, wrong schema, a version no upcaster reaches) goes to
`<topic>.dlq` at once; a handler that keeps failing for another reason goes
there after `consumer_max_attempts`; an outage of the store or of Kafka is
waited out, never dead-lettered, so nothing is lost while a server restarts.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka.errors import KafkaError
from faststream import BaseMiddleware
from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage
from pydantic import ValidationError
from pymongo.errors import ConnectionFailure

from libs.contracts.envelope import UnknownEvent
from libs.contracts.topics import dlq
from libs.runtime import metrics
from libs.runtime.logs import log_fields
from libs.runtime.settings import ServiceSettings

log = logging.getLogger(__name__)

POISON = (ValidationError, UnknownEvent, UnicodeDecodeError, json.JSONDecodeError)
OUTAGE = (ConnectionFailure, KafkaError, ConnectionError, asyncio.TimeoutError)
MAX_BACKOFF_S = 5.0


class DeadLetters:
    """Middleware factory: FastStream calls it once per message."""

    def __init__(self, max_attempts: int) -> None:
        self.max_attempts = max_attempts
        self.broker: KafkaBroker | None = None

    def __call__(self, msg: Any, /, **kwargs: Any) -> _DeadLetterScope:
        return _DeadLetterScope(msg, policy=self, **kwargs)

    async def send(self, message: StreamMessage[Any], error: BaseException, attempts: int) -> None:
        record = message.raw_message
        assert self.broker is not None, "DeadLetters.broker is set by make_broker"
        headers = {
            "x-error": f"{type(error).__name__}: {error}"[:2000],
            "x-attempts": str(attempts),
            "x-original-topic": record.topic,
            "x-original-partition": str(record.partition),
            "x-original-offset": str(record.offset),
        }
        await self.broker.publish(message.body, topic=dlq(record.topic), key=record.key,
                                  headers=headers)
        metrics.DEAD_LETTERS.labels(record.topic).inc()
        log.warning("dead-lettered a message", extra=log_fields(
            topic=record.topic, partition=record.partition, offset=record.offset,
            attempts=attempts, error=headers["x-error"]))


class _DeadLetterScope(BaseMiddleware):
    def __init__(self, msg: Any, /, *, policy: DeadLetters, **kwargs: Any) -> None:
        super().__init__(msg, **kwargs)
        self.policy = policy

    async def consume_scope(self, call_next: Callable[..., Awaitable[Any]],
                            msg: StreamMessage[Any]) -> Any:
        attempt, backoff = 0, 0.1
        while True:
            attempt += 1
            try:
                return await call_next(msg)
            except POISON as error:
                return await self.policy.send(msg, error, attempt)
            except OUTAGE as error:
                # A dependency is down: wait it out, keep the partition in order.
                log.warning("dependency unavailable, retrying",
                            extra=log_fields(error=repr(error), attempt=attempt))
            except Exception as error:
                if attempt >= self.policy.max_attempts:
                    return await self.policy.send(msg, error, attempt)
                log.exception("handler failed", extra=log_fields(attempt=attempt))
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_S)


async def record_lag(broker: KafkaBroker) -> None:
    """Consumer lag of every partition assigned to this replica, into `/metrics`:
    the high-water mark the last fetch saw, minus the position of the consumer."""
    for subscriber in broker.subscribers:
        consumer = getattr(subscriber, "consumer", None)
        if consumer is None:
            continue
        for tp in consumer.assignment():
            highwater = consumer.highwater(tp)
            if highwater is None:  # nothing fetched from it yet
                continue
            position = await consumer.position(tp)
            metrics.CONSUMER_LAG.labels(tp.topic, str(tp.partition)).set(
                max(0, highwater - position))


def make_broker(settings: ServiceSettings) -> KafkaBroker:
    """One broker per service: idempotent producer, acks from all in-sync replicas."""
    dead_letters = DeadLetters(settings.consumer_max_attempts)
    broker = KafkaBroker(
        settings.kafka_bootstrap,
        client_id=settings.service_name,
        enable_idempotence=True,
        acks="all",
        linger_ms=2,
        middlewares=[dead_letters],
        logger=logging.getLogger(f"{settings.service_name}.kafka"),
        log_level=logging.DEBUG,
    )
    dead_letters.broker = broker
    return broker
