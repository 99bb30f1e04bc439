"""Hostile input on each service's main write endpoint, on the real servers: malformed
JSON, wrong types, 10,000-deep nesting, huge strings, control characters, mixed NFC/NFD
names. Each is a clear 4xx in the shared error shape (or, for a valid mixed-form name,
accepted and stored in NFC), never a 5xx."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from libs.runtime.auth import Role
from services.checkpoint.app import build as build_checkpoint
from services.declaration.app import build as build_declaration
from services.identity_verification.app import build as build_identity
from services.identity_verification.settings import Settings as IdentitySettings
from services.movement_trace.app import build as build_trace
from services.movement_trace.settings import Settings as TraceSettings
from services.ward_notification.app import build as build_ward
from services.ward_notification.settings import Settings as WardSettings
from tests.conftest import ServerSlice
from tests.support import checkpoint_kit, declaration_kit
from tests.support.apps import running
from tests.support.declaration_samples import changed, form
from tests.support.samples import HOAN_KIEM
from tests.support.tokens import bearer

ADMIN = bearer(Role.admin, who='hostile-admin')
EPI = bearer(Role.epidemiologist, who='hostile-epi')
DEEP = ("[" * 10_000 + "]" * 10_000).encode()
DEEP_OBJECT = ('{"a":' * 10_000 + "1" + "}" * 10_000).encode()
MIXED = "Nguyễn " + unicodedata.normalize("NFD", "Thị Ánh") + " Dương"  # NFC, then NFD


@dataclass
class Target:
    build: Callable[[ServerSlice], Any]
    method: str
    path: str
    valid: Callable[[], dict[str, Any]]
    text_field: str  # a free-text field, as a `changed` path


TARGETS = {
    "declaration": Target(lambda env: build_declaration(declaration_kit.settings(env)), "POST",
                          "/v1/declarations", form, "person__full_name"),
    "checkpoint": Target(lambda env: build_checkpoint(checkpoint_kit.settings(env),
                                                      key_source=checkpoint_kit.Keys().source),
                         "PUT", "/v1/checkpoints/cp-hostile",
                         lambda: {"name": "Chốt thử", "kind": "road", "ward_code": HOAN_KIEM},
                         "name"),
    "ward_notification": Target(lambda env: build_ward(env.settings(
                                    WardSettings, webhook_allowed_hosts="127.0.0.1")), "POST",
                                "/v1/webhooks",
                                lambda: {"ward_code": HOAN_KIEM, "url": "http://127.0.0.1:9/h",
                                         "description": "Hệ thống phường"}, "description"),
}


def bodies(target: Target) -> dict[str, bytes]:
    def with_text(text: str) -> bytes:
        return json.dumps(changed(target.valid(), **{target.text_field: text})).encode()

    return {
        "malformed": b'{"person": {"full_name": "Nguy',
        "not utf-8": b'{"name": "\xff\xfe"}',
        "a list": b"[1, 2, 3]",
        "a string": b'"hello"',
        "wrong types": json.dumps({key: [1] for key in target.valid()}).encode(),
        "deep array": DEEP,
        "deep object": DEEP_OBJECT,
        "huge string": with_text("A" * 900_000),
        "over 1 MiB": with_text("A" * 2_000_000),
        "NUL and escapes": with_text("Nguyễn\x00Văn\x1b[31mAn"),
        "bidi override": with_text("Nguyễn \u202eVăn An"),
        "lone surrogate": with_text("Nguyễn \ud800 An"),
    }


def refused(answer: httpx.Response) -> bool:
    return 400 <= answer.status_code < 500 and isinstance(answer.json().get("error"), dict) \
        and {"code", "message", "fields"} <= set(answer.json()["error"])


@pytest.mark.parametrize("service", TARGETS)
async def test_hostile_bodies_are_refused_in_the_error_shape(env: ServerSlice, service: str) -> None:
    target = TARGETS[service]
    async with running(target.build(env)) as api:
        answers = {name: await api.request(target.method, target.path, content=body,
                                           headers={**ADMIN, "content-type": "application/json"})
                   for name, body in bodies(target).items()}
        mixed = await api.request(target.method, target.path, headers=ADMIN, json=changed(
            target.valid(), **{target.text_field: MIXED}))
    wrong = {name: f"{a.status_code} {a.text[:150]}" for name, a in answers.items()
             if not refused(a)}
    assert wrong == {}
    assert answers["malformed"].json()["error"]["code"] == "malformed_json"
    assert answers["over 1 MiB"].status_code == 413
    # A name typed partly in decomposed form is valid: stored and answered in NFC.
    assert mixed.status_code in (200, 201), mixed.text
    assert unicodedata.normalize("NFC", MIXED) in mixed.text and MIXED not in mixed.text


async def test_hostile_registry_rows_are_reported_by_line(env: ServerSlice) -> None:
    rows = [b'{"national_id": "0010850', DEEP, DEEP_OBJECT, b"[1, 2]", b"\xff\xfe",
            json.dumps({"national_id": "001085012345", "full_name": "A" * 500_000}).encode(),
            json.dumps({"national_id": "001085012345\x00", "full_name": "Nguyễn\x1bAn"}).encode()]
    async with running(build_identity(env.settings(IdentitySettings))) as api:
        answer = await api.post("/v1/residents/import", content=b"\n".join(rows),
                                headers={**ADMIN, "content-type": "application/x-ndjson"})
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["rows"], report["rejected"], report["inserted"]) == (len(rows), len(rows), 0)


async def test_hostile_trace_queries_are_refused(env: ServerSlice) -> None:
    national_ids = ["0" * 5000, "001085012345\x00", "00108501234\u0665", "[" * 1000,
                    unicodedata.normalize("NFD", "001085012345é")]
    subjects = ["a" * 5000, "a" * 63 + "\x00", "a" * 63 + "\u0665", "[" * 64]
    async with running(build_trace(env.settings(TraceSettings))) as api:
        answers = [await api.post("/v1/subjects", headers=EPI, json={"national_id": value})
                   for value in national_ids]
        answers += [await api.get("/v1/timeline", headers=EPI,
                                  params={"subject_id": value, "purpose": "điều tra F0"})
                    for value in subjects]
        answers.append(await api.get("/v1/timeline", headers=EPI, params={
            "subject_id": "a" * 64, "purpose": "điều tra F0\x00\u202e"}))
    assert [a.status_code for a in answers if not refused(a)] == []
