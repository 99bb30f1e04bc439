"""The routes a FastAPI app really serves, as "METHOD /path" keys (HEAD left out)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount


def route_keys(app: FastAPI) -> set[str]:
    keys = set()
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, Mount):
            keys.add(f"MOUNT {route.path}")
            continue
        keys |= {f"{method} {route.path}" for method in route.methods or () if method != "HEAD"}
    return keys
