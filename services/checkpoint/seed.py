"""`python -m services.checkpoint.seed`: load the demo checkpoints (idempotent).

    python -m services.checkpoint.seed                 through the running service's API
    python -m services.checkpoint.seed --url URL       another checkpoint service
    python -m services.checkpoint.seed --direct        straight into its store (MONGO_URL)

Through the API it sends `PUT /v1/checkpoints/{id}` with an admin token minted
with the development key (or `--token`); a second run replaces, never duplicates.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

import httpx

from libs.contracts.events.checkpoint import CheckpointKind
from libs.runtime.mongo import database, make_client
from services.checkpoint.domain.records import CheckpointFields
from services.checkpoint.seed_data import SEED, SOURCE, SeedCheckpoint
from services.checkpoint.service.registry import CheckpointRegistry
from services.checkpoint.settings import Settings
from services.checkpoint.store.registry import CheckpointStore


def source_of(entry: SeedCheckpoint) -> str:
    return SOURCE + (" — ward assignment least certain" if entry.certainty else "")


def body(entry: SeedCheckpoint) -> dict[str, object]:
    """The JSON body of `PUT /v1/checkpoints/{id}` for one entry."""
    return {"name": entry.name, "kind": entry.kind, "ward_code": entry.ward_code,
            "latitude": entry.latitude, "longitude": entry.longitude, "active": True,
            "source": source_of(entry)}


async def seed_via_api(base_url: str, token: str,
                       transport: httpx.AsyncBaseTransport | None = None) -> tuple[int, int]:
    """(created, replaced) through the service's API."""
    created = replaced = 0
    headers = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=10,
                                 transport=transport) as client:
        for entry in SEED:
            answer = await client.put(f"/v1/checkpoints/{entry.checkpoint_id}", json=body(entry))
            if answer.status_code not in (200, 201):
                raise RuntimeError(f"{entry.checkpoint_id}: {answer.status_code} {answer.text}")
            created += answer.status_code == 201
            replaced += answer.status_code == 200
    return created, replaced


async def seed_direct(settings: Settings) -> tuple[int, int]:
    """(created, replaced) written through the store, for when the service is not running."""
    client = make_client(settings)
    try:
        store = CheckpointStore(database(client, settings))
        await store.create_indexes()
        registry = CheckpointRegistry(store)
        created = 0
        for entry in SEED:
            _, new = await registry.put("seed", entry.checkpoint_id, CheckpointFields(
                name=entry.name, kind=CheckpointKind(entry.kind), ward_code=entry.ward_code,
                latitude=entry.latitude, longitude=entry.longitude, active=True,
                source=source_of(entry)))
            created += new
        return created, len(SEED) - created
    finally:
        await client.close()


def default_url() -> str:
    return os.environ.get("CHECKPOINT_URL") or \
        f"http://127.0.0.1:{os.environ.get('CHECKPOINT_PORT', '8003')}"


def development_admin_token() -> str:
    """Without --token: an admin token from the development identity provider (make run)."""
    from deploy.keycloak.tokens import staff_token

    return staff_token("admin", who="seed")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=default_url())
    parser.add_argument("--token", default=os.environ.get("CHECKPOINT_SEED_TOKEN"))
    parser.add_argument("--direct", action="store_true")
    args = parser.parse_args(argv)
    try:
        if args.direct:
            created, replaced = asyncio.run(seed_direct(Settings()))
        else:
            token = args.token or development_admin_token()
            created, replaced = asyncio.run(seed_via_api(args.url, token))
    except (httpx.HTTPError, RuntimeError) as error:
        print(f"seeding checkpoints failed: {error}", file=sys.stderr)
        return 1
    print(f"checkpoints: {created} created, {replaced} replaced ({len(SEED)} in the seed set)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
