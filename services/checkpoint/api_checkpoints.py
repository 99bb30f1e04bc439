"""The checkpoint registry: admins maintain it, officers read their own checkpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from libs.contracts.envelope import utcnow
from libs.contracts.events.checkpoint import CheckpointKind
from libs.contracts.values import JsonBool, JsonInt, JsonNumber, PlainText, WardCode
from libs.runtime.auth import Principal, Role, require
from libs.runtime.errors import ApiError
from libs.runtime.mongo import Document
from libs.runtime.openapi import link, links, responses
from services.checkpoint.messages import not_found
from services.checkpoint.store_registry import CheckpointStore
from services.checkpoint.units import province_code, ward_name

Admin = Annotated[Principal, require(Role.admin)]
Reader = Annotated[Principal, require(Role.officer, Role.admin)]
# Past every checkpoint there could ever be; an unbounded offset reached the store as a
# number BSON cannot hold (a 500).
MAX_OFFSET = 1_000_000
IdPath = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$",
                             examples=["cp-hn-noibai-airport"])]


class CheckpointIn(BaseModel):
    # Both coordinates or neither, in the schema's words.
    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"properties": {"latitude": {"type": "number"}, "longitude": {"type": "number"}},
         "required": ["latitude", "longitude"]},
        {"properties": {"latitude": {"type": "null"}, "longitude": {"type": "null"}}}]})

    name: PlainText = Field(min_length=2, max_length=200, examples=["Cảng hàng không quốc tế Nội Bài"])
    kind: CheckpointKind
    ward_code: WardCode
    latitude: JsonNumber | None = Field(None, ge=-90, le=90, examples=[21.221])
    longitude: JsonNumber | None = Field(None, ge=-180, le=180, examples=[105.807])
    active: JsonBool = True
    stay_max_minutes: JsonInt | None = Field(None, ge=5, le=24 * 60, description="venues: the "
                                             "automatic check-out after this (default: service's)")
    source: PlainText | None = Field(None, max_length=500, description="where the entry comes from")

    @model_validator(mode="after")
    def _both_coordinates(self) -> CheckpointIn:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("give both latitude and longitude, or neither")
        return self


class CheckpointOut(CheckpointIn):
    checkpoint_id: str
    ward_name: str
    province_code: int
    province_name: str
    updated_at: datetime

    @classmethod
    def of(cls, doc: Document) -> CheckpointOut:
        name, province = ward_name(doc["ward_code"])
        fields = {k: doc.get(k) for k in CheckpointIn.model_fields if k in doc}
        return cls(**fields, checkpoint_id=doc["_id"], ward_name=name,
                   province_code=doc["province_code"], province_name=province,
                   updated_at=doc["updated_at"])


class CheckpointPage(BaseModel):
    total: int
    items: list[CheckpointOut]


def build_router(registry: CheckpointStore) -> APIRouter:
    router = APIRouter(prefix="/v1/checkpoints", tags=["checkpoints"])

    read = link("/v1/checkpoints/{checkpoint_id}", "GET", "the checkpoint as stored",
                checkpoint_id="$response.body#/checkpoint_id")

    @router.put("/{checkpoint_id}", response_model=CheckpointOut,
                responses=responses(links(200, GetCheckpoint=read), links(201, GetCheckpoint=read),
                                    {201: {"description": "created"}}))
    async def put(checkpoint_id: IdPath, body: CheckpointIn, who: Admin,
                  response: Response) -> CheckpointOut:
        """Create or replace a checkpoint (admin); `active: false` takes it out of service."""
        fields = {**body.model_dump(), "province_code": province_code(body.ward_code),
                  "updated_at": utcnow(), "updated_by": who.subject}
        if await registry.put(checkpoint_id, fields):
            response.status_code = 201
        return CheckpointOut.of({"_id": checkpoint_id, **fields})

    @router.get("", response_model=CheckpointPage)
    async def find(who: Reader, kind: CheckpointKind | None = None,
                   province: Annotated[int | None, Query(ge=1, le=99)] = None,
                   active: bool | None = None,
                   limit: Annotated[int, Query(ge=1, le=500)] = 100,
                   offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0) -> CheckpointPage:
        """Checkpoints: an officer's own (from the token), or any for an admin (filtered)."""
        filters: dict[str, Any] = {k: v for k, v in (("kind", kind), ("province_code", province),
                                                     ("active", active)) if v is not None}
        if who.role == Role.officer:
            docs = [d for d in await registry.many(list(who.scope))
                    if all(d.get(k) == v for k, v in filters.items())]
            return CheckpointPage(total=len(docs), items=[CheckpointOut.of(d) for d in docs])
        total, docs = await registry.find(filters, limit, offset)
        return CheckpointPage(total=total, items=[CheckpointOut.of(d) for d in docs])

    @router.get("/{checkpoint_id}", response_model=CheckpointOut)
    async def get(checkpoint_id: IdPath, who: Reader) -> CheckpointOut:
        """One checkpoint (an officer: only their own)."""
        if who.role == Role.officer and checkpoint_id not in who.scope:
            raise ApiError(403, "checkpoint_forbidden", "Cán bộ không được phân công ở chốt này",
                           "This officer is not assigned to that checkpoint")
        doc = await registry.get(checkpoint_id)
        if doc is None:
            raise not_found("checkpoint_unknown", "Không có chốt kiểm soát này",
                            "No such checkpoint")
        return CheckpointOut.of(doc)

    return router
