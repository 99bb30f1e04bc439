"""Form errors for people: every field error with a code and a Vietnamese and English message.

The shared handler (libs/runtime/errors.py) answers a validation failure with
pydantic's English text. This service's routes translate them first, through
FastAPI's documented custom `APIRoute` hook, so the citizen page can show
each message beside its field in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic_core import ErrorDetails

from libs.runtime.errors import ApiError
from services.declaration.domain.field_errors import field_errors

INVALID_VI = "Thông tin chưa hợp lệ, vui lòng xem lại các trường được đánh dấu"
INVALID_EN = "Some fields are not valid; see the marked fields"


def invalid_input(errors: Iterable[ErrorDetails]) -> ApiError:
    return ApiError(422, "invalid_input", INVALID_VI, INVALID_EN, field_errors(errors))


class TranslatedErrorsRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def translated(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                if any(err["type"] == "json_invalid" for err in exc.errors()):
                    raise  # malformed JSON stays the shared 400
                raise invalid_input(exc.errors()) from None

        return translated
