"""Helpers for the ward-notification tests: events to publish, a real HTTP server
on 127.0.0.1 for the app (SSE and the browser need one), and a webhook receiver."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from libs.contracts.envelope import Envelope, new_event_id
from libs.contracts.events.checkpoint import CheckpointPassed, CheckpointRefused
from libs.contracts.events.declaration import DeclarationSubmitted
from libs.contracts.events.identity import IdentityRejected
from libs.contracts.values import subject_id_for
from libs.runtime.settings import DEV_SUBJECT_SECRET
from tests.support.samples import HOAN_KIEM, VUNG_TAU, declaration_form

BEN_THANH = "26743"  # Phường Bến Thành, TP Hồ Chí Minh: a ward nobody in these tests serves
BA_DINH = "00004"


def declaration(national_id: str = "001085012345", *, origin: str = HOAN_KIEM,
                destination: str = VUNG_TAU, current: str = HOAN_KIEM,
                departure: date | None = None) -> Envelope[DeclarationSubmitted]:
    form = declaration_form(national_id, origin_ward=origin, destination_ward=destination)
    form["residence"]["current"]["ward_code"] = current
    if departure is not None:
        form["trip"]["departure_date"] = departure.isoformat()
    payload = DeclarationSubmitted(
        declaration_id=new_event_id(),
        subject_id=subject_id_for(DEV_SUBJECT_SECRET.encode(), national_id),
        channel="web", person=form["person"], residence=form["residence"], trip=form["trip"],
        health=form["health"], valid_until=datetime.now(UTC) + timedelta(days=3))
    return Envelope.wrap(payload, producer="test")


def passage(decl: Envelope[DeclarationSubmitted], passage_id: str = "p-1",
            checkpoint_id: str = "cp-hn-01", refused: str | None = None) -> Envelope[Any]:
    fields: dict[str, Any] = dict(
        passage_id=passage_id, declaration_id=decl.payload.declaration_id,
        subject_id=decl.payload.subject_id, checkpoint_id=checkpoint_id, kind="road",
        ward_code=BA_DINH, direction="out", officer_id="officer-7", at=datetime.now(UTC),
        vehicle_plate="29A12345")
    payload = (CheckpointRefused(**fields, reason=refused) if refused
               else CheckpointPassed(**fields))
    return Envelope.wrap(payload, producer="test")


def rejection(decl: Envelope[DeclarationSubmitted]) -> Envelope[IdentityRejected]:
    return Envelope.wrap(IdentityRejected(
        declaration_id=decl.payload.declaration_id, subject_id=decl.payload.subject_id,
        reasons=["name_mismatch"]), producer="test")



@asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """Run an ASGI app (with its lifespan) on a free 127.0.0.1 port; yield its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on",
                            timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        for _ in range(600):
            if server.started or task.done():
                break
            await asyncio.sleep(0.1)
        assert server.started, "the server did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)
        sock.close()


@dataclass
class Receiver:
    """A ward's system: records what it is sent and answers the statuses of `plan`, then 200."""

    plan: list[int] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)
    always: int | None = None

    def app(self) -> Starlette:
        async def hook(request: Request) -> JSONResponse:
            self.received.append({"headers": dict(request.headers), "body": await request.body()})
            status = self.always or (self.plan.pop(0) if self.plan else 200)
            return JSONResponse({"ok": status < 300}, status_code=status)

        return Starlette(routes=[Route("/hook", hook, methods=["POST"])])
