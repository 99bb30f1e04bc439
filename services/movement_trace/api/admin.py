"""Admin routes: start and watch a rebuild from the log, run the retention purge now."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from libs.runtime.auth import Admin
from libs.runtime.errors import ApiError
from services.movement_trace.api.models import RebuildStatus
from services.movement_trace.service.ports import Generations
from services.movement_trace.service.rebuild import RebuildRunner


def build_router(generations: Generations, runner: RebuildRunner,
                 purge: Callable[[], Awaitable[dict[str, int]]]) -> APIRouter:
    router = APIRouter(prefix="/v1/admin", tags=["admin"])

    async def status() -> RebuildStatus:
        pointer = await generations.current(fresh=True)
        last = await runner.rebuilder.lock.status()
        return RebuildStatus(**last.model_dump(), active_generation=pointer.active,
                             building_generation=pointer.building)

    @router.post("/rebuild", status_code=202, response_model=RebuildStatus,
                 responses={409: {"description": "a rebuild is running (rebuild_running)"}})
    async def start_rebuild(who: Admin) -> JSONResponse:
        """Replay the log into a new generation; the current one serves until the switch."""
        current = await status()
        if current.state == "running" or runner.busy:
            raise ApiError(409, "rebuild_running", "Đang dựng lại dữ liệu, vui lòng đợi",
                           "A rebuild is already running")
        runner.submit(who.subject)
        return JSONResponse(current.model_dump(mode="json") | {"state": "queued"}, status_code=202)

    @router.get("/rebuild", response_model=RebuildStatus)
    async def rebuild_status(_: Admin) -> RebuildStatus:
        """The last rebuild: state, generation, events replayed and events per second."""
        return await status()

    @router.post("/purge")
    async def purge_now(_: Admin) -> dict[str, int]:
        """Run the retention purge now (it also runs every `purge_interval_s`)."""
        return await purge()

    return router
