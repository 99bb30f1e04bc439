"""The admins' view of accountability: every trace query and every reveal, filtered."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from libs.contracts.values import Day, PlainText
from libs.runtime.auth import Admin
from services.movement_trace.api.models import AuditEntry, AuditPage
from services.movement_trace.domain.records import AuditQuery
from services.movement_trace.service.auditing import Auditor


def build_router(auditor: Auditor) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["audit"])

    @router.get("/audit", response_model=AuditPage)
    async def audit(
            _: Admin,
            user: Annotated[PlainText | None, Query(max_length=100,
                                                    description="staff account")] = None,
            role: Annotated[PlainText | None, Query(max_length=30)] = None,
            purpose: Annotated[PlainText | None, Query(
                max_length=100, description="words in the stated purpose")] = None,
            subject_id: Annotated[str | None, Query(pattern="^[0-9a-fA-F]{64}$")] = None,
            day: Annotated[Day | None, Query(description="a Viet Nam calendar day")] = None,
            kind: Annotated[Literal["trace", "reveal"] | None, Query()] = None,
            limit: Annotated[int, Query(ge=1, le=500)] = 100) -> AuditPage:
        """Trace queries and reveals of people's identity, newest first, by staff account,
        role, purpose, person and day (admins)."""
        asked = AuditQuery(who=user or None, role=role or None, purpose=purpose or None,
                           subject_id=subject_id.lower() if subject_id else None, day=day,
                           kind=kind or None)
        found, truncated = await auditor.entries(asked, limit)
        return AuditPage(entries=[AuditEntry.model_validate(r.model_dump()) for r in found],
                         truncated=truncated)

    return router
