"""What the routes depend on, built once by the composition root (`Deps`: the use cases, the
key file, the submission limits), and the checks and answers several routes share: who may
read a declaration, its scope, not found, a QR image."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Response

from libs.contracts.envelope import utcnow
from libs.runtime.auth import Principal, Role, caller_if_any, require
from libs.runtime.errors import ApiError
from libs.runtime.qr_tokens import Kind, QrSigner
from services.declaration.api import qr_render
from services.declaration.api.ratelimit import TokenBuckets
from services.declaration.citizen_tokens import CitizenTokens
from services.declaration.keyring import KeyFile
from services.declaration.service.lookups import Lookups
from services.declaration.service.revealing import Revealing
from services.declaration.service.submitting import Submitting
from services.declaration.service.vehicles import GreenLane
from services.declaration.settings import Settings

# A declaration (or vehicle) is read by its own citizen token, an officer or an admin.
CitizenOrStaff = Annotated[Principal, require(Role.citizen, Role.officer, Role.admin)]


async def _officer_if_any(who: Annotated[Principal | None, Depends(caller_if_any)]
                          ) -> str | None:
    """The officer (or admin) account calling an open route, to record as `entered_by`;
    None without a token or for anyone else."""
    return who.subject if who is not None and who.role in (Role.officer, Role.admin) else None


EnteringOfficer = Annotated[str | None, Depends(_officer_if_any)]


@dataclass
class Deps:
    settings: Settings
    keys: KeyFile  # read again when the file changes: a rotation needs no restart
    buckets: TokenBuckets
    submitting: Submitting
    lookups: Lookups
    green_lane: GreenLane
    revealing: Revealing

    @property
    def signer(self) -> QrSigner:
        return self.keys.ring().signer()

    @property
    def citizens(self) -> CitizenTokens:
        return CitizenTokens(self.keys)

    def citizen_token(self, item_id: str, valid_until: datetime) -> str:
        return self.citizens.issue([item_id], valid_until, utcnow())


def check_scope(who: Principal, item_id: str) -> None:
    """A citizen token opens only the declaration (or vehicle) it was issued for."""
    if who.role == Role.citizen and item_id not in who.scope:
        raise ApiError(403, "forbidden", "Mã truy cập không dành cho tờ khai này",
                       "This token is for another declaration")


def not_found(what_vi: str, what_en: str) -> ApiError:
    return ApiError(404, "not_found", f"Không tìm thấy {what_vi}", f"No such {what_en}")


def qr_response(signer: QrSigner, kind: Kind, item_id: str, issued_at: datetime,
                expires_at: datetime, fmt: str) -> Response:
    """The same declaration and key always give the same token, so the image is cacheable."""
    token = signer.sign(item_id, kind, issued_at, expires_at)
    body = qr_render.png(token) if fmt == "png" else qr_render.svg(token)
    return Response(body, media_type="image/png" if fmt == "png" else "image/svg+xml",
                    headers={"Cache-Control": "private, max-age=300",
                             "X-QR-Key-Id": signer.kid})
