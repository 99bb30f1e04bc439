"""One error shape for every service (DESIGN.md §11):

    {"error": {"code": "...", "message": {"vi": "...", "en": "..."}, "fields": {...}}}

Bad input is always a 4xx with a machine code and a message in both languages.
"""

from __future__ import annotations

import logging

from aiokafka.errors import KafkaError, KafkaTimeoutError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, Field
from pymongo.errors import ConnectionFailure
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route

from libs.contracts.jsontypes import JsonObject
from libs.contracts.values import check_national_id, normalise_national_id

log = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, code: str, vi: str, en: str,
                 fields: JsonObject | None = None, headers: dict[str, str] | None = None):
        super().__init__(en)
        self.status, self.code, self.vi, self.en = status, code, vi, en
        self.fields = fields or {}
        self.headers = headers


def valid_national_id(raw: str) -> str:
    """A CCCD or CMND typed by an official, normalised, or 422 `national_id_invalid` on
    the `national_id` field (for routes that must hash or look it up themselves)."""
    try:
        return check_national_id(str(normalise_national_id(raw)))
    except ValueError as exc:
        raise ApiError(422, "national_id_invalid", "Số định danh không hợp lệ", str(exc),
                       {"national_id": [{"code": "national_id_invalid",
                                         "message": str(exc)}]}) from None


class ErrorMessage(BaseModel):
    vi: str = Field(examples=["Thông tin chưa hợp lệ"])
    en: str = Field(examples=["Some fields are not valid"])


class ErrorDetail(BaseModel):
    code: str = Field(description="machine-readable", examples=["invalid_input"])
    message: ErrorMessage
    fields: JsonObject = Field(default_factory=dict,
                                   description="for bad input: the errors of each field")


class ErrorBody(BaseModel):
    """The one error shape of every service (DESIGN.md §11)."""

    error: ErrorDetail


def error_body(code: str, vi: str, en: str, fields: JsonObject | None = None) -> JsonObject:
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


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, vi, en = _STATUS_TEXT.get(exc.status_code, ("http_error", str(exc.detail), str(exc.detail)))
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    return JSONResponse(error_body(code, vi, en), status_code=exc.status_code,
                        headers=headers or None)


def allowed_methods(request: Request) -> list[str]:
    """Every method of the path a request named, for the `Allow` of a 405 (Starlette's names
    only those of the first route whose path matched). Where a path is both a literal route
    and a template's value (`/v1/declarations/paper`, `…/{declaration_id}`), the routes with
    the fewest parameters speak for it, as its OpenAPI path item does."""
    path = request.scope["path"]  # the services are never mounted under a root path
    matching = [route for route in iter_route_contexts(request.app.routes)
                if isinstance(route.original_route, Route) and route.methods
                and route.path_regex.match(path)]
    if not matching:
        return []
    fewest = min(len(route.param_convertors) for route in matching)
    return sorted({method for route in matching if len(route.param_convertors) == fewest
                   for method in route.methods or ()})


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


# What any operation may answer besides its own documented statuses; `add_error_responses`
# adds them to /openapi.json so that clients (and schemathesis) know every status.
_ANY = {503: "the store or Kafka is unavailable: nothing was done, retry (Retry-After)"}
_WITH_BODY = {400: "the body is not valid JSON (malformed_json) or not a valid file",
              413: "the body is over 1 MiB (body_too_large)"}
_WITH_INPUT = {422: "invalid input: `fields` holds each field's errors (code and message)"}
_WITH_PATH = {404: "no such item (or not one the caller may see)"}
_SECURED = {401: "no bearer token, or an invalid or expired one",
            403: "the token's role, or its scope (checkpoints, wards, declaration), does "
                 "not allow this"}


_FASTAPI_422 = {"$ref": "#/components/schemas/HTTPValidationError"}


def add_error_responses(schema: JsonObject) -> None:
    """The shared error responses (in the shared shape) on every /v1 operation."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(body.pop("$defs", {}))
    components["ErrorBody"] = body
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    for path, item in schema.get("paths", {}).items():
        if not path.startswith("/v1/"):
            continue
        for operation in item.values():
            params = operation.get("parameters", [])
            statuses = {**_ANY,
                        **(_WITH_BODY if "requestBody" in operation else {}),
                        **(_WITH_INPUT if params or "requestBody" in operation else {}),
                        **(_WITH_PATH if any(p["in"] == "path" for p in params) else {}),
                        **(_SECURED if operation.get("security") else {})}
            responses = operation.setdefault("responses", {})
            for status, description in statuses.items():
                responses.setdefault(str(status), {"description": description})
            for status, response in responses.items():
                given = response.get("content", {}).get("application/json", {}).get("schema")
                if status[0] in "45" and given in (None, _FASTAPI_422):
                    response["content"] = content  # FastAPI's own 422 shape is not ours
            operation["responses"] = dict(sorted(responses.items()))
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
