"""The five services in one test process, on this test's topics and databases.

Each is built by its composition root and run with its lifespan (consumers, relays,
jobs); the checkpoint verifies QR codes with the declaration service's key ring, as
it would fetch it from `/v1/keys`. `overrides` are per service: `{"declaration":
{"validity_hours": 1}, "*": {...}}` (`"*"`: every service).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI

from services.checkpoint.app import build as build_checkpoint
from services.declaration import keyring
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


@dataclass
class System:
    env: ServerSlice
    clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    apps: dict[str, FastAPI] = field(default_factory=dict)


@asynccontextmanager
async def five_services(env: ServerSlice,
                        overrides: dict[str, dict[str, Any]] | None = None) -> AsyncIterator[System]:
    overrides = overrides or {}

    def of(name: str) -> dict[str, Any]:
        return {**overrides.get("*", {}), **overrides.get(name, {})}

    ring = keyring.load(keyring.DEFAULT_KEY_FILE, create=True)

    async def jwks() -> dict[str, Any]:
        return ring.jwks()

    system = System(env)
    system.settings = {
        "declaration": declaration_kit.settings(env, **of("declaration")),
        "identity": env.settings(IdentitySettings, **of("identity")),
        "checkpoint": checkpoint_kit.settings(env, **of("checkpoint")),
        "trace": env.settings(TraceSettings, **of("trace")),
        "ward": env.settings(WardSettings, **of("ward"))}
    system.apps = {"declaration": build_declaration(system.settings["declaration"]),
                   "identity": build_identity(system.settings["identity"]),
                   "checkpoint": build_checkpoint(system.settings["checkpoint"],
                                                  key_source=jwks),
                   "trace": build_trace(system.settings["trace"]),
                   "ward": build_ward(system.settings["ward"])}
    async with AsyncExitStack() as stack:
        for name, app in system.apps.items():
            system.clients[name] = await stack.enter_async_context(running(app))
        await checkpoint_kit.add_checkpoints(system.clients["checkpoint"])
        yield system
