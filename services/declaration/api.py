"""HTTP routes of the declaration service."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from libs.contracts.events.declaration import Channel
from libs.runtime.auth import Principal, Role, mint, require
from libs.runtime.errors import ApiError
from libs.runtime.logs import correlation_id
from libs.runtime.outbox import OutboxRelay
from services.declaration.domain import DeclarationForm, Status, status_at, submitted_event
from services.declaration.settings import Settings
from services.declaration.store import DeclarationStore


class Submitted(BaseModel):
    declaration_id: str
    status: Status = Field(examples=["pending"])
    access_token: str = Field(description="citizen token for this declaration only")
    valid_until: datetime


class DeclarationStatus(BaseModel):
    declaration_id: str
    status: Status
    submitted_at: datetime
    valid_until: datetime


Reader = Annotated[Principal, require(Role.citizen, Role.officer, Role.admin)]


def build_router(store: DeclarationStore, relay: OutboxRelay, settings: Settings) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["declarations"])

    @router.post("/declarations", status_code=201, response_model=Submitted)
    async def submit(form: DeclarationForm) -> Submitted:
        """Submit a health declaration; returns its id and a citizen access token."""
        if not form.consent:
            raise ApiError(422, "consent_required", "Cần đồng ý sử dụng dữ liệu",
                           "Consent to the use of the data is required",
                           {"consent": [{"code": "required", "message": "must be true"}]})
        event = submitted_event(form, channel=Channel.web, secret=settings.subject_secret_bytes,
                                validity_hours=settings.validity_hours,
                                correlation_id=correlation_id.get())
        await store.add(event)
        relay.wake()
        p = event.payload
        token = mint(p.declaration_id, Role.citizen, [p.declaration_id])
        return Submitted(declaration_id=p.declaration_id, status=Status.pending,
                         access_token=token, valid_until=p.valid_until)

    @router.get("/declarations/{declaration_id}", response_model=DeclarationStatus)
    async def read(declaration_id: str, who: Reader) -> DeclarationStatus:
        """Status of one declaration (its citizen token, an officer or an admin)."""
        if who.role == Role.citizen and declaration_id not in who.scope:
            raise ApiError(403, "forbidden", "Mã truy cập không dành cho tờ khai này",
                           "This token is for another declaration")
        doc = await store.get(declaration_id)
        if doc is None:
            raise ApiError(404, "declaration_not_found", "Không tìm thấy tờ khai",
                           "No such declaration")
        return DeclarationStatus(
            declaration_id=declaration_id,
            status=status_at(Status(doc["status"]), doc["valid_until"], datetime.now(UTC)),
            submitted_at=doc["submitted_at"], valid_until=doc["valid_until"])

    return router
