"""Generate a synthetic population registry; write it to a file or load it into the store.

    python -m synthetic.population --count 10000 --seed 1 --load
    python -m synthetic.population --count 10000 --load --if-empty
    python -m synthetic.population --count 1000 --seed 7 --out pop.ndjson
    python -m synthetic.population --count 500 --format csv --out -

The store is `MONGO_URL`, database `IDENTITY_MONGO_DB` (default khaibao_identity)
unless `--db` names another. The same seed always gives the same residents, and
a smaller count gives a prefix of a larger one. A real registry file is loaded with
`python -m services.identity_verification.load_registry FILE`.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import resource
import sys
import time
from collections.abc import Iterator
from datetime import date
from typing import TextIO

from services.identity_verification.domain.import_rows import CSV_COLUMNS, Format
from services.identity_verification.load_registry import load, registry
from services.identity_verification.store.registry import LayoutConflict
from synthetic.population.generator import AS_OF, PopulationGenerator


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m synthetic.population",
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
    parser.add_argument("--db", help="database name (default: IDENTITY_MONGO_DB)")
    parser.add_argument("--partitions", type=int,
                        help="collections to split a new registry into (default: "
                             "IDENTITY_REGISTRY_PARTITIONS, or 1000 from 200,000 residents)")
    args = parser.parse_args(argv)
    if args.count < 0 or not (args.out or args.load):
        parser.error("give --out and/or --load, and a count >= 0")
    return args


def write(rows: Iterator[dict[str, str]], out: TextIO, fmt: Format) -> None:
    if fmt == Format.csv:
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


async def run(args: argparse.Namespace) -> int:
    if args.out:
        with _open(args.out) as out:
            write(PopulationGenerator(args.seed, args.as_of).residents(args.count), out,
                  Format(args.format))
    if not args.load:
        return 0
    large = 1000 if args.count >= 200_000 else None
    async with registry(args.db, args.partitions, large) as store:
        if args.if_empty and (await store.registry_size())[0] > 0:
            print("the registry already holds residents; not loading", file=sys.stderr)
            return 0
        inserted = await load(PopulationGenerator(args.seed, args.as_of).residents(args.count),
                              store)
    print(f"loaded {args.count} residents ({inserted} new)", file=sys.stderr)
    return 0


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
