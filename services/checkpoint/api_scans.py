"""Scanning: a QR token, or a manual lookup by national ID and date of birth."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from libs.contracts.values import (
    ONE_DOCUMENT,
    Country,
    IsoDate,
    NationalId,
    Passport,
    PlainText,
)
from libs.runtime.auth import Principal, Role, require
from libs.runtime.openapi import beyond_schema, responses
from services.checkpoint.keys import KeyCache
from services.checkpoint.messages import TOKEN_RULES
from services.checkpoint.scanning import Scanning
from services.checkpoint.schemas import CheckpointId, ScanAnswer, ScanId

Officer = Annotated[Principal, require(Role.officer, Role.admin)]
WEB = Path(__file__).parent / "web"
ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "the officer is not assigned to the checkpoint"},
    404: {"description": "checkpoint, declaration or vehicle not known (yet)"},
    409: {"description": "checkpoint out of service, or scan id used for another scan"},
    503: {"description": "no QR public keys could be fetched yet"}}


class ScanRequest(BaseModel):
    checkpoint_id: CheckpointId
    token: PlainText = Field(max_length=65536, description="the text read from the QR code",
                       examples=["AEBCAAAAAAAAAAAAAAAAA…"])
    scan_id: ScanId | None = Field(None, description="default: a new one")


class LookupRequest(BaseModel):
    """A citizen by national ID, or a foreigner by passport and the country that issued it."""

    model_config = ConfigDict(json_schema_extra=ONE_DOCUMENT)

    checkpoint_id: CheckpointId
    national_id: NationalId | None = None
    passport: Passport | None = None
    nationality: Country | None = Field(None, description="with `passport`")
    date_of_birth: IsoDate = Field(examples=["1985-03-14"])
    scan_id: ScanId | None = None

    @model_validator(mode="after")
    def _one_document(self) -> LookupRequest:
        if (self.national_id is None) == (self.passport is None) or \
                (self.passport is not None) != (self.nationality is not None):
            raise ValueError("give a national_id, or a passport with its nationality")
        return self


class KeySet(BaseModel):
    keys: list[dict[str, Any]]
    fetched_at: datetime | None = Field(None, description="when this service last fetched them")


def build_router(scanning: Scanning, keys: KeyCache) -> APIRouter:
    router = APIRouter(tags=["scanning"])

    @router.post("/v1/scans", response_model=ScanAnswer,
                 responses=responses(ERRORS, beyond_schema(TOKEN_RULES)))
    async def scan(body: ScanRequest, who: Officer) -> ScanAnswer:
        """Check a QR token (signature and expiry, offline) and show the masked declaration
        — or a green-lane vehicle and its crew — with a recommended decision."""
        return await scanning.by_token(who, body.checkpoint_id, body.token, body.scan_id)

    @router.post("/v1/scans/lookup", response_model=ScanAnswer, responses=ERRORS)
    async def lookup(body: LookupRequest, who: Officer) -> ScanAnswer:
        """For a person without the QR (paper form, lost phone): find their current
        declaration by national ID (or passport and nationality) and date of birth."""
        document = body.model_dump(include={"national_id", "passport", "nationality"})
        return await scanning.by_lookup(who, body.checkpoint_id, document,
                                        body.date_of_birth, body.scan_id)

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
