"""One sort key for "as the events happened", used by every projection."""

from __future__ import annotations

from datetime import UTC, datetime


def order_key(moment: datetime, event_id: str) -> str:
    """UTC time to the microsecond, then the time-ordered UUIDv7 event id: two events of
    the same microsecond still sort one way, the same in every service."""
    return f"{moment.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%f')}|{event_id}"
