"""Scanning: a QR token, or a manual lookup by national ID and date of birth."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Response
from fastapi.responses import FileResponse

from libs.runtime.auth import Officer
from libs.runtime.openapi import Responses, beyond_schema, responses
from services.checkpoint.api.errors import domain_errors
from services.checkpoint.api.models import KeySet, LookupRequest, ScanRequest
from services.checkpoint.domain.scan_answer import ScanAnswer
from services.checkpoint.domain.texts import TOKEN_RULES
from services.checkpoint.service.qr_keys import KeyCache
from services.checkpoint.service.scanning import Scanning

WEB = Path(__file__).parent.parent / "web"
ERRORS: Responses = {
    403: {"description": "the officer is not assigned to the checkpoint"},
    404: {"description": "checkpoint, declaration or vehicle not known (yet)"},
    409: {"description": "checkpoint out of service, or scan id used for another scan"},
    503: {"description": "no QR public keys could be fetched yet"}}


def build_router(scanning: Scanning, keys: KeyCache) -> APIRouter:
    router = APIRouter(tags=["scanning"])

    @router.post("/v1/scans", response_model=ScanAnswer,
                 responses=responses(ERRORS, beyond_schema(TOKEN_RULES)))
    async def scan(body: ScanRequest, who: Officer) -> ScanAnswer:
        """Check a QR token (signature and expiry, offline) and show the masked declaration
        — or a green-lane vehicle and its crew — with a recommended decision."""
        async with domain_errors():
            return await scanning.by_token(who, body.checkpoint_id, body.token, body.scan_id)

    @router.post("/v1/scans/lookup", response_model=ScanAnswer, responses=ERRORS)
    async def lookup(body: LookupRequest, who: Officer) -> ScanAnswer:
        """For a person without the QR (paper form, lost phone): find their current
        declaration by national ID (or passport and nationality) and date of birth."""
        async with domain_errors():
            return await scanning.by_lookup(
                who, body.checkpoint_id, national_id=body.national_id, passport=body.passport,
                nationality=body.nationality, date_of_birth=body.date_of_birth,
                scan_id=body.scan_id)

    @router.get("/v1/keys", response_model=KeySet)
    async def public_keys(response: Response) -> KeySet:
        """The QR public keys this service verifies with (a JWKS), for scanners to check
        signatures offline."""
        response.headers["Cache-Control"] = "public, max-age=300"
        return KeySet(keys=(keys.jwks or {}).get("keys", []), fetched_at=keys.fetched_at)

    @router.get("/sw.js", include_in_schema=False)
    async def service_worker() -> FileResponse:
        # Served from the root so that it may keep the page (scope "/") for offline use.
        return FileResponse(WEB / "sw.js", media_type="text/javascript",
                            headers={"Cache-Control": "no-cache"})

    return router
