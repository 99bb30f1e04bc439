"""Where FerretDB's CPU goes during a benchmark: a CPU profile from the stack's FerretDB
(Go's profiler, served on loopback by deploy/local/ferretdb/main.go `-pprof`), summed by
package with `go tool pprof`.

FerretDB is the largest CPU consumer of the pipeline (README, Targets); this says which
part of it: SQLite (modernc.org/sqlite, C translated to Go), FerretDB's own BSON and
SJSON conversions, the wire protocol, Go's runtime (garbage collection, scheduling).
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import tempfile
from pathlib import Path

import httpx

from deploy.local.stack import FERRET_PROFILER

# A function's package, from its pprof name: "modernc.org/sqlite/lib.sqlite3VdbeExec" →
# "modernc.org/sqlite/lib"; "github.com/FerretDB/FerretDB/internal/handler/sjson.(*x).y"
# → "…/internal/handler/sjson"; "runtime.mallocgc" → "runtime".
PACKAGE = re.compile(r"^((?:[\w.-]+/)*[\w-]+)\.")
SHORT = {"github.com/FerretDB/FerretDB/": "ferretdb/", "modernc.org/": ""}


async def cpu_profile(seconds: int) -> bytes | None:
    """`seconds` of FerretDB's CPU profile; None when no profiler answers (another store)."""
    url = f"http://{FERRET_PROFILER}/debug/pprof/profile?seconds={seconds}"
    try:
        async with httpx.AsyncClient(timeout=seconds + 30) as client:
            answer = await client.get(url)
    except httpx.HTTPError:
        return None
    return answer.content if answer.status_code == 200 else None


def by_package(profile: bytes) -> tuple[float, dict[str, float]]:
    """Total CPU seconds sampled, and the seconds spent in each package's own code."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ferretdb.pprof"
        path.write_bytes(profile)
        listing = subprocess.run(["go", "tool", "pprof", "-top", "-nodecount=100000", str(path)],
                                 capture_output=True, text=True, check=True).stdout
    spent: dict[str, float] = {}
    for line in listing.splitlines():
        fields = line.split(maxsplit=5)
        if len(fields) != 6 or not fields[0][0].isdigit():
            continue
        found = PACKAGE.match(fields[5])
        package = found.group(1) if found else fields[5]
        for long, short in SHORT.items():
            package = package.replace(long, short)
        spent[package] = spent.get(package, 0.0) + seconds_of(fields[0])
    return sum(spent.values()), spent


def seconds_of(value: str) -> float:
    """pprof's durations: '1.20s', '350ms', '90us'."""
    for unit, scale in (("ms", 1e-3), ("us", 1e-6), ("µs", 1e-6), ("ns", 1e-9), ("s", 1.0)):
        if value.endswith(unit):
            return float(value[: -len(unit)]) * scale
    return float(value)


def summary(profile: bytes | None, top: int = 6) -> str:
    if profile is None:
        return "no profiler answered (not the stack's FerretDB)"
    total, spent = by_package(profile)
    ranked = sorted(spent.items(), key=lambda item: -item[1])[:top]
    parts = [f"{package} {100 * s / total:.0f} %" for package, s in ranked]
    return f"{total:.1f} CPU s sampled: " + ", ".join(parts)


if __name__ == "__main__":  # a profile of whatever FerretDB is doing now
    print(summary(asyncio.run(cpu_profile(10))))
