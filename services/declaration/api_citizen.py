"""Citizens' routes: submit a declaration (and dependants'), read its status, get its QR."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Request, Response

from libs.contracts.events.declaration import Channel
from libs.contracts.values import Identifier
from libs.runtime.auth import Principal, Role, require
from libs.runtime.errors import ApiError
from libs.runtime.logs import correlation_id
from libs.runtime.openapi import beyond_schema, responses
from libs.runtime.qr_tokens import Kind
from services.declaration.context import Context, check_scope, not_found, qr_response
from services.declaration.domain import request_fingerprint, submitted_events
from services.declaration.examples import FORM_EXAMPLES
from services.declaration.form import FORM_RULES, DeclarationForm, declared_links
from services.declaration.notices.rules import language_of
from services.declaration.ratelimit import limited
from services.declaration.validation import TranslatedErrorsRoute
from services.declaration.views import DeclarationView, Submitted, declaration_view, submitted

Reader = Annotated[Principal, require(Role.citizen, Role.officer, Role.admin)]
Form = Annotated[DeclarationForm, Body(openapi_examples=FORM_EXAMPLES)]
IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", pattern=r"^[A-Za-z0-9_-]{16,64}$",
    description="a random key made by the client for this submission (a UUID will do) "
                "and sent again with every retry of it: a retry whose first answer was "
                "lost gets the same declarations back, never a second set")]
ERRORS: dict[int | str, dict[str, Any]] = responses(
    {429: {"description": "too many submissions from this client"}},
    beyond_schema(FORM_RULES, idempotency_key_reused="an Idempotency-Key that came before "
                                                       "with another form"),
    declared_links(201))


async def same_request(ctx: Context, ids: list[str], fingerprint: str | None) -> bool:
    """True when these declarations were stored by this very request (a retry); False
    when none is stored; 422 when they came with another form under the same key."""
    stored = await ctx.store.fingerprints(ids)
    if any(earlier != fingerprint for earlier in stored.values()):
        raise ApiError(422, "idempotency_key_reused",
                       "Mã Idempotency-Key này đã dùng cho một tờ khai khác",
                       "This Idempotency-Key was used for another form")
    return bool(stored)


def build_router(ctx: Context) -> APIRouter:
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
        events = submitted_events(form, channel=Channel.web,
                                  secret=ctx.settings.subject_secret_bytes,
                                  validity_hours=ctx.settings.validity_hours,
                                  correlation_id=correlation_id.get(),
                                  idempotency_key=idempotency_key)
        ids = [e.payload.declaration_id for e in events]
        fingerprint = request_fingerprint(form) if idempotency_key else None
        # Checked before writing too, so a key sent again with another (say larger)
        # form is refused without storing any of it.
        replayed = bool(fingerprint) and await same_request(ctx, ids[:1], fingerprint)
        # A replay inserts what its first attempt did not get to; the rest are there.
        # Messages to the person go out in the language their page was in (when it says).
        already = await ctx.store.add(events, fingerprint, family=True,
                                      language=language_of(request.headers.get("accept-language")))
        if already:  # keyed ids only (fresh ones are UUIDv7); two attempts may have raced
            await same_request(ctx, [ids[i] for i in sorted(already)], fingerprint)
        # The attempt that stored the submitter's declaration is the original; every other
        # one is a replay, also one that raced it here after both found nothing stored.
        if replayed or 0 in already:
            response.headers["Idempotent-Replayed"] = "true"
        # Also on a replay: the first attempt may have died before its relay ran.
        ctx.declarations_relay.wake(*ids)
        return submitted(events, set(), ctx.citizen_token)

    @router.get("/declarations/{declaration_id}", response_model=DeclarationView)
    async def read(declaration_id: Identifier, who: Reader) -> DeclarationView:
        """Status of one declaration (its citizen token, an officer or an admin), with the
        epidemic level at its origin and destination, and a quarantine in force."""
        check_scope(who, declaration_id)
        doc = await ctx.store.get(declaration_id)
        if doc is None:
            raise not_found("tờ khai", "declaration")
        trip = doc["declaration"]["trip"]
        levels = await ctx.store.zone_levels([trip["origin_ward"], trip["destination_ward"]])
        orders = await ctx.store.quarantines_of(doc["subject_id"])
        return declaration_view(doc, levels, who, datetime.now(UTC), orders)

    @router.get("/declarations/{declaration_id}/qr.{fmt}", response_class=Response,
                responses={200: {"content": {"image/png": {}, "image/svg+xml": {}}}})
    async def qr(declaration_id: Identifier, fmt: Literal["png", "svg"], who: Reader) -> Response:
        """The declaration's signed QR code: no personal data, only its id, issue and
        expiry time and the signing key's id."""
        check_scope(who, declaration_id)
        doc = await ctx.store.get(declaration_id)
        if doc is None:
            raise not_found("tờ khai", "declaration")
        return qr_response(ctx.signer, Kind.declaration, declaration_id, doc["submitted_at"],
                           doc["valid_until"], fmt)

    return router
