"""The envelope every event travels in (DESIGN.md §3).

A payload class names its own `TYPE` (equal to its topic) and schema `VERSION`;
`Envelope.wrap` fills in the rest. `parse_event` turns bytes from Kafka back
into a typed envelope of the current version, moving an older payload forward
through its upcasters (libs/contracts/upcasting.py); it refuses unknown types
and versions no upcaster reaches (and newer ones) so that the consumer can
dead-letter them instead of guessing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, TypeVar, cast

import uuid_utils
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from libs.contracts.upcasting import MissingUpcaster, upcast


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
# Per type, the class producers publish now: what every version is upcast to.
_CURRENT: dict[str, type[EventPayload]] = {}


def register(*payload_classes: type[EventPayload]) -> None:
    for cls in payload_classes:
        _PAYLOADS[(cls.TYPE, cls.VERSION)] = cls
        current = _CURRENT.get(cls.TYPE)
        if current is None or cls.VERSION > current.VERSION:
            _CURRENT[cls.TYPE] = cls


def payload_class(event_type: str, version: int = 1) -> type[EventPayload]:
    try:
        return _PAYLOADS[(event_type, version)]
    except KeyError:
        raise UnknownEvent(f"unknown event {event_type!r} version {version}") from None


def current_payload_class(event_type: str) -> type[EventPayload]:
    """The newest registered version of `event_type`, the one consumers receive."""
    try:
        return _CURRENT[event_type]
    except KeyError:
        raise UnknownEvent(f"unknown event {event_type!r}") from None


class _Header(BaseModel):
    type: str
    version: int


def parse_event(raw: bytes | str, expected_type: str | None = None) -> Envelope[Any]:
    """Validate raw JSON into the typed envelope of its type, at the current version.

    An older version is upcast first; the envelope then says the current version.
    Raises `UnknownEvent` or pydantic's `ValidationError`; both mean poison.
    """
    header = _Header.model_validate_json(raw, strict=False)
    if expected_type is not None and header.type != expected_type:
        raise UnknownEvent(f"expected {expected_type!r}, got {header.type!r}")
    cls = current_payload_class(header.type)
    if header.version > cls.VERSION:
        raise UnknownEvent(f"unknown event {header.type!r} version {header.version}: "
                           f"newer than version {cls.VERSION}, the newest known here")
    if header.version < cls.VERSION:
        raw = _upcast(raw, header.type, header.version, cls.VERSION)
    return Envelope[cls].model_validate_json(raw)  # type: ignore[valid-type]


def _upcast(raw: bytes | str, event_type: str, version: int, current: int) -> str:
    """The envelope JSON with its payload moved from `version` to `current`.

    It goes back to JSON so that the result is validated exactly like a current
    event off the wire (JSON mode: strict fields, dates from strings)."""
    document = json.loads(raw)
    payload = document.get("payload")
    if not isinstance(payload, dict):
        raise UnknownEvent(f"{event_type!r} version {version}: the payload is not an object")
    try:
        document["payload"] = upcast(event_type, payload, from_version=version,
                                     to_version=current)
    except MissingUpcaster as error:
        raise UnknownEvent(f"unknown event {event_type!r} version {version}: {error}") from None
    except (KeyError, TypeError, ValueError) as error:
        # An old payload the step cannot read is as poisonous as one that fails validation.
        raise UnknownEvent(f"{event_type!r} version {version} could not be upcast: "
                           f"{error!r}") from error
    document["version"] = current
    return json.dumps(document)


__all__ = ["Envelope", "EventPayload", "UnknownEvent", "ValidationError", "current_payload_class",
           "new_event_id", "parse_event", "payload_class", "register", "utcnow"]
