"""The domain's exceptions as API errors (DESIGN.md §11 error shape): status, code and
the bilingual message, in one table."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from libs.runtime.errors import ApiError
from services.checkpoint.domain.errors import (
    AlreadyDecided,
    CheckpointError,
    InvalidDecision,
    KeysUnavailable,
    ScanIdReused,
    TokenRefused,
)
from services.checkpoint.domain.texts import TOKEN_ERRORS

# code → (status, Vietnamese, English)
ERRORS: dict[str, tuple[int, str, str]] = {
    "checkpoint_unknown": (404, "Không có chốt kiểm soát này", "No such checkpoint"),
    "checkpoint_forbidden": (403, "Cán bộ không được phân công ở chốt này",
                             "This officer is not assigned to that checkpoint"),
    "checkpoint_inactive": (409, "Chốt kiểm soát đã ngừng hoạt động",
                            "The checkpoint is not in service"),
    "keys_unavailable": (503, "Chưa tải được khoá kiểm tra mã QR, thử lại",
                         "The QR verification keys are not available yet; retry"),
    "vehicle_unknown": (404, "Chưa nhận được tờ khai phương tiện này — thử lại sau ít giây",
                        "This vehicle declaration has not reached the checkpoint service yet; "
                        "retry in a moment"),
    "declaration_unknown": (404, "Chưa nhận được tờ khai này — thử lại sau ít giây",
                            "This declaration has not reached the checkpoint service yet; "
                            "retry in a moment"),
    "lookup_not_found": (404, "Không tìm thấy tờ khai với số định danh và ngày sinh này",
                         "No declaration for this national ID and date of birth"),
    "scan_id_reused": (409, "Mã lượt quét đã dùng cho lượt khác",
                       "This scan id was used for another scan"),
    "scan_not_found": (404, "Không có lượt quét này (gửi kèm mã QR nếu quét ngoại tuyến)",
                       "No such scan (send the token with a decision made offline)"),
    "passage_not_found": (404, "Không có lượt qua chốt này", "No such passage"),
    "already_decided": (409, "Lượt quét này đã có quyết định khác",
                        "This scan was already decided otherwise"),
    "pass_blocked": (409, "Không được cho qua lượt quét này (xem lý do)",
                     "Passing is not allowed for this scan (see its reasons)"),
    # 422 on the request's field at fault (InvalidDecision.field)
    "at_in_future": (422, "Thời điểm quyết định ở tương lai (giờ máy sai?)",
                     "The decision time is in the future (wrong clock?)"),
    "at_too_old": (422, "Quyết định lưu ngoại tuyến quá lâu, không nhận",
                   "A decision queued offline for this long is not accepted"),
    "at_before_issue": (422, "Thời điểm quyết định trước khi mã QR được cấp",
                        "The decision time is before the QR code was issued"),
    "direction_required": (422, "Chọn vào hay ra",
                           "Say whether the person is checking in (in) or out (out)"),
    "reason_with_pass": (422, "Cho qua thì không cần lý do", "A pass takes no reason"),
    "reason_required": (422, "Chọn lý do từ chối", "Give a refusal reason"),
}


def api_error(error: CheckpointError) -> ApiError:
    if isinstance(error, TokenRefused):
        vi, en = TOKEN_ERRORS.get(error.reason, TOKEN_ERRORS["malformed"])
        return ApiError(422, error.code, vi, en,
                        {"token": [{"code": error.reason, "message": error.detail}]})
    status, vi, en = ERRORS[error.code]
    if isinstance(error, InvalidDecision):
        return ApiError(status, error.code, vi, en,
                        {error.field: [{"code": error.code, "message": en}]})
    if isinstance(error, AlreadyDecided):
        return ApiError(status, error.code, vi, en,
                        {"decision": [error.decision], "direction": [error.direction]})
    if isinstance(error, ScanIdReused):
        return ApiError(status, error.code, vi, en, {"scan_id": [error.scan_id]})
    if isinstance(error, KeysUnavailable):
        return ApiError(status, error.code, vi, en, headers={"Retry-After": "5"})
    return ApiError(status, error.code, vi, en)


@asynccontextmanager
async def domain_errors() -> AsyncIterator[None]:
    """Around a use case: its domain exception becomes the API's error."""
    try:
        yield
    except CheckpointError as error:
        raise api_error(error) from None
