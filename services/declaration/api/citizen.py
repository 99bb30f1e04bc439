"""Citizens' routes: submit a declaration (and dependants'), read its status, get its QR."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Header, Request, Response

from libs.contracts.values import Identifier
from libs.runtime.errors import ApiError
from libs.runtime.openapi import Responses, beyond_schema, responses
from libs.runtime.qr_tokens import Kind
from services.declaration.api.bodies import declaration_view, submitted
from services.declaration.api.deps import (
    CitizenOrStaff,
    Deps,
    check_scope,
    not_found,
    qr_response,
)
from services.declaration.api.examples import FORM_EXAMPLES
from services.declaration.api.models import DeclarationView, Submitted
from services.declaration.api.openapi_extras import declared_links
from services.declaration.api.ratelimit import limited
from services.declaration.api.validation import TranslatedErrorsRoute
from services.declaration.domain.errors import DeclarationNotFound, IdempotencyKeyReused
from services.declaration.domain.form import FORM_RULES, DeclarationForm
from services.declaration.notices.domain.rules import language_of

Form = Annotated[DeclarationForm, Body(openapi_examples=FORM_EXAMPLES)]
IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", pattern=r"^[A-Za-z0-9_-]{16,64}$",
    description="a random key made by the client for this submission (a UUID will do) "
                "and sent again with every retry of it: a retry whose first answer was "
                "lost gets the same declarations back, never a second set")]
ERRORS: Responses = responses(
    {429: {"description": "too many submissions from this client"}},
    beyond_schema(FORM_RULES, idempotency_key_reused="an Idempotency-Key that came before "
                                                       "with another form"),
    declared_links(201))


def declaration_not_found() -> ApiError:
    return not_found("tờ khai", "declaration")


def build_router(ctx: Deps) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["declarations"], route_class=TranslatedErrorsRoute)
    throttle = limited(ctx.buckets, ctx.settings.trust_forwarded_for)

    @router.post("/declarations", status_code=201, response_model=Submitted,
                 dependencies=[throttle], responses=ERRORS)
    async def submit(form: Form, response: Response, request: Request,
                     idempotency_key: IdempotencyKey = None) -> Submitted:
        """Submit a health declaration, for oneself and dependants: each gets an id, a
        citizen access token and a QR code. Send an `Idempotency-Key` to retry safely:
        the same key with the same form answers the same declarations (header
        `Idempotent-Replayed: true`) and publishes nothing new."""
        try:
            # Messages to the person go out in the language their page was in (when it says).
            done = await ctx.submitting.submit(
                form, idempotency_key, language_of(request.headers.get("accept-language")))
        except IdempotencyKeyReused:
            raise ApiError(422, "idempotency_key_reused",
                           "Mã Idempotency-Key này đã dùng cho một tờ khai khác",
                           "This Idempotency-Key was used for another form") from None
        if done.replayed:
            response.headers["Idempotent-Replayed"] = "true"
        return submitted(done.events, set(), ctx.citizen_token)

    @router.get("/declarations/{declaration_id}", response_model=DeclarationView)
    async def read(declaration_id: Identifier, who: CitizenOrStaff) -> DeclarationView:
        """Status of one declaration (its citizen token, an officer or an admin), with the
        epidemic level at its origin and destination, and a quarantine in force."""
        check_scope(who, declaration_id)
        try:
            card = await ctx.lookups.card(declaration_id, datetime.now(UTC))
        except DeclarationNotFound:
            raise declaration_not_found() from None
        return declaration_view(card, who)

    @router.get("/declarations/{declaration_id}/qr.{fmt}", response_class=Response,
                responses={200: {"content": {"image/png": {}, "image/svg+xml": {}}}})
    async def qr(declaration_id: Identifier, fmt: Literal["png", "svg"], who: CitizenOrStaff) -> Response:
        """The declaration's signed QR code: no personal data, only its id, issue and
        expiry time and the signing key's id."""
        check_scope(who, declaration_id)
        try:
            declaration = await ctx.lookups.stored(declaration_id)
        except DeclarationNotFound:
            raise declaration_not_found() from None
        return qr_response(ctx.signer, Kind.declaration, declaration_id,
                           declaration.submitted_at, declaration.valid_until, fmt)

    return router
