"""One error shape for every service (DESIGN.md §11):

    {"error": {"code": "...", "message": {"vi": "...", "en": "..."}, "fields": {...}}}

Bad input is always a 4xx with a machine code and a message in both languages.
"""

from __future__ import annotations

import logging
from typing import Any

from aiokafka.errors import KafkaError, KafkaTimeoutError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pymongo.errors import ConnectionFailure
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, code: str, vi: str, en: str,
                 fields: dict[str, Any] | None = None, headers: dict[str, str] | None = None):
        super().__init__(en)
        self.status, self.code, self.vi, self.en = status, code, vi, en
        self.fields = fields or {}
        self.headers = headers


def error_body(code: str, vi: str, en: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": {"vi": vi, "en": en}, "fields": fields or {}}}


# Messages for the HTTP statuses the framework raises on its own.
_STATUS_TEXT = {
    401: ("unauthorized", "Cần đăng nhập", "Authentication required"),
    403: ("forbidden", "Không có quyền", "Not allowed"),
    404: ("not_found", "Không tìm thấy", "Not found"),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ", "Method not allowed"),
    413: ("body_too_large", "Dữ liệu gửi lên quá lớn", "Request body too large"),
}


def _field_errors(exc: RequestValidationError) -> dict[str, list[dict[str, str]]]:
    fields: dict[str, list[dict[str, str]]] = {}
    for err in exc.errors():
        loc = [str(part) for part in err["loc"] if part not in ("body", "query", "path")]
        fields.setdefault(".".join(loc) or "body", []).append(
            {"code": err["type"], "message": err["msg"]})
    return fields


async def _on_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
    if any(err["type"] == "json_invalid" for err in exc.errors()):
        return JSONResponse(error_body("malformed_json", "Dữ liệu JSON không hợp lệ",
                                       "The body is not valid JSON"), status_code=400)
    return JSONResponse(error_body("invalid_input", "Thông tin chưa hợp lệ",
                                   "Some fields are not valid", _field_errors(exc)),
                        status_code=422)


async def _on_api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(error_body(exc.code, exc.vi, exc.en, exc.fields),
                        status_code=exc.status, headers=exc.headers)


async def _on_http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, vi, en = _STATUS_TEXT.get(exc.status_code, ("http_error", str(exc.detail), str(exc.detail)))
    return JSONResponse(error_body(code, vi, en), status_code=exc.status_code,
                        headers=getattr(exc, "headers", None))


async def _on_unavailable(_: Request, exc: Exception) -> JSONResponse:
    # The store or Kafka is restarting: nothing was accepted, the client may retry.
    log.warning("dependency unavailable: %r", exc)
    return JSONResponse(error_body("unavailable", "Hệ thống đang bận, vui lòng thử lại",
                                   "Temporarily unavailable, please retry"),
                        status_code=503, headers={"Retry-After": "2"})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation)  # type: ignore[arg-type]
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    for outage in (ConnectionFailure, KafkaError, KafkaTimeoutError):
        app.add_exception_handler(outage, _on_unavailable)
