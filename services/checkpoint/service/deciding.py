"""A decision: pass, refuse or refer, recorded once per scan, with its events.

The passage document carries its `checkpoint.passed` / `checkpoint.refused`
events in its outbox and is keyed by the scan id: a double tap, or a queued
decision sent twice, is one passage. The same decision again answers the
passage recorded first; a different one is refused (AlreadyDecided).

A decision cannot precede what was scanned: its time (`at`, for a decision queued
offline) must not be before the QR's issue time (the declaration's submission for a
lookup by national ID), or timelines would show a passage before the declaration.
The offline path checks it when it verifies the token; a decision on a scan made
online is checked against the issue time the scan recorded. Within the clock skew
allowed it is moved to the issue time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from libs.contracts.envelope import utcnow
from libs.contracts.events.checkpoint import Direction, RefusalReason
from libs.runtime.auth import Principal, Role
from libs.runtime.logs import correlation_id
from services.checkpoint import metrics
from services.checkpoint.domain.errors import (
    AlreadyDecided,
    CheckpointForbidden,
    InvalidDecision,
    PassageNotFound,
    PassBlocked,
    ScanNotFound,
)
from services.checkpoint.domain.passage_events import (
    Place,
    Traveller,
    crew_passage_id,
    passage_event,
)
from services.checkpoint.domain.recommendation import Decision
from services.checkpoint.domain.records import DecisionRequest, EventRef, Passage, Refusal, Scan
from services.checkpoint.domain.venues import is_venue
from services.checkpoint.service.ports import Outbox, Passages, Scans, Views
from services.checkpoint.service.scanning import Scanning
from services.checkpoint.service.venue_stays import VenueStays

CLOCK_SKEW = timedelta(minutes=2)


class Deciding:
    def __init__(self, scanning: Scanning, scans: Scans, passages: Passages, views: Views,
                 stays: VenueStays, outbox: Outbox, offline_max_age: timedelta) -> None:
        self.scanning, self.scans, self.passages = scanning, scans, passages
        self.views, self.stays = views, stays
        self.outbox, self.offline_max_age = outbox, offline_max_age

    async def decide(self, who: Principal, req: DecisionRequest) -> tuple[Passage, bool]:
        """(the passage, True when this request recorded it)."""
        at = self._when(req.at)
        scan = await self._scan(who, req, at)
        at = _not_before_issue(at, scan)
        checkpoint = await self.scanning.checkpoint(who, scan.checkpoint_id)
        place = checkpoint.place
        direction = _direction(req.direction, place)
        refusals = _refusals(req, scan)
        passage = self._passage(who, req, scan, place, direction, refusals, at)
        stored, created = await self.passages.add_passage(passage)
        if not created and stored.outcome() != passage.outcome():
            raise AlreadyDecided(stored.decision.value, stored.direction.value)
        self.outbox.wake(stored.passage_id)
        if created:
            metrics.PASSAGES.labels(stored.decision.value, "officer").inc()
        await self._note_refusals(stored)  # also on a repeat: completes a crash in between
        if scan.kind == "declaration" and is_venue(place.kind) and stored.decision == Decision.pass_:
            # Also on a repeat: it completes what a crash may have left half done.
            await self.stays.after_passage(stored, checkpoint)
        return stored, created

    async def passage(self, who: Principal, passage_id: str) -> Passage:
        """One passage (an officer: only at their checkpoints)."""
        found = await self.passages.passage(passage_id)
        if found is None:
            raise PassageNotFound(passage_id)
        if who.role == Role.officer and found.checkpoint_id not in who.scope:
            raise CheckpointForbidden(found.checkpoint_id)
        return found

    async def _note_refusals(self, passage: Passage) -> None:
        for ref in passage.refs:
            if ref.reason and ref.subject_id:
                await self.views.note_refusal(ref.subject_id, ref.passage_id, Refusal(
                    at=passage.at, checkpoint_id=passage.checkpoint_id, reason=ref.reason))

    def _when(self, at: datetime | None) -> datetime:
        now = utcnow()
        if at is None:
            return now
        if at > now + CLOCK_SKEW:
            raise InvalidDecision("at", "at_in_future")
        if at < now - self.offline_max_age:
            raise InvalidDecision("at", "at_too_old")
        return at

    async def _scan(self, who: Principal, req: DecisionRequest, at: datetime) -> Scan:
        scan = await self.scans.scan(req.scan_id)
        if scan is None and req.token and req.checkpoint_id:
            # Scanned offline: check the token now, as of the time the officer decided.
            await self.scanning.by_token(who, req.checkpoint_id, req.token, req.scan_id,
                                         at=at, via="offline")
            scan = await self.scans.scan(req.scan_id)
        if scan is None:
            raise ScanNotFound(req.scan_id)
        return scan

    def _passage(self, who: Principal, req: DecisionRequest, scan: Scan, place: Place,
                 direction: Direction, refusals: list[tuple[Traveller, RefusalReason | None]],
                 at: datetime) -> Passage:
        plate = req.vehicle_plate or scan.plate
        person = scan.kind == "declaration"
        events = [passage_event(req.scan_id if person else crew_passage_id(
                                    req.scan_id, traveller.declaration_id),
                                traveller, place, direction=direction, officer_id=who.subject,
                                at=at, plate=plate, refusal=reason,
                                correlation_id=correlation_id.get())
                  for traveller, reason in refusals]
        reason = next((r for _, r in refusals if r is not None), None)
        return Passage(
            passage_id=req.scan_id, place=place, officer_id=who.subject,
            decision=req.decision, reason=reason.value if reason else None,
            direction=direction, vehicle_plate=plate, at=at, travellers=scan.travellers,
            source="officer", recorded_at=utcnow(),
            refs=[EventRef(type=e.type, passage_id=e.payload.passage_id,
                           declaration_id=e.payload.declaration_id,
                           subject_id=e.payload.subject_id,
                           reason=refusal.value if refusal else None)
                  for e, (_, refusal) in zip(events, refusals, strict=True)],
            events=events)


def _not_before_issue(at: datetime, scan: Scan) -> datetime:
    if scan.issued_at is None:  # scans stored before it have none
        return at
    if at < scan.issued_at - CLOCK_SKEW:
        raise InvalidDecision("at", "at_before_issue")
    return max(at, scan.issued_at)


def _direction(requested: Direction | None, place: Place) -> Direction:
    if requested is not None:
        return requested
    if is_venue(place.kind):
        raise InvalidDecision("direction", "direction_required")
    return Direction.through


def _refusals(req: DecisionRequest, scan: Scan) -> list[tuple[Traveller, RefusalReason | None]]:
    """Each traveller with what their event records: None for a pass."""
    travellers = scan.travellers
    if req.decision == Decision.pass_:
        if req.reason is not None:
            raise InvalidDecision("reason", "reason_with_pass")
        if not scan.may_pass:
            raise PassBlocked(req.scan_id)
        return [(t, None) for t in travellers]
    if req.decision == Decision.refer:
        return [(t, RefusalReason.referred_to_medical) for t in travellers]
    if req.reason is not None:
        return [(t, req.reason) for t in travellers]
    if scan.kind == "vehicle":
        return [(r.traveller, r.reason) for r in scan.crew_refusals]
    if scan.suggested_refusal is not None:
        return [(t, scan.suggested_refusal) for t in travellers]
    raise InvalidDecision("reason", "reason_required")
