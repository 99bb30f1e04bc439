"""Kafka topic names of the event catalogue (DESIGN.md §3).

A topic name equals the `type` of the events it carries. Tests and parallel
environments put a prefix in front of every name (`Topics(prefix)`), so that
each test has topics of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

DECLARATION_SUBMITTED = "declaration.submitted"
IDENTITY_VERIFIED = "identity.verified"
IDENTITY_REJECTED = "identity.rejected"
CHECKPOINT_PASSED = "checkpoint.passed"
CHECKPOINT_REFUSED = "checkpoint.refused"
ZONE_LEVEL_CHANGED = "zone.level_changed"
WARD_NOTIFIED = "ward.notified"
TRACE_ACCESSED = "trace.accessed"
CASE_CONFIRMED = "case.confirmed"
QUARANTINE_ORDERED = "quarantine.ordered"
QUARANTINE_RELEASED = "quarantine.released"
FOLLOWUP_RECORDED = "followup.recorded"
VEHICLE_DECLARED = "vehicle.declared"
CHECKPOINT_SCANNED = "checkpoint.scanned"
PERSON_REVEALED = "person.revealed"
ARRIVAL_REGISTERED = "arrival.registered"

EVENT_TOPICS: tuple[str, ...] = (
    DECLARATION_SUBMITTED,
    IDENTITY_VERIFIED,
    IDENTITY_REJECTED,
    CHECKPOINT_PASSED,
    CHECKPOINT_REFUSED,
    ZONE_LEVEL_CHANGED,
    WARD_NOTIFIED,
    TRACE_ACCESSED,
    CASE_CONFIRMED,
    QUARANTINE_ORDERED,
    QUARANTINE_RELEASED,
    FOLLOWUP_RECORDED,
    VEHICLE_DECLARED,
    CHECKPOINT_SCANNED,
    PERSON_REVEALED,
    ARRIVAL_REGISTERED,
)

DLQ_SUFFIX = ".dlq"


def dlq(topic: str) -> str:
    """The dead-letter topic that holds poison messages of `topic`."""
    return topic + DLQ_SUFFIX


ALL_TOPICS: tuple[str, ...] = EVENT_TOPICS + tuple(dlq(t) for t in EVENT_TOPICS)


@dataclass(frozen=True)
class Topics:
    """Resolves catalogue names to the physical topic names of one environment."""

    prefix: str = ""

    def __call__(self, name: str) -> str:
        return self.prefix + name

    def all(self) -> list[str]:
        return [self(name) for name in ALL_TOPICS]
