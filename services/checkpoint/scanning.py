"""A scan: check the token offline, find the declaration (or vehicle), recommend.

Every scan is stored under the scanner's scan id, with a snapshot of what the
officer was shown (who travels, whether they may pass, what a refusal would be
recorded as), so that the decision that follows — perhaps queued offline and
sent hours later — is judged on what the officer saw.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Literal

from libs.contracts.envelope import Envelope, new_event_id, utcnow
from libs.contracts.events.checkpoint import CheckpointScanned
from libs.contracts.values import passport_subject_id, subject_id_for
from libs.contracts.vietnam_time import vn_day
from libs.runtime.auth import Principal, Role
from libs.runtime.errors import ApiError
from libs.runtime.logs import correlation_id
from libs.runtime.mongo import Document
from libs.runtime.outbox import new_outbox, outbox_entry
from libs.runtime.qr_tokens import Kind, QrClaims, QrTokenError
from services.checkpoint import domain, greenlane, metrics
from services.checkpoint.domain import Reason
from services.checkpoint.events import PRODUCER
from services.checkpoint.facts import Facts
from services.checkpoint.keys import KeyCache, KeysUnavailable
from services.checkpoint.messages import conflict, not_found, token_error
from services.checkpoint.schemas import CheckpointRef, ReasonOut, Recommendation, ScanAnswer
from services.checkpoint.store_passages import PassageStore
from services.checkpoint.store_registry import CheckpointStore
from services.checkpoint.store_views import ViewStore
from services.checkpoint.units import ward_name

Via = Literal["qr", "lookup", "offline"]


class Scanning:
    def __init__(self, registry: CheckpointStore, views: ViewStore, passages: PassageStore,
                 keys: KeyCache, facts: Facts, secret: bytes,
                 published: Callable[[str], None] = lambda _: None) -> None:
        self.registry, self.views, self.passages = registry, views, passages
        self.keys, self.facts, self.secret = keys, facts, secret
        self.published = published  # wakes the relay of the scans' `checkpoint.scanned`

    async def checkpoint(self, who: Principal, checkpoint_id: str) -> Document:
        """The checkpoint, if this officer works there and it is in service."""
        doc = await self.registry.get(checkpoint_id)
        if doc is None:
            raise not_found("checkpoint_unknown", "Không có chốt kiểm soát này",
                            "No such checkpoint")
        if who.role != Role.admin and checkpoint_id not in who.scope:
            raise ApiError(403, "checkpoint_forbidden", "Cán bộ không được phân công ở chốt này",
                           "This officer is not assigned to that checkpoint")
        if not doc.get("active", True):
            raise conflict("checkpoint_inactive", "Chốt kiểm soát đã ngừng hoạt động",
                           "The checkpoint is not in service")
        return doc

    async def verify(self, token: str, at: datetime) -> QrClaims:
        try:
            return await self.keys.verify(token, at)
        except QrTokenError as error:
            metrics.SCANS.labels("token", error.reason.value).inc()
            raise token_error(error.reason.value, error.detail) from None
        except KeysUnavailable:
            raise ApiError(503, "keys_unavailable", "Chưa tải được khoá kiểm tra mã QR, thử lại",
                           "The QR verification keys are not available yet; retry",
                           headers={"Retry-After": "5"}) from None

    async def by_token(self, who: Principal, checkpoint_id: str, token: str,
                       scan_id: str | None, *, at: datetime | None = None,
                       via: Via = "qr") -> ScanAnswer:
        at = at or utcnow()
        checkpoint = await self.checkpoint(who, checkpoint_id)
        claims = await self.verify(token, at)
        # Within the verifier's clock leeway a scan may seem to precede its QR: it did not.
        at = max(at, claims.issued_at)
        if claims.kind == Kind.vehicle:
            vehicle = await self.views.vehicle(claims.subject)
            if vehicle is None:
                raise not_found("vehicle_unknown", "Chưa nhận được tờ khai phương tiện này — "
                                "thử lại sau ít giây", "This vehicle declaration has not "
                                "reached the checkpoint service yet; retry in a moment")
            return await self._vehicle_scan(who, checkpoint, vehicle, scan_id, at, via,
                                            claims.issued_at)
        doc = await self.views.declaration(claims.subject)
        if doc is None:
            raise not_found("declaration_unknown", "Chưa nhận được tờ khai này — thử lại sau "
                            "ít giây", "This declaration has not reached the checkpoint "
                            "service yet; retry in a moment")
        return await self._person_scan(who, checkpoint, doc, scan_id, at, via, claims.issued_at)

    async def by_lookup(self, who: Principal, checkpoint_id: str, document: Document,
                        date_of_birth: date, scan_id: str | None) -> ScanAnswer:
        """`document`: a national ID, or a passport with the country that issued it."""
        now = utcnow()
        checkpoint = await self.checkpoint(who, checkpoint_id)
        subject = subject_id_for(self.secret, document["national_id"]) \
            if document.get("national_id") else \
            passport_subject_id(self.secret, document["nationality"], document["passport"])
        docs = await self.views.declarations_by_lookup(
            domain.lookup_key(self.secret, subject, date_of_birth))
        if not docs:
            raise not_found("lookup_not_found", "Không tìm thấy tờ khai với số định danh và "
                            "ngày sinh này", "No declaration for this national ID and date "
                            "of birth")
        # The newest declaration still valid, else the newest (it shows as expired).
        doc = max(docs, key=lambda d: (d["valid_until"] > now, d.get("submitted_at") or now))
        return await self._person_scan(who, checkpoint, doc, scan_id, now, "lookup",
                                       doc.get("submitted_at"))

    async def _person_scan(self, who: Principal, checkpoint: Document, doc: Document,
                           scan_id: str | None, at: datetime, via: Via,
                           issued_at: datetime | None) -> ScanAnswer:
        person, reasons = await self.facts.person(doc, at)
        suggested = next((r.refusal for r in reasons if r.refusal is not None), None)
        snapshot = {"kind": "declaration", "target_id": doc["_id"], "issued_at": issued_at,
                    "travellers": [{"declaration_id": doc["_id"],
                                    "subject_id": doc["subject_id"]}],
                    "suggested_refusal": suggested.value if suggested else None}
        answer = await self._record(who, checkpoint, scan_id, at, via, snapshot, reasons)
        return answer.model_copy(update={"person": person})

    async def _vehicle_scan(self, who: Principal, checkpoint: Document, doc: Document,
                            scan_id: str | None, at: datetime, via: Via,
                            issued_at: datetime) -> ScanAnswer:
        vehicle, reasons, checks = await self.facts.vehicle(doc, at)
        vehicle_reason = next((r.refusal for r in reasons if r.code == "vehicle_expired"), None)
        refusals = greenlane.crew_refusals(checks, vehicle_reason)
        snapshot = {"kind": "vehicle", "target_id": doc["_id"], "plate": doc["plate"],
                    "issued_at": issued_at,
                    "travellers": [{"declaration_id": c.member.declaration_id,
                                    "subject_id": c.member.subject_id} for c in checks],
                    "crew_refusals": [{"declaration_id": m.declaration_id,
                                       "subject_id": m.subject_id, "reason": r.value}
                                      for m, r in refusals]}
        answer = await self._record(who, checkpoint, scan_id, at, via, snapshot, reasons)
        return answer.model_copy(update={"vehicle": vehicle})

    async def _record(self, who: Principal, checkpoint: Document, scan_id: str | None,
                      at: datetime, via: Via, snapshot: dict[str, Any],
                      reasons: list[Reason]) -> ScanAnswer:
        decision = domain.recommend(reasons)
        may_pass = not domain.blocking(reasons)
        doc = {"_id": scan_id or new_event_id(), "checkpoint_id": checkpoint["_id"],
               "officer_id": who.subject, "at": at, "via": via, "may_pass": may_pass,
               "recommended": decision.value, "day": vn_day(at).isoformat(),
               **snapshot}
        doc.update(new_outbox(*scanned_events(doc)))
        stored = await self.passages.add_scan(doc)
        if (stored["target_id"], stored["checkpoint_id"]) != (doc["target_id"], doc["checkpoint_id"]):
            raise conflict("scan_id_reused", "Mã lượt quét đã dùng cho lượt khác",
                           "This scan id was used for another scan", {"scan_id": [doc["_id"]]})
        if stored is not doc:  # a retry: what the officer now sees is what counts
            await self.passages.refresh_scan(doc)
        self.published(doc["_id"])
        metrics.SCANS.labels(snapshot["kind"], decision.value).inc()
        name, province = ward_name(checkpoint["ward_code"])
        return ScanAnswer(
            scan_id=doc["_id"], scanned_at=at, via=via, kind=snapshot["kind"],
            checkpoint=CheckpointRef(checkpoint_id=checkpoint["_id"], name=checkpoint["name"],
                                     kind=checkpoint["kind"], ward_code=checkpoint["ward_code"],
                                     ward_name=name, province_name=province),
            recommendation=Recommendation(decision=decision, may_pass=may_pass,
                                          reasons=[ReasonOut.of(r) for r in reasons]))


def scanned_events(scan: Document) -> list[Document]:
    """One `checkpoint.scanned` per traveller the officer was shown (outbox entries)."""
    entries = []
    for traveller in scan["travellers"]:
        event = Envelope.wrap(CheckpointScanned(
            scan_id=scan["_id"], declaration_id=traveller["declaration_id"],
            subject_id=traveller["subject_id"], checkpoint_id=scan["checkpoint_id"],
            officer_id=scan["officer_id"], at=scan["at"]),
            producer=PRODUCER, correlation_id=correlation_id.get())
        entries.append(outbox_entry(event, key=traveller["subject_id"]))
    return entries
