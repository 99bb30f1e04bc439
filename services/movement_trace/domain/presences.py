"""From checkpoint events to presences, and when two presences are a contact (pure).

A presence is a time interval at one checkpoint:

- `through` passages and refusals are moments (start == end);
- at venues an `in` opens a stay that the next `out` of the same person at
  the same place closes, if it comes within `max_stay` (the checkpoint service
  checks people out automatically; the cap is the fallback for a missing out);
- an `in` without an `out` within `max_stay` is a stay of exactly `max_stay`
  (cut short by the person's next `in` there, if sooner), marked `inferred_end`;
- an `out` with no open stay is a moment (we know they were there then).

Two presences at the same checkpoint are a contact when both are stays that
overlap for a positive time (stays that only touch are not), or, when one of
them is a moment, when they are at most W apart.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.movement_trace.domain.movements import Movement, MovementKind

# Within one instant an `out` closes the old stay before an `in` opens a new one.
_ORDER = {"out": 0, "through": 1, "in": 2}


@dataclass(frozen=True)
class Presence:
    subject_id: str
    checkpoint_id: str
    checkpoint_kind: str | None
    ward_code: str | None
    start: datetime
    end: datetime
    stay: bool
    inferred_end: bool = False

    def intersects(self, start: datetime, end: datetime) -> bool:
        """Touches [start, end): the window's end is exclusive, as for timelines."""
        return self.start < end and self.end >= start


def _moment(m: Movement) -> Presence:
    assert m.checkpoint_id is not None
    return Presence(m.subject_id, m.checkpoint_id, m.checkpoint_kind, m.ward_code, m.at, m.at,
                    stay=False)


def _stay(opened: Movement, end: datetime, inferred: bool) -> Presence:
    assert opened.checkpoint_id is not None
    return Presence(opened.subject_id, opened.checkpoint_id, opened.checkpoint_kind,
                    opened.ward_code, opened.at, end, stay=True, inferred_end=inferred)


def _pair(events: list[Movement], max_stay: timedelta) -> list[Presence]:
    """One person's events at one checkpoint, in time order → presences."""
    out: list[Presence] = []
    opened: Movement | None = None
    for m in events:
        if opened is not None and m.at - opened.at > max_stay:
            out.append(_stay(opened, opened.at + max_stay, inferred=True))
            opened = None
        if m.kind == MovementKind.refused or m.direction not in ("in", "out"):
            out.append(_moment(m))
        elif m.direction == "in":
            if opened is not None:
                out.append(_stay(opened, m.at, inferred=True))
            opened = m
        elif opened is not None:
            out.append(_stay(opened, m.at, inferred=False))
            opened = None
        else:
            out.append(_moment(m))
    if opened is not None:
        out.append(_stay(opened, opened.at + max_stay, inferred=True))
    return out


def presences(movements: Iterable[Movement], max_stay: timedelta) -> list[Presence]:
    """Every presence in `movements` (any people, any checkpoints), sorted by start."""
    groups: dict[tuple[str, str], dict[str, Movement]] = defaultdict(dict)
    for m in movements:
        if m.is_presence:
            assert m.checkpoint_id is not None
            groups[(m.subject_id, m.checkpoint_id)][m.source_event_id] = m  # dedupe by event
    found: list[Presence] = []
    for events in groups.values():
        ordered = sorted(events.values(),
                         key=lambda m: (m.at, _ORDER.get(m.direction or "", 1), m.source_event_id))
        found.extend(_pair(ordered, max_stay))
    return sorted(found, key=lambda p: (p.start, p.subject_id, p.checkpoint_id))


def is_contact(a: Presence, b: Presence, window: timedelta) -> bool:
    if a.checkpoint_id != b.checkpoint_id or a.subject_id == b.subject_id:
        return False
    if a.stay and b.stay:
        return a.start < b.end and b.start < a.end
    gap = max(a.start - b.end, b.start - a.end, timedelta(0))
    return gap <= window


def search_span(p: Presence, window: timedelta, max_stay: timedelta) -> tuple[datetime, datetime]:
    """The time range of a checkpoint's events that decides every contact of `p`.

    Another person's presence that could touch `p` starts at most `max_stay + W`
    before it; pairing that presence needs their events up to `max_stay` after its start.
    """
    margin = window + max_stay
    return p.start - margin, p.end + margin
