"""Upcasters: how an event published in an old schema version is read as the current one.

DESIGN.md §3: a breaking change to a payload bumps its `VERSION` and adds an
upcaster. An upcaster is a plain function from the JSON payload of version n to
the JSON payload of version n + 1, registered for `(type, n)`. The decoder
(`envelope.parse_event`) applies them in a chain before it validates, so a
consumer only ever sees the current version and holds no code for old ones;
what no chain reaches (a gap, or a version newer than this code) stays poison
and is dead-lettered, as before.

Why payload dicts and not old model classes: an old version needs no class of
its own to be read, only the steps that move its JSON forward; they work on the
bytes Kafka, the outbox and parked events hold, before any validation.

Where they live: next to the payload class, in its `libs/contracts/events/`
module, e.g. for a v2 that made a departure day a moment::

    @upcaster(topics.DECLARATION_SUBMITTED, from_version=1)
    def _departure_moment(payload: JsonObject) -> JsonObject:
        trip = dict(payload["trip"])
        trip["departs_at"] = f"{trip.pop('departure_date')}T00:00:00+07:00"
        return {**payload, "trip": trip}

Versions so far: every event type is at version 1. The payloads did change
(`git log -p libs/contracts/events/`), but only by optional fields with
defaults and by loosened constraints (a passport instead of a national ID), so
every payload ever published still validates as version 1 and no version was
bumped: a bump would make consumers not yet deployed dead-letter the new
events for nothing. tests/unit/event_samples/ keeps one stored envelope per
type, as published today and as first published, that must keep decoding.
"""

from __future__ import annotations

from collections.abc import Callable

from libs.contracts.jsontypes import JsonObject

Upcaster = Callable[[JsonObject], JsonObject]


class MissingUpcaster(LookupError):
    """No upcaster from this version of this type: the chain to the current one is broken."""


_UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def upcaster(event_type: str, *, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Register the decorated function as the step from `from_version` to the next one."""
    def register(step: Upcaster) -> Upcaster:
        key = (event_type, from_version)
        if key in _UPCASTERS:  # two steps from one version would make the chain ambiguous
            raise ValueError(f"an upcaster from {event_type} v{from_version} exists already")
        _UPCASTERS[key] = step
        return step
    return register


def upcast(event_type: str, payload: JsonObject, *, from_version: int,
           to_version: int) -> JsonObject:
    """`payload` of `from_version` moved step by step to `to_version`."""
    for version in range(from_version, to_version):
        try:
            step = _UPCASTERS[(event_type, version)]
        except KeyError:
            raise MissingUpcaster(
                f"no upcaster from {event_type!r} version {version}") from None
        payload = step(payload)
    return payload


__all__ = ["JsonObject", "MissingUpcaster", "Upcaster", "upcast", "upcaster"]
