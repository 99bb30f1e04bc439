"""The checkpoint registry: admins maintain it, officers read their own checkpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from libs.contracts.events.checkpoint import CheckpointKind
from libs.runtime.auth import Admin, Officer
from libs.runtime.openapi import link, links, responses
from services.checkpoint.api.errors import domain_errors
from services.checkpoint.api.models import CheckpointIn, CheckpointOut, CheckpointPage
from services.checkpoint.domain.records import CheckpointFilter
from services.checkpoint.service.registry import CheckpointRegistry

# Past every checkpoint there could ever be; an unbounded offset reached the store as a
# number BSON cannot hold (a 500).
MAX_OFFSET = 1_000_000
IdPath = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$",
                             examples=["cp-hn-noibai-airport"])]


def build_router(registry: CheckpointRegistry) -> APIRouter:
    router = APIRouter(prefix="/v1/checkpoints", tags=["checkpoints"])

    read = link("/v1/checkpoints/{checkpoint_id}", "GET", "the checkpoint as stored",
                checkpoint_id="$response.body#/checkpoint_id")

    @router.put("/{checkpoint_id}", response_model=CheckpointOut,
                responses=responses(links(200, GetCheckpoint=read), links(201, GetCheckpoint=read),
                                    {201: {"description": "created"}}))
    async def put(checkpoint_id: IdPath, body: CheckpointIn, who: Admin,
                  response: Response) -> CheckpointOut:
        """Create or replace a checkpoint (admin); `active: false` takes it out of service."""
        checkpoint, created = await registry.put(who, checkpoint_id, body.fields())
        if created:
            response.status_code = 201
        return CheckpointOut.of(checkpoint)

    @router.get("", response_model=CheckpointPage)
    async def find(who: Officer, kind: CheckpointKind | None = None,
                   province: Annotated[int | None, Query(ge=1, le=99)] = None,
                   active: bool | None = None,
                   limit: Annotated[int, Query(ge=1, le=500)] = 100,
                   offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0) -> CheckpointPage:
        """Checkpoints: an officer's own (from the token), or any for an admin (filtered)."""
        total, found = await registry.find(who, CheckpointFilter(kind, province, active),
                                           limit, offset)
        return CheckpointPage(total=total, items=[CheckpointOut.of(c) for c in found])

    @router.get("/{checkpoint_id}", response_model=CheckpointOut)
    async def get(checkpoint_id: IdPath, who: Officer) -> CheckpointOut:
        """One checkpoint (an officer: only their own)."""
        async with domain_errors():
            return CheckpointOut.of(await registry.get(who, checkpoint_id))

    return router
