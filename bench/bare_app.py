"""The baseline HTTP server: bare FastAPI, one insert per request, nothing else.

    python -m bench.bare_app PORT MONGO_URL DB
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI
from pymongo import AsyncMongoClient


def build(mongo_url: str, db: str) -> FastAPI:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await client.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/readyz")
    async def ready() -> dict[str, str]:
        return {"status": "ready"}

    @app.post("/insert", status_code=201)
    async def insert(body: dict[str, Any]) -> dict[str, str]:
        doc_id = str(uuid.uuid4())
        await client[db]["docs"].insert_one({"_id": doc_id, **body})
        return {"id": doc_id}

    return app


if __name__ == "__main__":
    port, mongo_url, db = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    uvicorn.run(build(mongo_url, db), host="127.0.0.1", port=port, log_level="warning")
