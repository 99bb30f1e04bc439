"""Green-lane vehicles: declared (with their crew) before leaving the depot."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Response

from libs.contracts.values import Identifier
from libs.runtime.errors import ApiError
from libs.runtime.openapi import beyond_schema, link, links, responses
from libs.runtime.qr_tokens import Kind
from services.declaration.api.bodies import vehicle_view
from services.declaration.api.deps import (
    CitizenOrStaff,
    Deps,
    EnteringOfficer,
    check_scope,
    not_found,
    qr_response,
)
from services.declaration.api.examples import VEHICLE_EXAMPLES
from services.declaration.api.models import VehicleView
from services.declaration.api.ratelimit import limited
from services.declaration.api.validation import TranslatedErrorsRoute
from services.declaration.domain.declarations import Status
from services.declaration.domain.errors import VehicleNotFound
from services.declaration.domain.form import FORM_RULES
from services.declaration.domain.vehicles import VehicleForm

Vehicle = Annotated[VehicleForm, Body(openapi_examples=VEHICLE_EXAMPLES)]


def vehicle_not_found() -> ApiError:
    return not_found("phương tiện", "vehicle declaration")


def build_router(ctx: Deps) -> APIRouter:
    router = APIRouter(prefix="/v1/vehicles", tags=["green lane"],
                       route_class=TranslatedErrorsRoute)
    throttle = limited(ctx.buckets, ctx.settings.trust_forwarded_for)

    made = links(201, GetVehicle=link("/v1/vehicles/{vehicle_id}", "GET", "the vehicle as stored",
                                      vehicle_id="$response.body#/vehicle_declaration_id"),
                 GetQr=link("/v1/vehicles/{vehicle_id}/qr.{fmt}", "GET", "its QR code",
                            vehicle_id="$response.body#/vehicle_declaration_id"))

    @router.post("", status_code=201, response_model=VehicleView, dependencies=[throttle],
                 responses=responses(made, beyond_schema(FORM_RULES)))
    async def declare(form: Vehicle, officer: EnteringOfficer) -> VehicleView:
        """Declare a green-lane vehicle and its crew; each crew member gets a declaration and
        QR of their own, the vehicle a QR the depot checkpoint scans. Sent with an officer's
        (or admin's) token, the account is recorded as `entered_by` on all of them."""
        declared = await ctx.green_lane.declare(form, officer)
        view = vehicle_view(declared.event.payload, {
            e.payload.declaration_id: Status.pending for _, e in declared.crew})
        for member, (_, crew_event) in zip(view.crew, declared.crew, strict=True):
            member.access_token = ctx.citizen_token(crew_event.payload.declaration_id,
                                                    crew_event.payload.valid_until)
        view.access_token = ctx.citizen_token(view.vehicle_declaration_id, view.valid_until)
        return view

    @router.get("/{vehicle_id}", response_model=VehicleView)
    async def read(vehicle_id: Identifier, who: CitizenOrStaff) -> VehicleView:
        """A vehicle declaration with the status of each crew member's declaration."""
        check_scope(who, vehicle_id)
        try:
            card = await ctx.green_lane.card(vehicle_id, datetime.now(UTC))
        except VehicleNotFound:
            raise vehicle_not_found() from None
        return vehicle_view(card.vehicle.declared, card.crew)

    @router.get("/{vehicle_id}/qr.{fmt}", response_class=Response,
                responses={200: {"content": {"image/png": {}, "image/svg+xml": {}}}})
    async def qr(vehicle_id: Identifier, fmt: Literal["png", "svg"], who: CitizenOrStaff) -> Response:
        """The vehicle's signed QR code (kind `v`)."""
        check_scope(who, vehicle_id)
        try:
            vehicle = await ctx.green_lane.stored(vehicle_id)
        except VehicleNotFound:
            raise vehicle_not_found() from None
        return qr_response(ctx.signer, Kind.vehicle, vehicle_id, vehicle.submitted_at,
                           vehicle.declared.valid_until, fmt)

    return router
