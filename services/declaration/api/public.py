"""Public routes: the QR verification keys and the administrative units."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from services.declaration.api.deps import Deps
from services.declaration.api.models import KeySet
from services.declaration.api.ward_picker import document


def build_router(ctx: Deps) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["public"])

    @router.get("/keys", response_model=KeySet)
    async def keys(response: Response) -> KeySet:
        """The public keys scanners verify QR codes with (a JWKS; pick the key by `kid`).
        Keys stay listed after a rotation until they are retired (GET /v1/admin/keys)."""
        response.headers["Cache-Control"] = "public, max-age=300"
        ring = ctx.keys.ring()
        return KeySet.model_validate({**ring.jwks(), "active": ring.active})

    @router.get("/units", responses={200: {"content": {"application/json": {"example": {
        "provinces": [{"code": 1, "name": "Thành phố Hà Nội",
                       "wards": [["00070", "Phường Hoàn Kiếm"]]}]}}}}})
    async def units(request: Request) -> Response:
        """The 34 provinces and 3,321 wards/communes (2025 units) with their codes."""
        units = document()
        headers = {"ETag": units.etag, "Cache-Control": "public, max-age=86400",
                   "Vary": "Accept-Encoding"}
        if request.headers.get("if-none-match") == units.etag:
            return Response(status_code=304, headers=headers)
        if "gzip" in request.headers.get("accept-encoding", ""):
            return Response(units.gzipped, media_type="application/json",
                            headers={**headers, "Content-Encoding": "gzip"})
        return Response(units.body, media_type="application/json", headers=headers)

    return router
