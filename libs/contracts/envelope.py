"""The envelope every event travels in (DESIGN.md §3).

A payload class names its own `TYPE` (equal to its topic) and schema `VERSION`;
`Envelope.wrap` fills in the rest. `parse_event` turns bytes from Kafka back
into a typed envelope, refusing unknown types and versions so that the
consumer can dead-letter them instead of guessing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, TypeVar, cast

import uuid_utils
from pydantic import BaseModel, ConfigDict, Field, ValidationError


class EventPayload(BaseModel):
    """Base of every event body."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    TYPE: ClassVar[str]
    VERSION: ClassVar[int] = 1


P = TypeVar("P", bound=EventPayload)


def new_event_id() -> str:
    """UUIDv7: unique and roughly time-ordered, so ids sort the way events happened."""
    return str(uuid_utils.uuid7())


def utcnow() -> datetime:
    return datetime.now(UTC)


class Envelope(BaseModel, Generic[P]):
    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: str = Field(description="UUIDv7; consumers deduplicate on it")
    type: str = Field(description="event type, equal to its topic", examples=["declaration.submitted"])
    version: int = Field(ge=1, description="schema version of the payload")
    occurred_at: datetime = Field(description="UTC time the fact happened")
    producer: str = Field(description="name of the service that produced it")
    correlation_id: str | None = Field(None, description="the request or flow this belongs to")
    causation_id: str | None = Field(None, description="event_id of the event that caused it")
    payload: P

    @classmethod
    def wrap(cls, payload: P, *, producer: str, correlation_id: str | None = None,
             causation_id: str | None = None, occurred_at: datetime | None = None) -> Envelope[P]:
        """A new event. `correlation_id` names the request or flow it belongs to; every
        event carries one: without it (a flow no request started, say a scheduled job)
        the event starts a flow of its own, named by its own id."""
        typed: Any = Envelope[type(payload)]  # type: ignore[misc]
        event_id = new_event_id()
        return cast(Envelope[P], typed(
            event_id=event_id,
            type=payload.TYPE,
            version=payload.VERSION,
            occurred_at=occurred_at or utcnow(),
            producer=producer,
            correlation_id=correlation_id or event_id,
            causation_id=causation_id,
            payload=payload,
        ))

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()


class UnknownEvent(ValueError):
    """Bytes that are not an event this code knows (type or version)."""


_PAYLOADS: dict[tuple[str, int], type[EventPayload]] = {}


def register(*payload_classes: type[EventPayload]) -> None:
    for cls in payload_classes:
        _PAYLOADS[(cls.TYPE, cls.VERSION)] = cls


def payload_class(event_type: str, version: int = 1) -> type[EventPayload]:
    try:
        return _PAYLOADS[(event_type, version)]
    except KeyError:
        raise UnknownEvent(f"unknown event {event_type!r} version {version}") from None


class _Header(BaseModel):
    type: str
    version: int


def parse_event(raw: bytes | str, expected_type: str | None = None) -> Envelope[Any]:
    """Validate raw JSON into the typed envelope of its type and version.

    Raises `UnknownEvent` or pydantic's `ValidationError`; both mean poison.
    """
    header = _Header.model_validate_json(raw, strict=False)
    if expected_type is not None and header.type != expected_type:
        raise UnknownEvent(f"expected {expected_type!r}, got {header.type!r}")
    cls = payload_class(header.type, header.version)
    return Envelope[cls].model_validate_json(raw)  # type: ignore[valid-type]


__all__ = ["Envelope", "EventPayload", "UnknownEvent", "ValidationError", "new_event_id",
           "parse_event", "payload_class", "register", "utcnow"]
