"""Every route of every service × every role (and no token): exactly the roles in the
table below get past authorization; the others get 401 (no token) or 403 (wrong role, or
a token scoped to other checkpoints, wards or declarations).

The table is written out by hand, not read from the code: changing a route's guard, or
adding a route without a line here, fails the test. "Past authorization" is any status
but 401/403 (a 404 or 422 for the dummy ids and minimal bodies is fine), and never a 5xx.
Where a route hides what is out of scope as "not found" (HIDDEN), that 404 is checked
against a real resource that the in-scope caller does see.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from libs.runtime.auth import Role
from services.declaration import keyring
from services.declaration.app import build as build_declaration
from services.identity_verification.app import build as build_identity
from services.identity_verification.settings import Settings as IdentitySettings
from services.movement_trace.app import build as build_trace
from services.movement_trace.settings import Settings as TraceSettings
from services.ward_notification.app import build as build_ward
from services.ward_notification.settings import Settings as WardSettings
from tests.conftest import ServerSlice
from tests.support import checkpoint_kit, declaration_kit, notification_kit
from tests.support.apps import running
from tests.support.kafka import eventually
from tests.support.routes import route_keys
from tests.support.samples import HOAN_KIEM, VUNG_TAU
from tests.support.tokens import bearer, citizen

DECL, VEHICLE, CP, WARD = "0198c1d2-0000-7000-8000-00000000d3c1", "veh-matrix", "cp-matrix", VUNG_TAU
PRINCIPALS: dict[str, tuple[Role, list[str]]] = {
    "citizen": (Role.citizen, [DECL, VEHICLE]),  # as issued on submission: its own ids
    "citizen-other": (Role.citizen, ["0198c1d2-0000-7000-8000-0000000e1fe1"]),
    "officer": (Role.officer, [CP]),
    "officer-other": (Role.officer, ["cp-elsewhere"]),
    "ward": (Role.ward_official, [WARD]),
    "ward-other": (Role.ward_official, [notification_kit.BEN_THANH]),
    "epidemiologist": (Role.epidemiologist, []),
    "admin": (Role.admin, []),
}
assert {role for role, _ in PRINCIPALS.values()} == set(Role), "a new role needs a column here"
TOKENS: dict[str, Mapping[str, str]] = {"anonymous": {}, **{
    name: citizen(*scope) if role == Role.citizen else bearer(role, scope, who=f"matrix-{name}")
    for name, (role, scope) in PRINCIPALS.items()}}

EVERYONE = frozenset(TOKENS)
OFFICERS = frozenset({"officer", "officer-other"})  # where officers are not scoped
ADMIN = frozenset({"admin"})
OPERATIONS = {route: EVERYONE for route in (
    "GET /openapi.json", "GET /docs", "GET /docs/oauth2-redirect", "GET /redoc", "GET /healthz",
    "GET /readyz", "GET /metrics", "GET /asyncapi", "GET /asyncapi.json", "GET /", "GET /v1/auth",
    "MOUNT /static", "MOUNT /shared")}

READERS = frozenset({"citizen", *OFFICERS, "admin"})  # a citizen: only its own declaration
ALLOWED: dict[str, dict[str, frozenset[str]]] = {
    "declaration": {
        **OPERATIONS,
        "GET /keys/": EVERYONE,  # the QR signing keys page (admins); its data is public
        "POST /v1/declarations": EVERYONE,
        "GET /v1/declarations/{declaration_id}": READERS,
        "GET /v1/declarations/{declaration_id}/qr.{fmt}": READERS,
        "POST /v1/declarations/paper": OFFICERS | ADMIN,
        "POST /v1/declarations/import": OFFICERS | ADMIN,
        "GET /v1/entries": OFFICERS | ADMIN,
        "GET /officer/": EVERYONE,  # the officers' console page: it signs in, the API decides
        "POST /v1/vehicles": EVERYONE,
        "GET /v1/vehicles/{vehicle_id}": READERS,
        "GET /v1/vehicles/{vehicle_id}/qr.{fmt}": READERS,
        "GET /v1/keys": EVERYONE,
        "GET /v1/units": EVERYONE,
        # Past the role check, each reveal needs grounds (test_reveals.py); {} is a 422.
        "POST /v1/reveals": OFFICERS | frozenset({"ward", "ward-other", "epidemiologist"}),
        "GET /v1/declarations/{declaration_id}/accesses": frozenset({"citizen", "admin"}),
        "GET /v1/admin/keys": ADMIN,
        "POST /v1/admin/keys/rotate": ADMIN,
        "POST /v1/admin/keys/{kid}/retire": ADMIN,
    },
    "identity_verification": {
        **OPERATIONS,
        "POST /v1/residents/lookup": OFFICERS | ADMIN,
        "POST /v1/residents/import": ADMIN,
        "GET /v1/stats": ADMIN,
        "GET /v1/verifications/{declaration_id}": OFFICERS | ADMIN,
    },
    "checkpoint": {
        **OPERATIONS,
        "GET /admin/": EVERYONE,  # the admin console's page; its API calls are checked
        "POST /v1/scans": frozenset({"officer", "admin"}),
        "POST /v1/scans/lookup": frozenset({"officer", "admin"}),
        "GET /v1/keys": EVERYONE,
        "GET /sw.js": EVERYONE,
        "POST /v1/passages": frozenset({"officer", "admin"}),
        "GET /v1/passages/{passage_id}": frozenset({"officer", "admin"}),
        "PUT /v1/checkpoints/{checkpoint_id}": ADMIN,
        "GET /v1/checkpoints": OFFICERS | ADMIN,  # an officer gets only their own listed
        "GET /v1/checkpoints/{checkpoint_id}": frozenset({"officer", "admin"}),
    },
    "movement_trace": {
        **OPERATIONS,
        **{f"GET /v1/{query}": frozenset({"epidemiologist"}) for query in (
            "timeline", "visits", "contacts", "timeline/export", "visits/export",
            "contacts/export", "cases/{case_id}/proposal", "quarantines", "cases/stats",
            "cases/suspected", "arrival-rules", "arrivals/proposed", "dashboard")},
        "PUT /v1/arrival-rules/{country}": frozenset({"epidemiologist"}),
        "DELETE /v1/arrival-rules/{country}": frozenset({"epidemiologist"}),
        **{f"POST /v1/{action}": frozenset({"epidemiologist"}) for action in (
            "subjects", "cases", "cases/{case_id}/quarantines", "quarantines",
            "quarantines/{quarantine_id}/release")},
        "POST /v1/admin/rebuild": ADMIN,
        "GET /v1/admin/rebuild": ADMIN,
        "POST /v1/admin/purge": ADMIN,
        "GET /v1/audit": ADMIN,
    },
    "ward_notification": {
        **OPERATIONS,
        "GET /admin/": EVERYONE,  # the admin console's page; its API calls are checked
        "GET /v1/notifications": frozenset({"ward", "admin"}),
        "GET /v1/notifications/counts": frozenset({"ward", "admin"}),
        "GET /v1/notifications/{notification_id}": frozenset({"ward", "admin"}),
        # Other wards' ids come back in `not_found`: nothing of theirs is touched.
        "POST /v1/notifications/ack": frozenset({"ward", "ward-other", "admin"}),
        "POST /v1/notifications/{notification_id}/ack": frozenset({"ward", "admin"}),
        "GET /v1/feed": frozenset({"ward", "admin"}),
        "POST /v1/webhooks": frozenset({"ward", "admin"}),
        "GET /v1/webhooks": frozenset({"ward", "admin"}),
        "GET /v1/webhooks/{webhook_id}": frozenset({"ward", "admin"}),
        "POST /v1/webhooks/{webhook_id}/enable": frozenset({"ward", "admin"}),
        "POST /v1/webhooks/{webhook_id}/disable": frozenset({"ward", "admin"}),
        "GET /v1/webhooks/{webhook_id}/deliveries": frozenset({"ward", "admin"}),
        "POST /v1/webhooks/{webhook_id}/secret": frozenset({"ward", "admin"}),
        "DELETE /v1/webhooks/{webhook_id}": frozenset({"ward", "admin"}),
        "GET /v1/followups": frozenset({"ward", "admin"}),
        # The quarantine named in the body decides the ward: checked after the input.
        "POST /v1/followups": frozenset({"ward", "ward-other", "admin"}),
        "GET /v1/followups/stats": frozenset({"ward", "admin", "epidemiologist"}),
        "POST /v1/zones/{ward_code}/levels": ADMIN,
        "GET /v1/zones/{ward_code}": EVERYONE,
    },
}
# Routes that answer 404, not 403, for another ward's item: its existence is not revealed.
HIDDEN = {route: frozenset({"ward-other"}) for route in (
    "GET /v1/notifications/{notification_id}", "POST /v1/notifications/{notification_id}/ack",
    "GET /v1/webhooks/{webhook_id}", "POST /v1/webhooks/{webhook_id}/enable",
    "POST /v1/webhooks/{webhook_id}/disable", "GET /v1/webhooks/{webhook_id}/deliveries",
    "POST /v1/webhooks/{webhook_id}/secret", "DELETE /v1/webhooks/{webhook_id}")}


@dataclass
class Call:
    """How to call a route: minimal input that gets an allowed caller to the scope checks."""

    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


CALLS = {
    "MOUNT /static": Call(),
    "MOUNT /shared": Call(),
    "POST /v1/scans": Call(json={"checkpoint_id": CP, "token": "not-a-qr-token"}),
    "POST /v1/scans/lookup": Call(json={"checkpoint_id": CP, "national_id": "001085012345",
                                        "date_of_birth": "1985-03-14"}),
    # A decision made offline names its checkpoint: checked before the (bad) token.
    "POST /v1/passages": Call(json={"scan_id": "scan-matrix-1", "decision": "pass",
                                    "checkpoint_id": CP, "token": "not-a-qr-token"}),
    "PUT /v1/checkpoints/{checkpoint_id}": Call(json={}),
    "POST /v1/residents/import": Call(content=b"", headers={"content-type": "text/csv"}),
    "POST /v1/declarations/import": Call(content=b""),
    "GET /v1/notifications": Call(params={"ward": WARD}),
    "GET /v1/notifications/counts": Call(params={"ward": WARD}),
    "GET /v1/webhooks": Call(params={"ward": WARD}),
    "GET /v1/followups": Call(params={"ward": WARD}),
    "GET /v1/followups/stats": Call(params={"ward": WARD}),
    # An over-long Last-Event-ID: allowed callers get a 422 instead of an endless stream.
    "GET /v1/feed": Call(params={"ward": WARD}, headers={"last-event-id": "x" * 33}),
    "POST /v1/webhooks": Call(json={"ward_code": WARD, "url": "ftp://not-allowed"}),
}


MOUNTED_FILE = {"/static": "index.html", "/shared": "i18n.js"}  # one file each folder has


@dataclass
class Served:
    client: httpx.AsyncClient
    ids: dict[str, str]  # path values of real items, for the scope checks
    app: FastAPI


def url_of(route: str, ids: dict[str, str]) -> tuple[str, str]:
    method, path = route.split(" ")
    if method == "MOUNT":
        return "GET", f"{path}/{MOUNTED_FILE[path]}"
    values = {"declaration_id": DECL, "vehicle_id": VEHICLE, "fmt": "svg", "checkpoint_id": CP,
              "national_id": "001085012345", "passage_id": "none", "ward_code": WARD,
              "notification_id": "none", "webhook_id": "none", "case_id": "none",
              "quarantine_id": "none", "country": "KR", "kid": "0" * 20, **ids}
    return method, path.format(**values)


def expected(service: str, route: str, allowed: frozenset[str], who: str) -> str:
    if who in HIDDEN.get(route, ()):
        return "404"
    if who in allowed:
        return "past"
    # Citizens' tokens are the declaration service's: any other service knows no such token.
    stranger = who.startswith("citizen") and service != "declaration"
    return "401" if who == "anonymous" or stranger else "403"


def agrees(answer: httpx.Response, want: str) -> bool:
    status = answer.status_code
    if want == "past":
        return status not in (401, 403) and status < 500
    # Refusals in the shared error shape (DESIGN.md §11).
    return str(status) == want and "error" in answer.json()


async def check(client: httpx.AsyncClient, service: str, ids: dict[str, str]) -> list[str]:
    """Every call whose answer breaks the table, as a readable line."""
    problems = []
    for route, allowed in ALLOWED[service].items():
        method, url = url_of(route, ids)
        call = CALLS.get(route, Call(json={} if method in ("POST", "PUT") else None))
        body = {"ids": [ids["notification_id"]]} if route == "POST /v1/notifications/ack" \
            else call.json
        # The refused callers first: a DELETE by an allowed one would empty the route.
        statuses = {}
        for who in sorted(TOKENS, key=lambda name: name in allowed):
            answer = await client.request(method, url, params=call.params, json=body,
                                          content=call.content,
                                          headers={**call.headers, **TOKENS[who]})
            statuses[who], want = answer.status_code, expected(service, route, allowed, who)
            if not agrees(answer, want):
                problems.append(f"{route} as {who}: {answer.status_code}, expected {want}: "
                                f"{answer.text[:120]}")
        if route in HIDDEN and statuses["ward"] >= 300:  # the 404s must hide something real
            problems.append(f"{route}: the ward's own official got {statuses['ward']}")
    return problems


@asynccontextmanager
async def declaration(env: ServerSlice) -> AsyncIterator[Served]:
    # A copy of the development key file: the admin's rotation stays here, and the citizens'
    # tokens (signed with the development key) still verify.
    with tempfile.TemporaryDirectory() as folder:
        key_file = Path(folder) / "qr.json"
        keyring.load(keyring.DEFAULT_KEY_FILE, create=True)
        shutil.copyfile(keyring.DEFAULT_KEY_FILE, key_file)
        app = build_declaration(declaration_kit.settings(env, qr_key_file=key_file))
        async with running(app) as client:
            yield Served(client, {}, app)


@asynccontextmanager
async def identity(env: ServerSlice) -> AsyncIterator[Served]:
    app = build_identity(env.settings(IdentitySettings))
    async with running(app) as client:
        yield Served(client, {}, app)


@asynccontextmanager
async def trace(env: ServerSlice) -> AsyncIterator[Served]:
    app = build_trace(env.settings(TraceSettings))
    async with running(app) as client:
        yield Served(client, {}, app)


@asynccontextmanager
async def checkpoint(env: ServerSlice) -> AsyncIterator[Served]:
    """With checkpoint CP and one passage decided there, so scope checks have a target."""
    keys, admin = checkpoint_kit.Keys(), TOKENS["admin"]
    async with checkpoint_kit.checkpoint_service(env, keys) as client:
        answer = await client.put(f"/v1/checkpoints/{CP}", headers=admin, json={
            "name": "Chốt ma trận", "kind": "road", "ward_code": HOAN_KIEM})
        assert answer.status_code == 201, answer.text
        decl = checkpoint_kit.declaration()
        await env.publish(decl)
        scan = checkpoint_kit.scan_id()

        async def scanned() -> bool:
            answer = await client.post("/v1/scans", headers=admin, json={
                "checkpoint_id": CP, "token": keys.token(decl.payload.declaration_id),
                "scan_id": scan})
            return answer.status_code == 200

        await eventually(scanned, timeout_s=60)
        decided = await client.post("/v1/passages", headers=admin,
                                    json={"scan_id": scan, "decision": "pass"})
        assert decided.status_code == 201, decided.text
        yield Served(client, {"passage_id": decided.json()["passage_id"]},
                     client.app)  # type: ignore[attr-defined]


@asynccontextmanager
async def ward(env: ServerSlice) -> AsyncIterator[Served]:
    """With one notification and one webhook of WARD (on 127.0.0.1, allow-listed)."""
    app = build_ward(env.settings(WardSettings, webhook_allowed_hosts="127.0.0.1"))
    async with running(app) as client:
        await env.publish(notification_kit.declaration(destination=WARD))

        async def arrived() -> list[Any]:
            page = await client.get("/v1/notifications", headers=TOKENS["ward"])
            return list(page.json()["items"])

        [notice] = await eventually(arrived, timeout_s=60)
        hook = await client.post("/v1/webhooks", headers=TOKENS["ward"], json={
            "ward_code": WARD, "url": "http://127.0.0.1:9/hook"})
        assert hook.status_code == 201, hook.text
        yield Served(client, {"notification_id": notice["id"], "webhook_id": hook.json()["id"]},
                     app)


SERVICES: dict[str, Callable[[ServerSlice], AbstractAsyncContextManager[Served]]] = {
    "declaration": declaration, "identity_verification": identity, "checkpoint": checkpoint,
    "movement_trace": trace, "ward_notification": ward}


@pytest.mark.parametrize("service", SERVICES)
async def test_every_route_admits_exactly_its_roles(env: ServerSlice, service: str) -> None:
    async with SERVICES[service](env) as served:
        assert route_keys(served.app) == set(ALLOWED[service]), "a route without a line here"
        problems = await check(served.client, service, served.ids)
    assert problems == []
