"""Load the population registry from a file: the operator's command.

    python -m services.identity_verification.load_registry registry.csv
    python -m services.identity_verification.load_registry registry.ndjson --partitions 1000

The file is validated row by row as `POST /v1/registry/import` does (the report,
with every refused row, goes to stderr; exit 1 when any row was refused). The store
is `MONGO_URL`, database `IDENTITY_MONGO_DB` (default khaibao_identity) unless
`--db` names another. Synthetic residents for demos and tests come from
`python -m synthetic.population`, which loads through `load` below.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from itertools import islice
from pathlib import Path

from libs.runtime.mongo import database, make_client
from services.identity_verification.domain.import_rows import Format
from services.identity_verification.service.importing import Importer, lines_of
from services.identity_verification.settings import Settings
from services.identity_verification.store.registry import LayoutConflict, RegistryStore

# Residents held in memory per load step: enough that each partition's insert carries
# some 200 documents, as each insert call costs ~5-10 ms on FerretDB whatever its size.
MIN_CHUNK, PER_PARTITION = 50_000, 200


@asynccontextmanager
async def registry(db: str | None, partitions: int | None,
                   default_partitions: int | None = None) -> AsyncIterator[RegistryStore]:
    """The registry store of `db` (default IDENTITY_MONGO_DB), opened; `partitions` set
    means "create it with that many" (refused if it exists with another layout)."""
    settings = Settings()
    if db:
        settings = settings.model_copy(update={"mongo_db": db})
    client = make_client(settings)
    count = partitions or default_partitions or settings.registry_partitions
    store = RegistryStore(database(client, settings), count)
    try:
        await store.open(require=partitions is not None)
        yield store
    finally:
        await client.close()


async def load(rows: Iterator[dict[str, str]], store: RegistryStore) -> int:
    """Bulk-load trusted rows (already valid) into the registry; the count inserted."""
    inserted, size = 0, max(MIN_CHUNK, PER_PARTITION * store.partitions)
    while chunk := list(islice(rows, size)):
        inserted += await store.load_fresh(chunk)
    return inserted


async def import_file(path: Path, store: RegistryStore) -> int:
    fmt = Format.csv if path.suffix.lower() == ".csv" else Format.ndjson

    async def chunks() -> AsyncIterator[bytes]:
        with path.open("rb") as source:
            while block := source.read(1 << 20):
                yield block

    report = await Importer(store, fmt).run(lines_of(chunks()))
    print(report.model_dump_json(indent=2, exclude={"errors"} if report.rejected > 50 else None),
          file=sys.stderr)
    return 0 if report.rejected == 0 else 1


async def run(path: Path, db: str | None, partitions: int | None) -> int:
    async with registry(db, partitions) as store:
        return await import_file(path, store)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.identity_verification.load_registry",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="an NDJSON or CSV file (by its extension)")
    parser.add_argument("--db", help="database name (default: IDENTITY_MONGO_DB)")
    parser.add_argument("--partitions", type=int,
                        help="collections to split a new registry into "
                             "(default: IDENTITY_REGISTRY_PARTITIONS)")
    args = parser.parse_args(argv)
    try:
        return asyncio.run(run(args.file, args.db, args.partitions))
    except LayoutConflict as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
