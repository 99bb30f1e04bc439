"""Running a service process: uvicorn on the service's host and port."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import uvicorn

from libs.runtime.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)


def serve(build: Callable[[S], Any], settings: S) -> None:
    # Logging is set up by the app's lifespan (JSON); uvicorn's own config would replace it.
    uvicorn.run(build(settings), host=settings.host, port=settings.port, log_config=None,
                access_log=False, timeout_graceful_shutdown=10)
