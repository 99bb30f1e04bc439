"""Deciding: pass, refuse or refer, once per scan."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from libs.contracts.values import Identifier
from libs.runtime.auth import Principal, Role, require
from libs.runtime.errors import ApiError
from libs.runtime.openapi import beyond_schema, link, links, responses
from services.checkpoint.deciding import Deciding
from services.checkpoint.messages import TOKEN_RULES, not_found
from services.checkpoint.passage_models import PassageOut, PassageRequest
from services.checkpoint.store_passages import PassageStore

Officer = Annotated[Principal, require(Role.officer, Role.admin)]
ERRORS: dict[int | str, dict[str, Any]] = {
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


def build_router(deciding: Deciding, passages: PassageStore) -> APIRouter:
    router = APIRouter(prefix="/v1/passages", tags=["deciding"])

    read_passage = link("/v1/passages/{passage_id}", "GET", "the passage as recorded",
                passage_id="$response.body#/passage_id")

    @router.post("", status_code=201, response_model=PassageOut,
                 responses=responses(ERRORS, RULES, links(201, GetPassage=read_passage),
                                     links(200, GetPassage=read_passage)))
    async def decide(body: PassageRequest, who: Officer, response: Response) -> PassageOut:
        """Record the decision on a scan and publish `checkpoint.passed` or
        `checkpoint.refused`; idempotent by `scan_id`."""
        passage, created = await deciding.decide(who, body)
        if not created:
            response.status_code = 200
        return passage

    @router.get("/{passage_id}", response_model=PassageOut)
    async def read(passage_id: Annotated[Identifier, Path(max_length=64)],
                   who: Officer) -> PassageOut:
        """One passage (an officer: only at their checkpoints)."""
        doc = await passages.passage(passage_id)
        if doc is None:
            raise not_found("passage_not_found", "Không có lượt qua chốt này", "No such passage")
        if who.role == Role.officer and doc["checkpoint_id"] not in who.scope:
            raise ApiError(403, "checkpoint_forbidden", "Cán bộ không được phân công ở chốt này",
                           "This officer is not assigned to that checkpoint")
        return PassageOut.of(doc)

    return router
