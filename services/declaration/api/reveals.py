"""Routes of re-identification (staff) and of "who looked at my data" (citizens)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from libs.contracts.envelope import utcnow
from libs.contracts.values import Identifier
from libs.runtime.auth import Principal, Role, require
from libs.runtime.errors import ApiError
from services.declaration.api.bodies import revealed
from services.declaration.api.deps import Deps, check_scope, not_found
from services.declaration.api.models import Access, Accesses, Revealed, RevealRequest
from services.declaration.api.validation import TranslatedErrorsRoute
from services.declaration.domain.errors import (
    DeclarationNotFound,
    NoDeclarationOfPerson,
    RevealForbidden,
)

# Staff who may be responsible for a person (domain/reveals.py says when they are).
ResponsibleStaff = Annotated[Principal, require(Role.ward_official, Role.epidemiologist,
                                                 Role.officer)]
# Who looked at a person's data: the person (their citizen token) or an admin.
CitizenOrAdmin = Annotated[Principal, require(Role.citizen, Role.admin)]


def build_router(ctx: Deps) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["people"], route_class=TranslatedErrorsRoute)

    @router.post("/reveals", response_model=Revealed, responses={
        403: {"description": "no grounds to see this person (reveal_forbidden)"}})
    async def reveal(body: RevealRequest, who: ResponsibleStaff) -> Revealed:
        """Who a pseudonym is — name, date of birth, phone, addresses — for staff responsible
        for that person; stated purpose, audited, published as `person.revealed`."""
        try:
            answer = await ctx.revealing.reveal(who, body.subject_id, body.declaration_id,
                                                body.purpose, utcnow())
        except RevealForbidden:
            raise ApiError(403, "reveal_forbidden",
                           "Không có căn cứ để xem thông tin người này (chỉ người được thông "
                           "báo cho phường/xã của mình, ca bệnh, cách ly hoặc người vừa quét mã)",
                           "No grounds to see this person (only people notified to your wards, "
                           "your cases and quarantines, or a traveller you just scanned)") from None
        except NoDeclarationOfPerson:
            raise ApiError(404, "not_found", "Không tìm thấy tờ khai của người này",
                           "No declaration of this person") from None
        return revealed(answer)

    @router.get("/declarations/{declaration_id}/accesses", response_model=Accesses)
    async def accesses(declaration_id: Identifier, who: CitizenOrAdmin) -> Accesses:
        """Who looked at the data of this declaration's person: role, unit, purpose and time
        of each trace query and reveal (the citizen's own token, or an admin)."""
        check_scope(who, declaration_id)
        try:
            items = await ctx.lookups.accesses(declaration_id)
        except DeclarationNotFound:
            raise not_found("tờ khai", "declaration") from None
        return Accesses(declaration_id=declaration_id, accesses=[
            Access(kind=a.kind, role=a.role, unit=a.unit, purpose=a.purpose, at=a.at)
            for a in items])

    return router
