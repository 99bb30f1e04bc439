"""HTTP routes of the movement-trace service (epidemiologists)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from libs.contracts.envelope import Envelope
from libs.contracts.events.trace import TraceAccessed
from libs.contracts.values import check_national_id, normalise_national_id, subject_id_for
from libs.runtime.auth import Principal, Role, require
from libs.runtime.errors import ApiError
from libs.runtime.logs import correlation_id
from libs.runtime.outbox import OutboxRelay
from services.movement_trace.domain import MovementKind
from services.movement_trace.settings import Settings
from services.movement_trace.store import TraceStore

PRODUCER = "movement-trace"


class TimelineEntry(BaseModel):
    at: datetime
    kind: MovementKind
    ward_code: str
    province_code: int
    declaration_id: str
    destination_ward: str | None = None


class Timeline(BaseModel):
    subject_id: str
    start: datetime
    end: datetime
    movements: list[TimelineEntry]


Epidemiologist = Annotated[Principal, require(Role.epidemiologist, Role.admin)]
Purpose = Annotated[str, Query(min_length=3, max_length=300,
                               description="why this person's movements are needed (audited)")]


def build_router(store: TraceStore, relay: OutboxRelay, settings: Settings) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["trace"])

    def resolve_subject(subject_id: str | None, national_id: str | None) -> str:
        if (subject_id is None) == (national_id is None):
            raise ApiError(422, "subject_required", "Cần đúng một trong subject_id hoặc national_id",
                           "Give exactly one of subject_id or national_id")
        if national_id is not None:
            try:
                # Hashed at the edge: the ID number itself is never stored or logged here.
                return subject_id_for(settings.subject_secret_bytes,
                                      check_national_id(str(normalise_national_id(national_id))))
            except ValueError as exc:
                raise ApiError(422, "national_id_invalid", "Số định danh không hợp lệ",
                               str(exc)) from None
        assert subject_id is not None
        return subject_id.lower()

    @router.get("/timeline", response_model=Timeline)
    async def timeline(who: Epidemiologist, purpose: Purpose,
                       subject_id: Annotated[str | None, Query(pattern="^[0-9a-fA-F]{64}$")] = None,
                       national_id: str | None = None,
                       start: Annotated[datetime | None, Query(alias="from")] = None,
                       end: Annotated[datetime | None, Query(alias="to")] = None) -> Timeline:
        """Movements of one person between two times (default: the last 28 days)."""
        subject = resolve_subject(subject_id, national_id)
        end = _utc(end) if end else datetime.now(UTC)
        start = _utc(start) if start else end - timedelta(days=28)
        query = f"timeline subject={subject} from={start.isoformat()} to={end.isoformat()}"
        await store.record_access(Envelope.wrap(
            TraceAccessed(who=who.subject, role=who.role.value, purpose=purpose, query=query,
                          at=datetime.now(UTC)),
            producer=PRODUCER, correlation_id=correlation_id.get()))
        relay.wake()
        docs = await store.timeline(subject, start, end)
        return Timeline(subject_id=subject, start=start, end=end,
                        movements=[TimelineEntry.model_validate(d) for d in docs])

    return router


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
