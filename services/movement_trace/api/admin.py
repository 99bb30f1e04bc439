"""Admin routes: start and watch a rebuild from the log, run the retention purge now."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from libs.runtime.errors import ApiError
from libs.runtime.logs import log_fields
from services.movement_trace.api.common import Admin
from services.movement_trace.service.rebuild import Rebuilder
from services.movement_trace.settings import Settings
from services.movement_trace.store.cases import CaseStore
from services.movement_trace.store.purge import purge_once
from services.movement_trace.store.rebuild_lock import RebuildRunning
from services.movement_trace.store.trace import TraceStore

log = logging.getLogger(__name__)


class RebuildStatus(BaseModel):
    state: str = "never"
    generation: int | None = None
    by: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    report: dict[str, Any] | None = None
    error: str | None = None
    active_generation: int
    building_generation: int | None = None


class RebuildRunner:
    """Runs rebuilds asked for over HTTP inside the service's lifespan, one at a time."""

    def __init__(self, rebuilder: Rebuilder) -> None:
        self.rebuilder = rebuilder
        self.requests: asyncio.Queue[str] = asyncio.Queue(maxsize=1)
        self.busy = False  # from the request until the rebuild ends, in this replica

    def submit(self, by: str) -> None:
        self.busy = True
        self.requests.put_nowait(by)

    async def run(self) -> None:
        while True:
            by = await self.requests.get()
            try:
                progress = await self.rebuilder.run(by=by)
                log.info("rebuild finished", extra=log_fields(**progress.report()))
            except RebuildRunning:
                log.warning("rebuild not started: another one is running")
            except Exception:
                log.exception("rebuild failed")
            finally:
                self.busy = False


def build_router(store: TraceStore, cases: CaseStore, runner: RebuildRunner,
                 settings: Settings) -> APIRouter:
    router = APIRouter(prefix="/v1/admin", tags=["admin"])

    async def status() -> RebuildStatus:
        pointer = await store.generations.current(fresh=True)
        doc = await runner.rebuilder.lock.status() or {}
        fields = {k: v for k, v in doc.items() if k in RebuildStatus.model_fields}
        return RebuildStatus(**fields, active_generation=pointer.active,
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
        return await purge_once(store, cases, settings)

    return router
