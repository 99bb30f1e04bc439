"""The HTTP app factory every service uses.

`create_app` wires what is the same everywhere: the lifespan that starts the
Kafka broker and the service's background tasks, `/healthz`, `/readyz`,
`/metrics`, `/asyncapi`, the error shape, correlation ids, a body-size limit
and the service's own page at `/`.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI
from faststream.specification.asyncapi.site import get_asyncapi_html
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pymongo import AsyncMongoClient
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from libs.runtime import metrics
from libs.runtime.auth import Authenticator, StaffTokens, refuse_development_realm, split_issuer
from libs.runtime.consumer_watch import ConsumerWatch
from libs.runtime.errors import error_body, install_error_handlers
from libs.runtime.jobs import every
from libs.runtime.kafka import record_lag
from libs.runtime.logs import correlation_id, setup_logging
from libs.runtime.mongo import Document, ping
from libs.runtime.openapi import document_api
from libs.runtime.settings import ServiceSettings
from libs.runtime.shedding import LoadShedder

MAX_BODY_BYTES = 1024 * 1024
Hook = Callable[[], Coroutine[Any, Any, None]]


LAG_INTERVAL_S = 5.0  # how often `khaibao_consumer_lag_records` is refreshed


@dataclass
class Service:
    """What a composition root hands to `create_app`."""

    settings: ServiceSettings
    broker: KafkaBroker
    mongo: AsyncMongoClient[Document]
    title: str
    description: str
    routers: Sequence[APIRouter] = ()
    startup: list[Hook] = field(default_factory=list)  # run once before consuming
    background: list[Hook] = field(default_factory=list)  # long-running, cancelled at exit
    web_dir: Path | None = None
    # Staff tokens by default; the declaration service adds its citizens' tokens.
    authenticator: Authenticator | None = None


def create_app(service: Service) -> FastAPI:
    watch = ConsumerWatch(service.broker, service.settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        setup_logging(service.settings.service_name, service.settings.log_level)
        await refuse_development_realm(service.settings)
        for hook in service.startup:
            await hook()
        await service.broker.start()
        lag = every(LAG_INTERVAL_S, lambda: record_lag(service.broker), "consumer lag")
        watchdog = every(service.settings.consumer_watch_s, watch.check, "consumer watch")
        tasks = [asyncio.create_task(job()) for job in [*service.background, lag, watchdog]]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.wait(tasks, timeout=10)
            await watch.close()
            await service.broker.stop()
            await service.mongo.close()

    app = FastAPI(title=service.title, description=service.description, version="1",
                  lifespan=lifespan)
    app.state.service = service
    app.state.authenticator = service.authenticator or Authenticator(
        StaffTokens.from_settings(service.settings))
    install_error_handlers(app)
    document_api(app)
    app.include_router(_operations_router(service, watch))
    for router in service.routers:
        app.include_router(router)
    if service.web_dir is not None:
        _mount_page(app, service.web_dir)
    # Inside CORS (a page on another port can read the 503) and the request context.
    app.add_middleware(LoadShedder, limit=service.settings.max_in_flight)
    _allow_other_pages(app, service.settings)
    app.add_middleware(RequestContext)
    return app


def _allow_other_pages(app: FastAPI, settings: ServiceSettings) -> None:
    """CORS for the staff pages of the other services (the ward page asks the declaration
    service for a reveal): the listed origins, or in development any loopback port."""
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    loopback = None if origins or settings.env == "production" else \
        r"^http://(127\.0\.0\.1|localhost)(:\d+)?$"
    app.add_middleware(CORSMiddleware, allow_origins=origins, allow_origin_regex=loopback,
                       allow_methods=["GET", "POST"], max_age=600,
                       allow_headers=["authorization", "content-type", "x-correlation-id"])


def _operations_router(service: Service, watch: ConsumerWatch) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        """Alive: the process answers."""
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        """Ready: Kafka and the store both answer. `consumer` is the watchdog's last look at
        the consumer group (informative: HTTP is served whether or not it keeps up)."""
        checks = {"kafka": await service.broker.ping(timeout=2.0), "mongo": True}
        try:
            await asyncio.wait_for(ping(service.mongo), 2.0)
        except Exception:
            checks["mongo"] = False
        ok = all(checks.values())
        return JSONResponse({"status": "ready" if ok else "unavailable", "checks": checks,
                             "consumer": watch.report()}, status_code=200 if ok else 503)

    @router.get("/v1/auth")
    async def auth() -> dict[str, str]:
        """Where the staff pages sign in: the identity provider, its realm and the pages'
        client (OpenID Connect, authorization code flow with PKCE)."""
        url, realm = split_issuer(service.settings.oidc_issuer)
        return {"url": url, "realm": realm, "client_id": service.settings.oidc_client_id,
                "issuer": service.settings.oidc_issuer.rstrip("/"),
                "declaration_url": service.settings.declaration_url.rstrip("/")}

    @router.get("/metrics", include_in_schema=False)
    async def prometheus() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    spec = AsyncAPI(service.broker, title=f"{service.title} — events",
                    description=service.description)

    @router.get("/asyncapi", include_in_schema=False)
    async def asyncapi() -> HTMLResponse:
        return HTMLResponse(get_asyncapi_html(spec.to_specification(), try_it_out_path=None))

    @router.get("/asyncapi.json", include_in_schema=False)
    async def asyncapi_json() -> Response:
        return Response(spec.to_specification().to_json(), media_type="application/json")

    return router


SHARED_WEB = Path(__file__).parents[1] / "web"  # modules every page imports (libs/web)


def _mount_page(app: FastAPI, web_dir: Path) -> None:
    app.mount("/static", StaticFiles(directory=web_dir), name="static")
    app.mount("/shared", StaticFiles(directory=SHARED_WEB), name="shared")

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(web_dir / "index.html")

    # A further page of the service (a console of another role): each sub-folder with an
    # index.html is served at /<folder>/ (its files stay under /static/<folder>/).
    for folder in sorted(p for p in web_dir.iterdir() if (p / "index.html").is_file()):
        _mount_subpage(app, folder)


def _mount_subpage(app: FastAPI, folder: Path) -> None:
    index = folder / "index.html"

    @app.get(f"/{folder.name}/", include_in_schema=False)
    async def subpage() -> FileResponse:
        return FileResponse(index)


class RequestContext:
    """Pure ASGI middleware: correlation id, metrics and the body-size limit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        cid = _caller_correlation_id(headers.get(b"x-correlation-id", b"")) or _new_id()
        token = correlation_id.set(cid)
        started, status = time.perf_counter(), 500
        length = headers.get(b"content-length", b"0")
        if not length.isdigit() or int(length) > MAX_BODY_BYTES:
            await _send_too_large(send, cid)
            correlation_id.reset(token)
            return
        received, too_large = 0, False

        async def counting_receive() -> Message:
            nonlocal received, too_large, status
            message = await receive()
            received += len(message.get("body", b""))
            if received > MAX_BODY_BYTES and not too_large:
                # Answer now; the app sees the client gone and stops reading.
                too_large, status = True, 413
                await _send_too_large(send, cid)
                return {"type": "http.disconnect"}
            return message

        async def tagged_send(message: Message) -> None:
            nonlocal status
            if too_large:
                return
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []),
                                      (b"x-correlation-id", cid.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, counting_receive, tagged_send)
        except Exception:
            if not too_large:
                raise
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            metrics.HTTP_REQUESTS.labels(scope["method"], route, str(status)).inc()
            metrics.HTTP_LATENCY.labels(scope["method"], route).observe(
                time.perf_counter() - started)
            correlation_id.reset(token)


async def _send_too_large(send: Any, cid: str) -> None:
    body = JSONResponse(error_body("body_too_large", "Dữ liệu gửi lên quá lớn (tối đa 1 MiB)",
                                   "Request body too large (1 MiB at most)"), status_code=413)
    await send({"type": "http.response.start", "status": 413,
                "headers": [*body.raw_headers, (b"x-correlation-id", cid.encode("latin-1"))]})
    await send({"type": "http.response.body", "body": body.body})


# What a caller's X-Correlation-ID may be: it goes into every event and log line of the
# request, so it follows the plain-text rule strictly (ids, not text).
_CORRELATION_ID = re.compile(rb"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")


def _caller_correlation_id(raw: bytes) -> str | None:
    """The caller's correlation id, or None (a fresh one is made) when it is not an id."""
    return raw.decode("ascii") if _CORRELATION_ID.match(raw) else None


def _new_id() -> str:
    from libs.contracts.envelope import new_event_id

    return new_event_id()
