"""Which wards a caller may act on: a ward official only the wards in the token's scope."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from libs.contracts.values import WardCode
from libs.runtime.auth import Principal, Role
from libs.runtime.errors import ApiError
from services.ward_notification.domain.errors import WardForbidden

WardsQuery = Annotated[list[WardCode] | None, Query(
    alias="ward", max_length=20,
    description="ward codes (repeat the parameter); default: every ward of the token "
                "(an admin's token has none: an admin names them)",
    json_schema_extra={"x-rules": {"ward_required": "no `ward` from an admin, whose token "
                                                    "names no ward"}})]


def wards_for(who: Principal, requested: list[str] | None) -> list[str]:
    if not requested:
        if who.role == Role.admin:
            raise ApiError(422, "ward_required", "Cần chọn phường/xã (tham số ward)",
                           "Name the ward(s) with the 'ward' parameter",
                           {"ward": [{"code": "missing", "message": "required for admins"}]})
        if not who.scope:
            raise ApiError(403, "no_wards", "Mã truy cập không gắn với phường/xã nào",
                           "The token names no ward")
        return list(dict.fromkeys(who.scope))
    check_wards(who, requested)
    return list(dict.fromkeys(requested))


def check_wards(who: Principal, wards: list[str]) -> None:
    denied = [ward for ward in wards if not who.may_see(ward)]
    if denied:
        raise forbidden(WardForbidden(denied))


def forbidden(error: WardForbidden) -> ApiError:
    return ApiError(403, "ward_forbidden", "Không có quyền với phường/xã này",
                    "This token is not for that ward", {"ward": error.wards})
