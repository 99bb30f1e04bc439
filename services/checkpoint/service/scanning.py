"""A scan: check the token offline, find the declaration (or vehicle), recommend.

Every scan is stored under the scanner's scan id, with a snapshot of what the
officer was shown (who travels, whether they may pass, what a refusal would be
recorded as), so that the decision that follows — perhaps queued offline and
sent hours later — is judged on what the officer saw.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from libs.contracts.envelope import Envelope, new_event_id, utcnow
from libs.contracts.events.checkpoint import CheckpointScanned, RefusalReason
from libs.contracts.values import passport_subject_id, subject_id_for
from libs.contracts.wards import ward_names
from libs.runtime.auth import Principal, Role
from libs.runtime.logs import correlation_id
from libs.runtime.qr_tokens import Kind, QrClaims, QrTokenError
from services.checkpoint import metrics
from services.checkpoint.domain import greenlane, recommendation
from services.checkpoint.domain.errors import (
    CheckpointForbidden,
    CheckpointInactive,
    CheckpointUnknown,
    DeclarationUnknown,
    LookupNotFound,
    ScanIdReused,
    TokenRefused,
    VehicleUnknown,
)
from services.checkpoint.domain.passage_events import PRODUCER, Traveller
from services.checkpoint.domain.recommendation import Reason
from services.checkpoint.domain.records import (
    Checkpoint,
    CrewRefusal,
    Declaration,
    Scan,
    ScanKind,
    VehicleDeclaration,
    Via,
)
from services.checkpoint.domain.scan_answer import (
    CheckpointRef,
    ReasonOut,
    Recommendation,
    ScanAnswer,
)
from services.checkpoint.service.ports import Outbox, Registry, Scans, TokenVerifier, Views
from services.checkpoint.service.scan_details import ScanDetails


class Scanning:
    def __init__(self, registry: Registry, views: Views, scans: Scans, keys: TokenVerifier,
                 details: ScanDetails, secret: bytes, scan_outbox: Outbox) -> None:
        self.registry, self.views, self.scans = registry, views, scans
        self.keys, self.details, self.secret = keys, details, secret
        self.scan_outbox = scan_outbox  # the relay of the scans' `checkpoint.scanned`

    async def checkpoint(self, who: Principal, checkpoint_id: str) -> Checkpoint:
        """The checkpoint, if this officer works there and it is in service."""
        found = await self.registry.get(checkpoint_id)
        if found is None:
            raise CheckpointUnknown(checkpoint_id)
        if who.role != Role.admin and checkpoint_id not in who.scope:
            raise CheckpointForbidden(checkpoint_id)
        if not found.active:
            raise CheckpointInactive(checkpoint_id)
        return found

    async def verify(self, token: str, at: datetime) -> QrClaims:
        """The token's claims; TokenRefused, or KeysUnavailable when no key is known yet."""
        try:
            return await self.keys.verify(token, at)
        except QrTokenError as error:
            metrics.SCANS.labels("token", error.reason.value).inc()
            raise TokenRefused(error.reason.value, error.detail) from None

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
                raise VehicleUnknown(claims.subject)
            return await self._vehicle_scan(who, checkpoint, vehicle, scan_id, at, via,
                                            claims.issued_at)
        declaration = await self.views.declaration(claims.subject)
        if declaration is None:
            raise DeclarationUnknown(claims.subject)
        return await self._person_scan(who, checkpoint, declaration, scan_id, at, via,
                                       claims.issued_at)

    async def by_lookup(self, who: Principal, checkpoint_id: str, *, national_id: str | None,
                        passport: str | None, nationality: str | None, date_of_birth: date,
                        scan_id: str | None) -> ScanAnswer:
        """A national ID, or a passport with the country that issued it."""
        now = utcnow()
        checkpoint = await self.checkpoint(who, checkpoint_id)
        subject = subject_id_for(self.secret, national_id) if national_id else \
            passport_subject_id(self.secret, nationality or "", passport or "")
        found = await self.views.declarations_by_lookup(
            recommendation.lookup_key(self.secret, subject, date_of_birth))
        if not found:
            raise LookupNotFound(checkpoint_id)
        # The newest declaration still valid, else the newest (it shows as expired).
        newest = max(found, key=lambda d: (d.valid_until > now, d.submitted_at or now))
        return await self._person_scan(who, checkpoint, newest, scan_id, now, "lookup",
                                       newest.submitted_at)

    async def _person_scan(self, who: Principal, checkpoint: Checkpoint,
                           declaration: Declaration, scan_id: str | None, at: datetime,
                           via: Via, issued_at: datetime | None) -> ScanAnswer:
        person, reasons = await self.details.person(declaration, at)
        scan = self._scan(who, checkpoint, scan_id, at, via, reasons, kind="declaration",
                          target_id=declaration.declaration_id, issued_at=issued_at,
                          travellers=[Traveller(declaration.declaration_id,
                                                declaration.subject_id)],
                          suggested_refusal=next((r.refusal for r in reasons
                                                  if r.refusal is not None), None))
        answer = await self._record(checkpoint, scan, reasons)
        return answer.model_copy(update={"person": person})

    async def _vehicle_scan(self, who: Principal, checkpoint: Checkpoint,
                            found: VehicleDeclaration, scan_id: str | None, at: datetime,
                            via: Via, issued_at: datetime) -> ScanAnswer:
        vehicle, reasons, checks = await self.details.vehicle(found, at)
        vehicle_reason = next((r.refusal for r in reasons if r.code == "vehicle_expired"), None)
        refusals = greenlane.crew_refusals(checks, vehicle_reason)
        scan = self._scan(who, checkpoint, scan_id, at, via, reasons, kind="vehicle",
                          target_id=found.vehicle_declaration_id, plate=found.plate,
                          issued_at=issued_at,
                          travellers=[Traveller(c.member.declaration_id, c.member.subject_id)
                                      for c in checks],
                          crew_refusals=[CrewRefusal(Traveller(m.declaration_id, m.subject_id), r)
                                         for m, r in refusals])
        answer = await self._record(checkpoint, scan, reasons)
        return answer.model_copy(update={"vehicle": vehicle})

    @staticmethod
    def _scan(who: Principal, checkpoint: Checkpoint, scan_id: str | None, at: datetime,
              via: Via, reasons: list[Reason], *, kind: ScanKind, target_id: str,
              issued_at: datetime | None, travellers: list[Traveller],
              suggested_refusal: RefusalReason | None = None, plate: str | None = None,
              crew_refusals: list[CrewRefusal] | None = None) -> Scan:
        scan = Scan(scan_id=scan_id or new_event_id(), checkpoint_id=checkpoint.checkpoint_id,
                    officer_id=who.subject, at=at, via=via,
                    may_pass=not recommendation.blocking(reasons),
                    recommended=recommendation.recommend(reasons), kind=kind,
                    target_id=target_id, issued_at=issued_at, travellers=travellers,
                    suggested_refusal=suggested_refusal, plate=plate,
                    crew_refusals=crew_refusals or [])
        return replace(scan, events=scanned_events(scan))

    async def _record(self, checkpoint: Checkpoint, scan: Scan,
                      reasons: list[Reason]) -> ScanAnswer:
        stored, created = await self.scans.add_scan(scan)
        if (stored.target_id, stored.checkpoint_id) != (scan.target_id, scan.checkpoint_id):
            raise ScanIdReused(scan.scan_id)
        if not created:  # a retry: what the officer now sees is what counts
            await self.scans.refresh_scan(scan)
        self.scan_outbox.wake(scan.scan_id)
        metrics.SCANS.labels(scan.kind, scan.recommended.value).inc()
        name, province = ward_names(checkpoint.ward_code)
        return ScanAnswer(
            scan_id=scan.scan_id, scanned_at=scan.at, via=scan.via, kind=scan.kind,
            checkpoint=CheckpointRef(checkpoint_id=checkpoint.checkpoint_id,
                                     name=checkpoint.name, kind=checkpoint.kind,
                                     ward_code=checkpoint.ward_code, ward_name=name,
                                     province_name=province),
            recommendation=Recommendation(decision=scan.recommended, may_pass=scan.may_pass,
                                          reasons=[ReasonOut.of(r) for r in reasons]))


def scanned_events(scan: Scan) -> list[Envelope[CheckpointScanned]]:
    """One `checkpoint.scanned` per traveller the officer was shown."""
    return [Envelope.wrap(CheckpointScanned(
        scan_id=scan.scan_id, declaration_id=t.declaration_id, subject_id=t.subject_id,
        checkpoint_id=scan.checkpoint_id, officer_id=scan.officer_id, at=scan.at),
        producer=PRODUCER, correlation_id=correlation_id.get()) for t in scan.travellers]
