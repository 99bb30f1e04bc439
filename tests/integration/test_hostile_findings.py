"""Findings of the independent round of hostile and load testing (issue 22, part 2), each
tested as a class on the real servers: the rule walked over every input of every route of
every service (built as test_schemathesis builds them), then real calls.

1. integers: every integer input has a lower and an upper bound (no 500 from a number the
   store cannot hold); moments and days too (no 500 from date arithmetic past year 9999);
2. text: every text input refuses control and invisible characters (PlainText, a pattern,
   an enumeration or a stricter format);
3. names: stacked combining marks are refused in every name (and free-text) field;
4. webhooks reach public addresses only, at registration and at delivery;
5. one Idempotency-Key sent 200 times at once: one original answer, 199 replays;
6. a decision never precedes the QR it decides on (online, offline, vehicle, lookup).
(7, correlation ids, is tests/unit/test_event_correlation.py.)
"""

from __future__ import annotations

import asyncio
import enum
import json
import types
import typing
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, TypeAdapter, ValidationError
from pymongo import AsyncMongoClient

from libs.contracts.topics import DECLARATION_SUBMITTED
from libs.runtime.auth import Role
from libs.runtime.qr_tokens import Kind
from services.checkpoint.api.checkpoints import MAX_OFFSET
from services.checkpoint.app import build as build_checkpoint
from services.declaration.app import build as build_declaration
from services.identity_verification.app import build as build_identity
from services.identity_verification.domain.residents import Resident
from services.identity_verification.settings import Settings as IdentitySettings
from services.movement_trace.app import build as build_trace
from services.movement_trace.settings import Settings as TraceSettings
from services.ward_notification.app import build as build_ward
from services.ward_notification.settings import Settings as WardSettings
from tests.conftest import ServerSlice
from tests.integration.test_checkpoint_scan import scan_when_known
from tests.support import checkpoint_kit, declaration_kit
from tests.support.apps import running
from tests.support.checkpoint_kit import DEPOT, ROAD, Keys, add_checkpoints, vehicle, verified
from tests.support.declaration_samples import (
    PAPER_HEADER,
    child,
    csv_bytes,
    day,
    form,
    paper_row,
)
from tests.support.declaration_samples import vehicle as vehicle_form
from tests.support.kafka import eventually
from tests.support.notification_kit import Receiver, declaration, serving
from tests.support.samples import HOAN_KIEM, VUNG_TAU
from tests.support.tokens import bearer

ADMIN = bearer(Role.admin, who="findings-admin")
EPI = bearer(Role.epidemiologist, who="findings-epi")
OFFICER = checkpoint_kit.OFFICER
HUGE = 2**63  # the finding's 9223372036854775808: one past what BSON's int64 holds
CSV = {**checkpoint_kit.ADMIN, "content-type": "text/csv"}


def _checkpoint(env: ServerSlice) -> FastAPI:
    app: FastAPI = build_checkpoint(checkpoint_kit.settings(env),
                                    key_source=checkpoint_kit.Keys().source)
    return app


SERVICES: dict[str, Callable[[ServerSlice], FastAPI]] = {
    "declaration": lambda env: build_declaration(declaration_kit.settings(env)),
    "identity_verification": lambda env: build_identity(env.settings(IdentitySettings)),
    "checkpoint": _checkpoint,
    "movement_trace": lambda env: build_trace(env.settings(TraceSettings)),
    "ward_notification": lambda env: build_ward(env.settings(WardSettings)),
}


def token_for(service: str, path: str) -> Any:
    """Admins may call everything but the epidemiologists' own queries."""
    if service == "movement_trace" and not path.startswith("/v1/admin") and path != "/v1/audit":
        return EPI
    return ADMIN


def refused(answer: httpx.Response, field: str | None = None, code: str | None = None) -> bool:
    """A 422 in the shared shape, naming `field` (with `code`) when given."""
    if answer.status_code != 422:
        return False
    fields = answer.json()["error"]["fields"]
    if field is None:
        return True
    # A repeated query parameter's error names the item (`ward.0`).
    named = [errors for name, errors in fields.items()
             if name == field or (name.startswith(f"{field}.") and name[len(field) + 1:].isdigit())]
    return bool(named) and (code is None or code in {e["code"] for es in named for e in es})


# --- 1. every integer input is bounded -------------------------------------------------------

def _schemas(schema: dict[str, Any], components: dict[str, Any], where: str,
             seen: frozenset[str] = frozenset()) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (sub)schema of `schema` with where it sits, following $refs once per path."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name not in seen:
            yield from _schemas(components[name], components, where, seen | {name})
        return
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for sub in schema.get(key, []):
            yield from _schemas(sub, components, where, seen)
    if isinstance(schema.get("items"), dict):
        yield from _schemas(schema["items"], components, f"{where}[]", seen)
    for name, sub in schema.get("properties", {}).items():
        yield from _schemas(sub, components, f"{where}.{name}", seen)
    if isinstance(schema.get("additionalProperties"), dict):
        yield from _schemas(schema["additionalProperties"], components, f"{where}{{}}", seen)
    yield where, schema


def integer_inputs(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """'METHOD /path where' → schema, for every integer parameter and request-body field."""
    components = spec.get("components", {}).get("schemas", {})
    found = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            roots = [(f"{p['in']} {p['name']}", p["schema"]) for p in op.get("parameters", [])]
            roots += [(f"body {media}", content["schema"]) for media, content
                      in op.get("requestBody", {}).get("content", {}).items()]
            for where, root in roots:
                for place, schema in _schemas(root, components, where):
                    if schema.get("type") == "integer":
                        found[f"{method.upper()} {path} {place}"] = schema
    return found


def _bounded(schema: dict[str, Any]) -> bool:
    if "enum" in schema or "const" in schema:
        return True  # one of a few values (e.g. a zone level 1–4)
    return ({"minimum", "exclusiveMinimum"} & set(schema)) != set() and \
        ({"maximum", "exclusiveMaximum"} & set(schema)) != set()


def test_every_integer_input_of_every_service_has_a_lower_and_an_upper_bound(
        env: ServerSlice) -> None:
    integers: dict[str, dict[str, Any]] = {}
    for service, build in SERVICES.items():
        integers |= {f"{service} {k}": v for k, v in integer_inputs(build(env).openapi()).items()}
    assert "checkpoint GET /v1/checkpoints query offset" in integers  # the finding's example
    assert "declaration POST /v1/declarations body application/json.health.vaccination_doses" \
        in integers  # body fields are walked too
    assert {where for where, schema in integers.items() if not _bounded(schema)} == set()


# The same class for moments and days: 0001-01-01 and 9999-12-31 (with a time zone pushing
# them further) overflowed the date arithmetic behind a query into a 500.
EXTREME_MOMENTS = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"]
EXTREME_DAYS = ["0001-01-01", "9999-12-31"]
BODY_BOUNDS: dict[str, list[tuple[str, str, dict[str, Any], str]]] = {
    "declaration": [("POST", "/v1/declarations", form(health__vaccination_doses=HUGE),
                     "health.vaccination_doses")],
    "checkpoint": [("PUT", "/v1/checkpoints/cp-huge", {
        "name": "Chốt thử", "kind": "road", "ward_code": HOAN_KIEM,
        "stay_max_minutes": HUGE}, "stay_max_minutes"),
        ("POST", "/v1/passages", {"scan_id": "scan-0000-huge", "decision": "pass",
                                  "at": EXTREME_MOMENTS[1]}, "at")],
    "movement_trace": [("POST", "/v1/quarantines", {"purpose": "kiểm tra", "days": -HUGE - 1},
                        "days"),
                       ("POST", "/v1/quarantines", {"purpose": "kiểm tra",
                                                    "start": EXTREME_DAYS[1]}, "start")],
    "ward_notification": [("POST", "/v1/zones/00070/levels", {
        "level": 2, "effective_at": EXTREME_MOMENTS[0]}, "effective_at")],
}
PATH_VALUES = {"ward_code": HOAN_KIEM, "checkpoint_id": "cp-huge"}
# Valid values of the other required parameters, so that nothing but the value under test
# stops a request (a dependency whose own parameters are valid runs before the handler).
REQUIRED_QUERY = {"purpose": "kiểm tra giá trị biên", "subject_id": "a" * 64,
                  "checkpoint_id": "cp-huge"}


def _extremes(schema: dict[str, Any], components: dict[str, Any]) -> list[Any]:
    """Out-of-range values for a parameter: huge integers, far moments and days."""
    kinds = {(s.get("type"), s.get("format")) for _, s in _schemas(schema, components, "")}
    if ("integer", None) in kinds:
        return [HUGE, -HUGE - 1, 10**40]
    if ("string", "date-time") in kinds:
        return EXTREME_MOMENTS
    if ("string", "date") in kinds:
        return EXTREME_DAYS
    return []


@pytest.mark.parametrize("service", SERVICES)
async def test_huge_integers_and_far_dates_are_refused_with_422_on_every_route(
        env: ServerSlice, service: str) -> None:
    app = SERVICES[service](env)
    spec = app.openapi()
    components = spec.get("components", {}).get("schemas", {})
    wrong: list[str] = []
    async with running(app) as api:
        for path, item in spec["paths"].items():
            for method, op in item.items():
                if (method, path) == ("get", "/v1/feed"):
                    continue  # an endless stream once it starts; its parameters are wards
                url = path.format(**{p["name"]: PATH_VALUES.get(p["name"], "x1")
                                     for p in op.get("parameters", []) if p["in"] == "path"})
                for param in op.get("parameters", []):
                    if param["in"] != "query":
                        continue
                    others = {p["name"]: REQUIRED_QUERY[p["name"]] for p in op["parameters"]
                              if p["in"] == "query" and p.get("required")}
                    for value in _extremes(param["schema"], components):
                        answer = await api.request(method, url,
                                                   params={**others, param["name"]: value},
                                                   headers=token_for(service, path))
                        if not refused(answer, param["name"]):
                            wrong.append(f"{method} {url} {param['name']}={value}: "
                                         f"{answer.status_code} {answer.text[:200]}")
        for method, url, body, name in BODY_BOUNDS.get(service, []):
            answer = await api.request(method, url, json=body, headers=token_for(service, url))
            if not refused(answer, name):
                wrong.append(f"{method} {url} {name}: {answer.status_code} {answer.text[:200]}")
        if service == "checkpoint":  # the finding itself, and the bound's edge
            finding = await api.get("/v1/checkpoints?offset=9223372036854775808", headers=ADMIN)
            edge = await api.get("/v1/checkpoints", params={"offset": MAX_OFFSET}, headers=ADMIN)
            assert refused(finding, "offset") and edge.status_code == 200, edge.text
    assert wrong == []


# --- 2. every text input refuses hidden characters (3. and stacked marks) --------------------

HOSTILE = {"bidi override": "Hà Nội\u202e 12", "ANSI escape": "Tổ 3\x1b[31m đỏ",
           "NUL": "Tổ\x003 Hà", "stacked marks": "A" + "\u0301" * 8 + "n Bình 12"}
# Inputs read from a raw body (CSV, NDJSON) rather than a declared model: the models their
# rows are validated with. The declaration CSV rows are PaperForm, which /paper takes too.
ROW_MODELS: dict[str, type[BaseModel]] = {
    "identity_verification POST /v1/residents/import row": Resident}


@dataclass
class TextInput:
    where: str
    metadata: list[Any] = field(default_factory=list)


def _text_inputs(where: str, annotation: Any, metadata: list[Any],
                 seen: set[type]) -> Iterator[TextInput]:
    """Every `str` an annotation reaches (with the constraints and validators on it)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        yield from _text_inputs(where, inner, [*metadata, *extra], seen)
    elif origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                yield from _text_inputs(where, arg, metadata, seen)
    elif origin in (list, set, frozenset, tuple):
        for arg in typing.get_args(annotation):
            if arg is not Ellipsis:
                yield from _text_inputs(f"{where}[]", arg, [], seen)
    elif origin is dict:
        key, value = typing.get_args(annotation)
        yield from _text_inputs(f"{where}{{key}}", key, [], seen)
        yield from _text_inputs(f"{where}{{}}", value, [], seen)
    elif origin is typing.Literal or (isinstance(annotation, type) and
                                      issubclass(annotation, enum.Enum)):
        return  # one of a fixed set
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in seen:
            seen.add(annotation)
            for name, info in annotation.model_fields.items():
                yield from _text_inputs(f"{where}.{name}", info.annotation, info.metadata, seen)
    elif annotation is str:
        yield TextInput(where, metadata)


def text_inputs(service: str, app: FastAPI) -> list[TextInput]:
    found: list[TextInput] = []
    for context in iter_route_contexts(app.routes):
        route = context.route
        if not isinstance(route, APIRoute):
            continue
        label = f"{service} {'/'.join(sorted(context.methods or ()))} {context.path}"
        for param in get_flat_params(route.dependant):  # path, query, header, cookie
            found += _text_inputs(f"{label} {param.name}", param.field_info.annotation,
                                  param.field_info.metadata, set())
        if route.body_field is not None:
            info = route.body_field.field_info
            found += _text_inputs(f"{label} body", info.annotation, info.metadata, set())
    for where, model in ROW_MODELS.items():
        if where.startswith(service):
            found += _text_inputs(where, model, [], set())
    return found


def accepted(text: TextInput) -> list[str]:
    """The hostile samples a text input lets through."""
    adapter: TypeAdapter[str] = TypeAdapter(typing.Annotated[(str, *text.metadata)])
    passed = []
    for name, sample in HOSTILE.items():
        try:
            adapter.validate_python(sample)
            passed.append(name)
        except ValidationError:
            pass
    return passed


def test_every_text_input_of_every_service_refuses_hidden_characters_and_stacked_marks(
        env: ServerSlice) -> None:
    inputs = [t for service, build in SERVICES.items() for t in text_inputs(service, build(env))]
    wheres = {t.where for t in inputs}
    # The finding's examples and the kinds the walk must reach: bodies, nested models,
    # lists, dictionary keys, query, path and header parameters, raw-body rows.
    for example in ("declaration POST /v1/declarations body.residence.permanent.address",
                    "declaration POST /v1/declarations body.trip.transport.number",
                    "declaration POST /v1/declarations body.dependants[].person.email",
                    "declaration POST /v1/vehicles body.cargo",
                    "declaration POST /v1/declarations/import number",
                    "movement_trace POST /v1/cases/{case_id}/quarantines body.ward_codes{key}",
                    "movement_trace GET /v1/audit purpose",
                    "ward_notification POST /v1/followups body.symptoms[]",
                    "ward_notification POST /v1/webhooks body.description",
                    "ward_notification GET /v1/feed last_event_id",
                    "declaration GET /v1/declarations/{declaration_id} declaration_id",
                    "identity_verification POST /v1/residents/import row.full_name"):
        assert example in wheres, example
    lets_through = {t.where: passed for t in inputs if (passed := accepted(t))}
    assert lets_through == {}


@dataclass
class Call:
    method: str
    path: str
    field: str  # where the 422 must name the problem
    code: str = "hidden_characters"
    json: Any = None
    params: dict[str, Any] | None = None
    content: bytes | None = None
    headers: Any = None


def _manifest_query(number: str) -> dict[str, str]:
    return {"format": "manifest", "mode": "ship", "number": number, "arrival_date": day(0),
            "entry_ward": HOAN_KIEM, "country_of_departure": "SG"}


HOSTILE_CALLS: dict[str, list[Call]] = {
    "declaration": [
        Call("POST", "/v1/declarations", "residence.permanent.address",
             json=form(residence__permanent__address="12 Hàng\u202e Bạc")),
        Call("POST", "/v1/declarations", "trip.transport.number",
             json=form(trip__transport={"mode": "other", "number": "Đò\x1b[31m 01"})),
        Call("POST", "/v1/declarations", "person.email", "email_format",
             json=form(person__email="an\x00@example.vn")),
        Call("POST", "/v1/declarations", "dependants.0.residence.current.address",
             json=form(dependants=[{**child(), "residence": {
                 "permanent": {"ward_code": HOAN_KIEM, "address": "Tổ 3"},
                 "current": {"ward_code": HOAN_KIEM, "address": "Tổ\x003"}}}])),
        Call("POST", "/v1/vehicles", "cargo", json=vehicle_form(cargo="Rau\u202e quả")),
        Call("POST", "/v1/declarations/paper", "residence.current.address",
             json=form(residence__current__address="Tổ\u2066 3"), headers=OFFICER),
        Call("POST", "/v1/declarations/import", "number",
             params=_manifest_query("Tàu\x1b 01"), content=b"full_name\n", headers=CSV),
    ],
    "checkpoint": [
        Call("PUT", "/v1/checkpoints/cp-hostile", "source", json={
            "name": "Chốt thử", "kind": "road", "ward_code": HOAN_KIEM, "source": "Sở\u202e"}),
    ],
    "identity_verification": [
        Call("POST", "/v1/residents/lookup", "national_id",
             json={"national_id": "001085012345\u200b"}),
    ],
    "movement_trace": [
        Call("GET", "/v1/audit", "user", params={"user": "an\x1b[2J"}),
        Call("POST", "/v1/quarantines", "declaration_ids.0", "string_pattern_mismatch",
             json={"purpose": "kiểm tra", "declaration_ids": ["d-1\x00"]}, headers=EPI),
        Call("POST", "/v1/cases", "national_id", headers=EPI, json={
            "purpose": "ca F0", "national_id": "\u202e001085012345",
            "positive_test_date": day(0)}),
    ],
    "ward_notification": [
        Call("POST", "/v1/followups", "symptoms.0", json={
            "quarantine_id": "q-1", "reached": True, "symptoms": ["ho\u202e khan"]}),
        Call("POST", "/v1/notifications/ack", "ids.0", "string_pattern_mismatch",
             json={"ids": ["n-1\x1b[31m"]}),
        Call("POST", "/v1/zones/00070/levels", "note", json={"level": 2, "note": "Chợ\x00"}),
    ],
}


@pytest.mark.parametrize("service", SERVICES)
async def test_hostile_text_is_refused_on_the_way_in(env: ServerSlice, service: str) -> None:
    wrong = []
    async with running(SERVICES[service](env)) as api:
        for call in HOSTILE_CALLS[service]:
            answer = await api.request(call.method, call.path, json=call.json,
                                       params=call.params, content=call.content,
                                       headers=call.headers or ADMIN)
            if not refused(answer, call.field, call.code):
                wrong.append(f"{call.method} {call.path} {call.field}: {answer.status_code} "
                             f"{answer.text[:300]}")
        # A caller's correlation id goes into events and logs: one that is not an id is
        # replaced by a fresh one.
        hostile_id = await api.get("/healthz", headers={"x-correlation-id": "req\x1b[31m-1"})
        fine_id = await api.get("/healthz", headers={"x-correlation-id": "req-1.a:b"})
    assert wrong == []
    assert "\x1b" not in hostile_id.headers["x-correlation-id"]
    assert len(hostile_id.headers["x-correlation-id"]) == 36
    assert fine_id.headers["x-correlation-id"] == "req-1.a:b"


async def test_hostile_rows_of_imported_files_are_reported_not_stored(env: ServerSlice) -> None:
    """Free text in CSV rows (paper forms) and registry rows follows the same rules."""
    rows = [paper_row(permanent_address="12\u202e Hàng Bạc"),
            paper_row("001185012345", "Trần Thị Bình", gender="nữ",
                      current_address="Tổ\x1b[31m 3"),
            paper_row("001085099999", "Lê" + "\u0301" * 20 + " Văn C")]
    async with declaration_kit.declaration_service(env) as api:
        report = (await api.post("/v1/declarations/import", headers=CSV,
                                 content=csv_bytes(PAPER_HEADER, rows))).json()
    assert (report["created"], report["rejected"]) == (0, 3), report
    assert [(e["line"], sorted(e["fields"])) for e in report["errors"]] == [
        (2, ["permanent_address"]), (3, ["current_address"]), (4, ["full_name"])]
    registry_rows = [{"national_id": "001085012345", "full_name": "Nguyễn" + "\u0300" * 30,
                      "date_of_birth": "1985-03-14", "gender": "male",
                      "permanent_ward": HOAN_KIEM},
                     {"national_id": "001085012346", "full_name": "Nguyễn\u202eVăn An",
                      "date_of_birth": "1985-03-14", "gender": "male",
                      "permanent_ward": HOAN_KIEM}]
    async with running(build_identity(env.settings(IdentitySettings))) as api:
        imported = await api.post(
            "/v1/residents/import", headers={**ADMIN, "content-type": "application/x-ndjson"},
            content="\n".join(json.dumps(r) for r in registry_rows).encode())
    assert (imported.json()["rejected"], imported.json()["inserted"]) == (2, 0), imported.text


STACKED = "An" + "\u0301" * 60 + " Binh"


async def test_names_of_stacked_marks_are_refused_in_every_name_field(env: ServerSlice) -> None:
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Ánh Dương")
    async with declaration_kit.declaration_service(env) as api:
        answers = {
            "person.full_name": await api.post("/v1/declarations",
                                               json=form(person__full_name=STACKED)),
            "dependants.0.person.full_name": await api.post(
                "/v1/declarations", json=form(dependants=[child(name=STACKED)])),
            "crew.0.person.full_name": await api.post(
                "/v1/vehicles", json=vehicle_form(crew__0__person__full_name=STACKED)),
        }
        decomposed = await api.post("/v1/declarations", json=form(person__full_name=nfd))
    async with running(SERVICES["checkpoint"](env)) as api:
        answers["name"] = await api.put("/v1/checkpoints/cp-marks", headers=ADMIN, json={
            "name": STACKED, "kind": "road", "ward_code": HOAN_KIEM})
    assert {f: a.status_code for f, a in answers.items() if not refused(a, f, "stacked_marks")} \
        == {}
    assert decomposed.status_code == 201, decomposed.text  # Vietnamese typed as NFD is fine
    assert decomposed.json()["full_name"] == "Nguyễn Thị Ánh Dương"


# --- 4. webhooks reach public addresses only -------------------------------------------------

NOT_PUBLIC = ["http://127.0.0.1:9/hook", "http://[::1]:9/hook", "http://localhost:9/hook",
              "http://169.254.169.254/latest/meta-data/", "http://10.0.0.7/hook",
              "http://[::ffff:127.0.0.1]/hook", "http://0.0.0.0:9/hook",
              "http://[fe80::1]/hook", "http://100.100.100.200/latest/meta-data/"]
WARD = bearer(Role.ward_official, [VUNG_TAU], who="findings-ward")


async def test_webhooks_to_non_public_addresses_are_refused_at_registration(
        env: ServerSlice) -> None:
    async with running(build_ward(env.settings(WardSettings))) as api:
        answers = {url: await api.post("/v1/webhooks", headers=WARD, json={
            "ward_code": VUNG_TAU, "url": url}) for url in NOT_PUBLIC}
    assert {url: a.status_code for url, a in answers.items()} == {url: 422 for url in NOT_PUBLIC}
    assert {a.json()["error"]["code"] for a in answers.values()} == {"url_not_public"}
    assert "loopback" in answers["http://localhost:9/hook"].json()["error"]["message"]["en"]
    assert "link-local" in answers[NOT_PUBLIC[3]].json()["error"]["fields"]["url"][0]["message"]


async def test_deliveries_to_non_public_addresses_are_refused_and_recorded(
        env: ServerSlice) -> None:
    """Registered while allow-listed (or while the name pointed elsewhere), delivered after:
    each connection is checked again, so nothing reaches the loopback receiver."""
    receiver = Receiver()
    fast = {"webhook_backoff_base_s": 30.0, "webhook_poll_s": 0.1}
    async with serving(receiver.app()) as base:
        port = base.rsplit(":", 1)[1]
        urls = [f"http://127.0.0.1:{port}/hook", f"http://localhost:{port}/hook",
                f"http://[::1]:{port}/hook"]
        allowed = env.settings(WardSettings, webhook_allowed_hosts="127.0.0.1,localhost,::1")
        async with running(build_ward(allowed)) as api:
            hooks = [(await api.post("/v1/webhooks", headers=WARD, json={
                "ward_code": VUNG_TAU, "url": url})).json()["id"] for url in urls]
        async with running(build_ward(env.settings(WardSettings, **fast))) as api:
            await env.publish(declaration("001085000077"))

            async def attempted() -> list[dict[str, Any]] | None:
                logs = []
                for hook in hooks:
                    answer = await api.get(f"/v1/webhooks/{hook}/deliveries", headers=WARD)
                    logs += answer.json()
                done = len(logs) == len(hooks) and all(d["log"] for d in logs)
                return logs if done else None

            deliveries = await eventually(attempted, timeout_s=60)
    assert receiver.received == []
    errors = [d["log"][0]["error"] for d in deliveries]
    assert all(e.startswith("address_refused") and "loopback" in e for e in errors), errors
    assert [d["log"][0]["status"] for d in deliveries] == [None, None, None]
    assert any("localhost resolves to" in e for e in errors)


# --- 5. one Idempotency-Key, 200 submissions at once -----------------------------------------

async def test_concurrent_submissions_with_one_key_store_once_and_all_but_one_say_replayed(
        env: ServerSlice) -> None:
    key = uuid.uuid4().hex
    body = form()
    # Served over real connections, 200 at once (as the load test sent them).
    limits = httpx.Limits(max_connections=200)
    async with serving(build_declaration(declaration_kit.settings(env))) as base, \
            httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as api:
        answers = await asyncio.gather(*(
            api.post("/v1/declarations", json=body, headers={"Idempotency-Key": key})
            for _ in range(200)))
        published = await declaration_kit.events_on(env, DECLARATION_SUBMITTED, settle_s=3.0)
    async with AsyncMongoClient[dict[str, Any]](env.servers.mongo_url) as client:
        stored = await client[env.db_name("declaration")]["declarations"].count_documents({})
    assert [a.status_code for a in answers] == [201] * 200, answers[0].text
    assert len({a.json()["declaration_id"] for a in answers}) == 1
    replayed = [a.headers.get("idempotent-replayed") for a in answers]
    assert replayed.count(None) == 1 and replayed.count("true") == 199
    assert stored == 1 and len(published) == 1


# --- 6. a decision never precedes the QR it decides on ---------------------------------------

async def test_a_decision_before_the_qr_was_issued_is_refused_on_every_path(
        env: ServerSlice) -> None:
    keys = Keys()
    now = datetime.now(UTC)
    issued = now - timedelta(minutes=30)
    person = checkpoint_kit.declaration("001085012380")
    driver = checkpoint_kit.declaration("001085012381", full_name="Trần Văn Bình")
    truck = vehicle(("driver", driver), plate="29C67890")
    before = (issued - timedelta(hours=1)).isoformat()
    async with checkpoint_kit.checkpoint_service(env, keys) as client:
        await add_checkpoints(client)
        await env.publish(person, verified(person), driver, verified(driver), truck)
        token = keys.token(person.payload.declaration_id, issued=issued)
        online = await scan_when_known(client, token, "verified")
        online_early = await client.post("/v1/passages", headers=OFFICER, json={
            "scan_id": online["scan_id"], "decision": "pass", "at": before})
        # Within the clock skew allowed: recorded, at the issue time, not before it.
        online_skewed = await client.post("/v1/passages", headers=OFFICER, json={
            "scan_id": online["scan_id"], "decision": "pass",
            "at": (issued - timedelta(seconds=50)).isoformat()})
        offline_early = await client.post("/v1/passages", headers=OFFICER, json={
            "scan_id": checkpoint_kit.scan_id(), "decision": "pass", "checkpoint_id": ROAD,
            "token": token, "at": before})

        truck_token = keys.token(truck.payload.vehicle_declaration_id, kind=Kind.vehicle,
                                 issued=issued)

        async def vehicle_scan() -> dict[str, Any] | None:
            answer = await client.post("/v1/scans", headers=OFFICER,
                                       json={"checkpoint_id": DEPOT, "token": truck_token})
            return answer.json() if answer.status_code == 200 else None

        truck_scan = await eventually(vehicle_scan)
        truck_early = await client.post("/v1/passages", headers=OFFICER, json={
            "scan_id": truck_scan["scan_id"], "decision": "refuse", "reason": "expired",
            "direction": "out", "at": before})
        looked_up = await client.post("/v1/scans/lookup", headers=OFFICER, json={
            "checkpoint_id": ROAD, "national_id": "001085012380", "date_of_birth": "1985-03-14"})
        lookup_early = await client.post("/v1/passages", headers=OFFICER, json={
            "scan_id": looked_up.json()["scan_id"], "decision": "pass",
            "at": (person.occurred_at - timedelta(hours=1)).isoformat()})
    assert refused(online_early, "at", "at_before_issue"), online_early.text
    assert online_skewed.status_code == 201, online_skewed.text
    assert datetime.fromisoformat(online_skewed.json()["at"]) == issued.replace(microsecond=0)
    assert offline_early.status_code == 422, offline_early.text  # the token is checked as of then
    assert offline_early.json()["error"]["code"].startswith("qr_")
    assert refused(truck_early, "at", "at_before_issue"), truck_early.text
    assert looked_up.status_code == 200, looked_up.text
    assert refused(lookup_early, "at", "at_before_issue"), lookup_early.text
