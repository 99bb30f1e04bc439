"""Deciding: pass, refuse or refer, once per scan."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from libs.contracts.values import Identifier
from libs.runtime.auth import Officer
from libs.runtime.openapi import Responses, beyond_schema, link, links, responses
from services.checkpoint.api.errors import domain_errors
from services.checkpoint.api.models import PassageOut, PassageRequest
from services.checkpoint.domain.texts import TOKEN_RULES
from services.checkpoint.service.deciding import Deciding

ERRORS: Responses = {
    200: {"description": "this scan was decided before (a double tap): the passage recorded "
                         "then, `duplicate: true`"},
    404: {"description": "no such scan (send `checkpoint_id` and `token` for a scan made "
                         "offline)"},
    409: {"description": "decided otherwise before (already_decided), or a pass that the "
                         "scan's reasons block (pass_blocked)"}}
RULES = beyond_schema(
    TOKEN_RULES,
    at_in_future="`at` later than now (beyond 2 minutes of clock skew)",
    at_too_old="`at` further back than a decision may be queued offline (72 h by default)",
    at_before_issue="`at` before the scanned QR code was issued",
    direction_required="no `direction` at a venue (check-in or check-out)",
    reason_required="a refusal without `reason` where the scan suggests none")


def build_router(deciding: Deciding) -> APIRouter:
    router = APIRouter(prefix="/v1/passages", tags=["deciding"])

    read_passage = link("/v1/passages/{passage_id}", "GET", "the passage as recorded",
                passage_id="$response.body#/passage_id")

    @router.post("", status_code=201, response_model=PassageOut,
                 responses=responses(ERRORS, RULES, links(201, GetPassage=read_passage),
                                     links(200, GetPassage=read_passage)))
    async def decide(body: PassageRequest, who: Officer, response: Response) -> PassageOut:
        """Record the decision on a scan and publish `checkpoint.passed` or
        `checkpoint.refused`; idempotent by `scan_id`."""
        async with domain_errors():
            passage, created = await deciding.decide(who, body.request())
        if not created:
            response.status_code = 200
        return PassageOut.of(passage, duplicate=not created)

    @router.get("/{passage_id}", response_model=PassageOut)
    async def read(passage_id: Annotated[Identifier, Path(max_length=64)],
                   who: Officer) -> PassageOut:
        """One passage (an officer: only at their checkpoints)."""
        async with domain_errors():
            return PassageOut.of(await deciding.passage(who, passage_id))

    return router
