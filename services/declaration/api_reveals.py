"""Routes of re-identification (staff) and of "who looked at my data" (citizens)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from libs.contracts.envelope import utcnow
from libs.contracts.values import Identifier, PlainText, SubjectId
from libs.runtime.auth import Principal, Role, require
from services.declaration.context import Context, check_scope, not_found
from services.declaration.reveals import Revealing
from services.declaration.validation import TranslatedErrorsRoute

Staff = Annotated[Principal, require(Role.ward_official, Role.epidemiologist, Role.officer)]
Reader = Annotated[Principal, require(Role.citizen, Role.admin)]


class RevealRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject_id: SubjectId = Field(description="the person's pseudonym, as the caller knows it")
    declaration_id: Identifier | None = Field(None, max_length=64, description="the declaration "
                                       "the caller was shown, if one (else the latest)")
    purpose: Annotated[PlainText, Field(min_length=3, max_length=300)] = Field(
        description="why the caller needs to see the person (audited, shown to the person)",
        examples=["gọi điện nhắc khai báo y tế khi đến phường"])


class Place(BaseModel):
    ward_code: str
    ward_name: str
    province_name: str
    address: str


class Revealed(BaseModel):
    reveal_id: str
    subject_id: str
    declaration_id: str
    grounds: str = Field(description="what allowed it", examples=["ward 26506: arriving"])
    full_name: str = Field(examples=["Nguyễn Văn An"])
    date_of_birth: date
    gender: str | None = None
    phone: str | None = Field(None, examples=["0912345678"])
    email: str | None = None
    residence: dict[str, Place | None]


class Access(BaseModel):
    kind: Literal["trace", "reveal"] = Field(description="a movement-trace query, or a "
                                             "reveal of name and contact details")
    role: str = Field(examples=["ward_official"])
    unit: str | None = Field(None, examples=["UBND phường Vũng Tàu"])
    purpose: str
    at: datetime


class Accesses(BaseModel):
    declaration_id: str
    accesses: list[Access] = Field(description="newest first; never the staff member's name")


def build_router(ctx: Context, revealing: Revealing) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["people"], route_class=TranslatedErrorsRoute)

    @router.post("/reveals", response_model=Revealed, responses={
        403: {"description": "no grounds to see this person (reveal_forbidden)"}})
    async def reveal(body: RevealRequest, who: Staff) -> Revealed:
        """Who a pseudonym is — name, date of birth, phone, addresses — for staff responsible
        for that person; stated purpose, audited, published as `person.revealed`."""
        answer = await revealing.reveal(who, body.subject_id, body.declaration_id,
                                        body.purpose, utcnow())
        return Revealed.model_validate(answer)

    @router.get("/declarations/{declaration_id}/accesses", response_model=Accesses)
    async def accesses(declaration_id: Identifier, who: Reader) -> Accesses:
        """Who looked at the data of this declaration's person: role, unit, purpose and time
        of each trace query and reveal (the citizen's own token, or an admin)."""
        check_scope(who, declaration_id)
        doc = await ctx.store.get(declaration_id)
        if doc is None:
            raise not_found("tờ khai", "declaration")
        items = await revealing.reveals.accesses_of(doc["subject_id"])
        return Accesses(declaration_id=declaration_id,
                        accesses=[Access.model_validate(item) for item in items])

    return router
