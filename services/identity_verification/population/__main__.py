"""Generate a synthetic population registry; write it to a file or load it into the store.

    python -m services.identity_verification.population --count 10000 --seed 1 --load
    python -m services.identity_verification.population --count 10000 --load --if-empty
    python -m services.identity_verification.population --count 1000 --seed 7 --out pop.ndjson
    python -m services.identity_verification.population --count 500 --format csv --out -
    python -m services.identity_verification.population --import-file registry.csv

The store is `MONGO_URL`, database `IDENTITY_MONGO_DB` (default khaibao_identity)
unless `--db` names another. The same seed always gives the same residents, and
a smaller count gives a prefix of a larger one.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import resource
import sys
import time
from collections.abc import AsyncIterator, Iterator
from datetime import date
from itertools import islice
from pathlib import Path
from typing import TextIO

from libs.runtime.mongo import database, make_client
from services.identity_verification.domain.import_rows import CSV_COLUMNS, Format
from services.identity_verification.population.generator import AS_OF, PopulationGenerator
from services.identity_verification.service.importing import Importer, lines_of
from services.identity_verification.settings import Settings
from services.identity_verification.store.registry import LayoutConflict, RegistryStore

# Residents held in memory per load step: enough that each partition's insert carries
# some 200 documents, as each insert call costs ~5-10 ms on FerretDB whatever its size.
MIN_CHUNK, PER_PARTITION = 50_000, 200


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m services.identity_verification.population",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="residents to generate")
    parser.add_argument("--seed", type=int, default=1, help="same seed, same population")
    parser.add_argument("--as-of", type=date.fromisoformat, default=AS_OF,
                        help="reference date of the age pyramid (fixed, for determinism)")
    parser.add_argument("--out", help="write to this file ('-' for stdout)")
    parser.add_argument("--format", choices=[f.value for f in Format], default="ndjson")
    parser.add_argument("--load", action="store_true", help="load into the store")
    parser.add_argument("--if-empty", action="store_true",
                        help="with --load: do nothing when the registry already holds residents")
    parser.add_argument("--import-file", type=Path,
                        help="validate and import an NDJSON or CSV file instead of generating")
    parser.add_argument("--db", help="database name (default: IDENTITY_MONGO_DB)")
    parser.add_argument("--partitions", type=int,
                        help="collections to split a new registry into (default: "
                             "IDENTITY_REGISTRY_PARTITIONS, or 1000 from 200,000 residents)")
    args = parser.parse_args(argv)
    if args.count < 0 or not (args.out or args.load or args.import_file):
        parser.error("give --out and/or --load (or --import-file), and a count >= 0")
    return args


def write(rows: Iterator[dict[str, str]], out: TextIO, fmt: Format) -> None:
    if fmt == Format.csv:
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


async def load(rows: Iterator[dict[str, str]], store: RegistryStore) -> int:
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


async def run(args: argparse.Namespace) -> int:
    if args.out:
        with _open(args.out) as out:
            write(PopulationGenerator(args.seed, args.as_of).residents(args.count), out,
                  Format(args.format))
    if not (args.load or args.import_file):
        return 0
    settings = Settings()
    if args.db:
        settings = settings.model_copy(update={"mongo_db": args.db})
    client = make_client(settings)
    store = RegistryStore(database(client, settings), _partitions(args, settings))
    try:
        await store.open(require=args.partitions is not None)
        if args.import_file:
            return await import_file(args.import_file, store)
        if args.if_empty and (await store.registry_size())[0] > 0:
            print(f"{settings.mongo_db} already holds residents; not loading", file=sys.stderr)
            return 0
        inserted = await load(PopulationGenerator(args.seed, args.as_of).residents(args.count),
                              store)
        print(f"loaded {args.count} residents ({inserted} new) into {settings.mongo_db}",
              file=sys.stderr)
        return 0
    finally:
        await client.close()


def _partitions(args: argparse.Namespace, settings: Settings) -> int:
    if args.partitions is not None:
        return int(args.partitions)
    return 1000 if args.load and args.count >= 200_000 else settings.registry_partitions


def _open(target: str) -> TextIO:
    if target == "-":
        return open(sys.stdout.fileno(), "w", encoding="utf-8", closefd=False)
    return open(target, "w", encoding="utf-8")


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    try:
        code = asyncio.run(run(args))
    except LayoutConflict as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"done in {time.perf_counter() - started:.1f} s, peak memory {peak_mib:.0f} MiB",
          file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
