"""Green-lane vehicles: declared (with their crew) before leaving the depot."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Response
from pydantic import BaseModel, Field

from libs.contracts.events.declaration import Channel
from libs.contracts.values import Identifier
from libs.runtime.auth import Principal, Role, require
from libs.runtime.logs import correlation_id
from libs.runtime.openapi import beyond_schema, link, links, responses
from libs.runtime.qr_tokens import Kind
from services.declaration.context import Context, check_scope, not_found, qr_response
from services.declaration.domain import Status, status_at, submitted_events
from services.declaration.examples import VEHICLE_EXAMPLES
from services.declaration.form import FORM_RULES
from services.declaration.ratelimit import limited
from services.declaration.validation import TranslatedErrorsRoute
from services.declaration.vehicles import VehicleForm, crew_form, vehicle_event
from services.declaration.views import QrLinks, issued, qr_links

Reader = Annotated[Principal, require(Role.citizen, Role.officer, Role.admin)]
Vehicle = Annotated[VehicleForm, Body(openapi_examples=VEHICLE_EXAMPLES)]


class CrewView(BaseModel):
    role: str = Field(examples=["driver"])
    declaration_id: str
    status: Status | None = Field(None, description="the crew member's declaration status")
    access_token: str | None = Field(None, description="only in the answer to the submission")


class VehicleView(BaseModel):
    vehicle_declaration_id: str
    plate: str = Field(examples=["29C12345"])
    vehicle_type: str = Field(examples=["refrigerated_truck"])
    cargo: str
    permit_number: str
    origin_ward: str
    destination_ward: str
    departure_date: str
    valid_until: datetime
    access_token: str | None = Field(None, description="citizen token for this vehicle; "
                                                       "only in the answer to the submission")
    crew: list[CrewView]
    qr: QrLinks


def _view(vehicle: dict[str, Any], statuses: dict[str, Any] | None = None) -> VehicleView:
    now = datetime.now(UTC)
    crew = [CrewView(role=c["role"], declaration_id=c["declaration_id"],
                     status=status_at(Status(s["status"]), s["valid_until"], now)
                     if (s := (statuses or {}).get(c["declaration_id"])) else None)
            for c in vehicle["crew"]]
    fields = {k: vehicle[k] for k in VehicleView.model_fields if k in vehicle and k != "crew"}
    return VehicleView(**fields, crew=crew,
                       qr=qr_links("vehicles", vehicle["vehicle_declaration_id"]))


def build_router(ctx: Context) -> APIRouter:
    router = APIRouter(prefix="/v1/vehicles", tags=["green lane"],
                       route_class=TranslatedErrorsRoute)
    throttle = limited(ctx.buckets, ctx.settings.trust_forwarded_for)

    made = links(201, GetVehicle=link("/v1/vehicles/{vehicle_id}", "GET", "the vehicle as stored",
                                      vehicle_id="$response.body#/vehicle_declaration_id"),
                 GetQr=link("/v1/vehicles/{vehicle_id}/qr.{fmt}", "GET", "its QR code",
                            vehicle_id="$response.body#/vehicle_declaration_id"))

    @router.post("", status_code=201, response_model=VehicleView, dependencies=[throttle],
                 responses=responses(made, beyond_schema(FORM_RULES)))
    async def declare(form: Vehicle) -> VehicleView:
        """Declare a green-lane vehicle and its crew; each crew member gets a declaration and
        QR of their own, the vehicle a QR the depot checkpoint scans."""
        crew = []
        for entry in form.crew:
            [crew_event] = submitted_events(
                crew_form(form, entry), channel=Channel.web, correlation_id=correlation_id.get(),
                secret=ctx.settings.subject_secret_bytes,
                validity_hours=ctx.settings.validity_hours)
            crew.append((entry.role, crew_event))
        event = vehicle_event(form, crew, validity_hours=ctx.settings.validity_hours,
                              correlation_id=correlation_id.get())
        # Crew first: a vehicle never names a declaration that is not stored.
        await ctx.store.add([e for _, e in crew])
        await ctx.store.add_vehicle(event)
        ctx.declarations_relay.wake(*(e.payload.declaration_id for _, e in crew))
        ctx.vehicles_relay.wake(event.payload.vehicle_declaration_id)
        view = _view(event.payload.model_dump(mode="json"))
        for member, (_, crew_event) in zip(view.crew, crew, strict=True):
            member.access_token = issued(crew_event, ctx.citizen_token).access_token
            member.status = Status.pending
        view.access_token = ctx.citizen_token(view.vehicle_declaration_id, view.valid_until)
        return view

    @router.get("/{vehicle_id}", response_model=VehicleView)
    async def read(vehicle_id: Identifier, who: Reader) -> VehicleView:
        """A vehicle declaration with the status of each crew member's declaration."""
        check_scope(who, vehicle_id)
        doc = await ctx.store.get_vehicle(vehicle_id)
        if doc is None:
            raise not_found("phương tiện", "vehicle declaration")
        crew_ids = [c["declaration_id"] for c in doc["vehicle"]["crew"]]
        return _view(doc["vehicle"], await ctx.store.statuses(crew_ids))

    @router.get("/{vehicle_id}/qr.{fmt}", response_class=Response,
                responses={200: {"content": {"image/png": {}, "image/svg+xml": {}}}})
    async def qr(vehicle_id: Identifier, fmt: Literal["png", "svg"], who: Reader) -> Response:
        """The vehicle's signed QR code (kind `v`)."""
        check_scope(who, vehicle_id)
        doc = await ctx.store.get_vehicle(vehicle_id)
        if doc is None:
            raise not_found("phương tiện", "vehicle declaration")
        return qr_response(ctx.signer, Kind.vehicle, vehicle_id, doc["submitted_at"],
                           doc["valid_until"], fmt)

    return router
