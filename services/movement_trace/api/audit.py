"""The admins' view of accountability: every trace query and every reveal, filtered."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from libs.contracts.values import Day, PlainText
from libs.contracts.vietnam_time import VN_TZ
from libs.runtime.mongo import Document
from services.movement_trace.api.common import Admin
from services.movement_trace.store.trace import TraceStore


class AuditEntry(BaseModel):
    id: str
    kind: Literal["trace", "reveal"] = Field(description="a trace query here, or a reveal "
                                             "of name and contacts at the declaration service")
    who: str = Field(description="the staff account")
    role: str
    unit: str | None = None
    purpose: str
    query: str
    subject_id: str | None = None
    at: datetime


class AuditPage(BaseModel):
    entries: list[AuditEntry] = Field(description="newest first")
    truncated: bool = Field(description="more entries match than `limit`")


def filters(user: str | None, role: str | None, purpose: str | None, subject_id: str | None,
            day: date | None, kind: str | None) -> Document:
    found: Document = {}
    for field, value in (("who", user), ("role", role), ("subject_id", subject_id),
                         ("kind", kind)):
        if value:
            found[field] = value.lower() if field == "subject_id" else value
    if purpose:
        found["purpose"] = {"$regex": re.escape(purpose), "$options": "i"}
    if day:
        start = datetime.combine(day, time(0), VN_TZ)
        found["at"] = {"$gte": start, "$lt": start + timedelta(days=1)}
    return found


def build_router(store: TraceStore) -> APIRouter:
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
        rows = await store.audit_entries(filters(user, role, purpose, subject_id, day, kind),
                                         limit + 1)
        entries = [AuditEntry(id=r["_id"], kind=r.get("kind", "trace"), who=r["who"],
                              role=r["role"], unit=r.get("unit"), purpose=r["purpose"],
                              query=r["query"], subject_id=r.get("subject_id"), at=r["at"])
                   for r in rows[:limit]]
        return AuditPage(entries=entries, truncated=len(rows) > limit)

    return router
