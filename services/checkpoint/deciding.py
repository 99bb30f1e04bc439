"""A decision: pass, refuse or refer, recorded once per scan, with its events.

The passage document carries its `checkpoint.passed` / `checkpoint.refused`
events in its outbox and is keyed by the scan id: a double tap, or a queued
decision sent twice, is one passage. The same decision again answers the
passage recorded first; a different one is a 409.

A decision cannot precede what was scanned: its time (`at`, for a decision queued
offline) must not be before the QR's issue time (the declaration's submission for a
lookup by national ID), or timelines would show a passage before the declaration.
The offline path checks it when it verifies the token; a decision on a scan made
online is checked against the issue time the scan recorded. Within the clock skew
allowed it is moved to the issue time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from libs.contracts.envelope import utcnow
from libs.contracts.events.checkpoint import Direction, RefusalReason
from libs.contracts.vietnam_time import vn_day
from libs.runtime.auth import Principal
from libs.runtime.logs import correlation_id
from libs.runtime.mongo import Document
from libs.runtime.outbox import OutboxRelay, new_outbox, outbox_entry
from services.checkpoint import metrics
from services.checkpoint.domain import Decision
from services.checkpoint.events import Place, Traveller, crew_passage_id, passage_event
from services.checkpoint.messages import conflict, invalid, not_found
from services.checkpoint.passage_models import PassageOut, PassageRequest
from services.checkpoint.scanning import Scanning
from services.checkpoint.stays import VenueStays
from services.checkpoint.store_passages import PassageStore
from services.checkpoint.store_views import ViewStore
from services.checkpoint.venues import is_venue

CLOCK_SKEW = timedelta(minutes=2)


class Deciding:
    def __init__(self, scanning: Scanning, passages: PassageStore, views: ViewStore,
                 stays: VenueStays, relay: OutboxRelay, offline_max_age: timedelta) -> None:
        self.scanning, self.passages, self.views, self.stays = scanning, passages, views, stays
        self.relay, self.offline_max_age = relay, offline_max_age

    async def decide(self, who: Principal, req: PassageRequest) -> tuple[PassageOut, bool]:
        """(the passage, True when this request recorded it)."""
        at = self._when(req.at)
        scan = await self._scan(who, req, at)
        at = _not_before_issue(at, scan)
        checkpoint = await self.scanning.checkpoint(who, scan["checkpoint_id"])
        place = Place.of(checkpoint)
        direction = _direction(req.direction, place)
        refusals = _refusals(req, scan)
        doc = self._document(who, req, scan, place, direction, refusals, at)
        stored, created = await self.passages.add_passage(doc)
        if not created and _outcome(stored) != _outcome(doc):
            raise conflict("already_decided", "Lượt quét này đã có quyết định khác",
                           "This scan was already decided otherwise",
                           {"decision": [stored["decision"]], "direction": [stored["direction"]]})
        self.relay.wake(stored["_id"])
        if created:
            metrics.PASSAGES.labels(stored["decision"], "officer").inc()
        await self._note_refusals(stored)  # also on a repeat: completes a crash in between
        if scan["kind"] == "declaration" and is_venue(place.kind) and stored["decision"] == "pass":
            # Also on a repeat: it completes what a crash may have left half done.
            await self.stays.after_passage(stored, checkpoint)
        return PassageOut.of(stored, duplicate=not created), created

    async def _note_refusals(self, passage: Document) -> None:
        for event in passage["events"]:
            if event.get("reason"):
                await self.views.note_refusal(event["subject_id"], event["passage_id"], {
                    "at": passage["at"], "checkpoint_id": passage["checkpoint_id"],
                    "reason": event["reason"]})

    def _when(self, at: datetime | None) -> datetime:
        now = utcnow()
        if at is None:
            return now
        if at > now + CLOCK_SKEW:
            raise invalid("at", "at_in_future", "Thời điểm quyết định ở tương lai (giờ máy sai?)",
                          "The decision time is in the future (wrong clock?)")
        if at < now - self.offline_max_age:
            raise invalid("at", "at_too_old", "Quyết định lưu ngoại tuyến quá lâu, không nhận",
                          "A decision queued offline for this long is not accepted")
        return at

    async def _scan(self, who: Principal, req: PassageRequest, at: datetime) -> Document:
        scan = await self.passages.scan(req.scan_id)
        if scan is None and req.token and req.checkpoint_id:
            # Scanned offline: check the token now, as of the time the officer decided.
            await self.scanning.by_token(who, req.checkpoint_id, req.token, req.scan_id,
                                         at=at, via="offline")
            scan = await self.passages.scan(req.scan_id)
        if scan is None:
            raise not_found("scan_not_found", "Không có lượt quét này (gửi kèm mã QR nếu quét "
                            "ngoại tuyến)", "No such scan (send the token with a decision "
                            "made offline)")
        return scan

    def _document(self, who: Principal, req: PassageRequest, scan: Document, place: Place,
                  direction: Direction, refusals: list[tuple[Traveller, RefusalReason | None]],
                  at: datetime) -> Document:
        plate = req.vehicle_plate or scan.get("plate")
        person = scan["kind"] == "declaration"
        events = [passage_event(req.scan_id if person else crew_passage_id(
                                    req.scan_id, who_.declaration_id),
                                who_, place, direction=direction, officer_id=who.subject,
                                at=at, plate=plate, refusal=reason,
                                correlation_id=correlation_id.get())
                  for who_, reason in refusals]
        reason = next((r for _, r in refusals if r is not None), None)
        return {
            "_id": req.scan_id, "checkpoint_id": place.checkpoint_id, "kind": place.kind.value,
            "ward_code": place.ward_code, "officer_id": who.subject,
            "decision": req.decision.value, "reason": reason.value if reason else None,
            "direction": direction.value, "vehicle_plate": plate, "at": at,
            "declaration_ids": [t["declaration_id"] for t in scan["travellers"]],
            "subject_ids": [t["subject_id"] for t in scan["travellers"]],
            "refused": req.decision != Decision.pass_, "source": "officer",
            "day": vn_day(at).isoformat(), "recorded_at": utcnow(),
            "events": [{"type": e.type, "passage_id": e.payload.passage_id,
                        "declaration_id": e.payload.declaration_id,
                        "subject_id": e.payload.subject_id,
                        "reason": getattr(e.payload, "reason", None)} for e in events],
            **new_outbox(*(outbox_entry(e, key=e.payload.subject_id) for e in events)),
        }


def _not_before_issue(at: datetime, scan: Document) -> datetime:
    issued: datetime | None = scan.get("issued_at")  # scans stored before it have none
    if issued is None:
        return at
    if at < issued - CLOCK_SKEW:
        raise invalid("at", "at_before_issue", "Thời điểm quyết định trước khi mã QR được cấp",
                      "The decision time is before the QR code was issued")
    return max(at, issued)


def _direction(requested: Direction | None, place: Place) -> Direction:
    if requested is not None:
        return requested
    if is_venue(place.kind):
        raise invalid("direction", "direction_required", "Chọn vào hay ra", "Say whether the "
                      "person is checking in (in) or out (out)")
    return Direction.through


def _refusals(req: PassageRequest, scan: Document) -> list[tuple[Traveller, RefusalReason | None]]:
    """Each traveller with what their event records: None for a pass."""
    travellers = [Traveller(t["declaration_id"], t["subject_id"]) for t in scan["travellers"]]
    if req.decision == Decision.pass_:
        if req.reason is not None:
            raise invalid("reason", "reason_with_pass", "Cho qua thì không cần lý do",
                          "A pass takes no reason")
        if not scan["may_pass"]:
            raise conflict("pass_blocked", "Không được cho qua lượt quét này (xem lý do)",
                           "Passing is not allowed for this scan (see its reasons)")
        return [(t, None) for t in travellers]
    if req.decision == Decision.refer:
        return [(t, RefusalReason.referred_to_medical) for t in travellers]
    if req.reason is not None:
        return [(t, req.reason) for t in travellers]
    if scan["kind"] == "vehicle":
        return [(Traveller(r["declaration_id"], r["subject_id"]), RefusalReason(r["reason"]))
                for r in scan["crew_refusals"]]
    if scan.get("suggested_refusal"):
        return [(t, RefusalReason(scan["suggested_refusal"])) for t in travellers]
    raise invalid("reason", "reason_required", "Chọn lý do từ chối", "Give a refusal reason")


def _outcome(doc: dict[str, Any]) -> tuple[Any, ...]:
    return doc["decision"], doc["direction"], doc["reason"], doc["vehicle_plate"]
