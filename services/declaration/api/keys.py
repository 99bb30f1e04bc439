"""Admins rotate and retire the QR signing keys (services/declaration/keyring.py holds the
file; service/keys.py logs who did it). Scanners read the public half at GET /v1/keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from libs.runtime.auth import Admin
from libs.runtime.errors import ApiError
from libs.runtime.openapi import Responses
from services.declaration.api.models import SigningKey, SigningKeys
from services.declaration.domain.errors import (
    ActiveKeyNotRetirable,
    KeyAlreadyRetired,
    KeyNotFound,
    KeysManagedByOperator,
)
from services.declaration.service.keys import KeyAdmin

Kid = Annotated[str, Path(pattern=r"^[0-9a-f]{20}$", description="the key's id, as in "
                          "GET /v1/keys and in each QR code", examples=["240d7208a633182073f5"])]
MANAGED: Responses = {409: {"description": "the key file is managed by the operator "
                                "(keys_managed_by_operator)"}}


def _managed_by_operator() -> ApiError:
    return ApiError(409, "keys_managed_by_operator",
                    "Khoá do người vận hành quản lý trên máy chủ này (tệp khoá chỉ đọc): đổi "
                    "hoặc thu hồi khoá bằng dòng lệnh rồi thay tệp khoá",
                    "The keys are managed by the operator on this server (the key file is "
                    "read-only): rotate or retire them with the command line and replace "
                    "the key file")


def build_router(keys: KeyAdmin) -> APIRouter:
    router = APIRouter(prefix="/v1/admin/keys", tags=["admin"])

    @router.get("", response_model=SigningKeys)
    async def listing(who: Admin) -> SigningKeys:
        """Every QR signing key with its status and who made and retired it, when."""
        entries, managed = keys.listing()
        return SigningKeys(keys=[SigningKey.of(key) for key in entries],
                           managed_by_operator=managed)

    @router.post("/rotate", status_code=201, response_model=SigningKey, responses=MANAGED)
    async def rotate(who: Admin) -> SigningKey:
        """Make a new key the one that signs new QR codes and citizen tokens; the key before
        keeps verifying the codes it signed. Every replica signs with it within seconds."""
        try:
            return SigningKey.of(await keys.rotate(who.subject))
        except KeysManagedByOperator:
            raise _managed_by_operator() from None

    @router.post("/{kid}/retire", response_model=SigningKey, responses={
        404: {"description": "no key has this kid"},
        409: {"description": "the active key (rotate first: active_key), a key retired "
                             "before (key_retired), or a key file managed by the operator "
                             "(keys_managed_by_operator)"}})
    async def retire(kid: Kid, who: Admin) -> SigningKey:
        """Retire a verifying key: its private key is deleted and it leaves GET /v1/keys, so
        codes it signed stop scanning once the checkpoints refresh their keys."""
        try:
            return SigningKey.of(await keys.retire(kid, who.subject))
        except KeyNotFound:
            raise ApiError(404, "not_found", "Không có khoá này", f"No key {kid}") from None
        except ActiveKeyNotRetirable:
            raise ApiError(409, "active_key", "Không thu hồi được khoá đang ký mã mới: đổi "
                           "khoá trước", "The active key cannot be retired: rotate "
                           "first") from None
        except KeyAlreadyRetired:
            raise ApiError(409, "key_retired", "Khoá này đã được thu hồi",
                           "This key was retired before") from None
        except KeysManagedByOperator:
            raise _managed_by_operator() from None

    return router
