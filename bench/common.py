"""What every benchmark shares: result rows, percentiles, a fixed-concurrency HTTP load.

Benchmarks print figures; they never assert on them (tests do not time things).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class Row:
    """One line of the results table: the project's figure and its baseline from the same run."""

    name: str
    figure: str
    baseline: str = "—"


def markdown_table(rows: list[Row]) -> str:
    lines = ["| measurement | khaibao | baseline (same run) |", "|---|---|---|"]
    lines += [f"| {r.name} | {r.figure} | {r.baseline} |" for r in rows]
    return "\n".join(lines)


def pct(samples: list[float], q: float) -> float:
    """The q-quantile (0–1) of `samples`, in the samples' unit."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def rate(count: int, seconds: float, unit: str = "/s") -> str:
    return f"{count / seconds:,.0f}{unit}"


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def summary(self) -> str:
        return (f"{self.per_second:,.0f} req/s, p50 {ms(pct(self.latencies, 0.5))}, "
                f"p99 {ms(pct(self.latencies, 0.99))}"
                + (f", {self.errors} errors" if self.errors else ""))


Request = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]


async def http_load(request: Request, *, total: int, concurrency: int,
                    ok: tuple[int, ...] = (200, 201)) -> LoadResult:
    """Send `total` requests with `concurrency` in flight; latency of each from send to answer."""
    latencies: list[float] = []
    errors = 0
    counter = iter(range(total))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        for i in counter:
            started = time.perf_counter()
            response = await request(client, i)
            latencies.append(time.perf_counter() - started)
            errors += response.status_code not in ok

    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return LoadResult(total, elapsed, latencies, errors)


@contextmanager
def process(args: list[str], ready_url: str, env: dict[str, str] | None = None,
            timeout_s: float = 60) -> Iterator[subprocess.Popen[bytes]]:
    """A server process for the length of a benchmark, ready when `ready_url` answers 200."""
    proc = subprocess.Popen([sys.executable, *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(ready_url, timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"{args} not ready at {ready_url}")
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its reaped children (/proc/<pid>/stat)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    # After the command: state is field 3; utime, stime, cutime, cstime are fields 14-17.
    return sum(int(value) for value in fields[11:15]) / CLOCK_TICKS


def mean(values: list[float]) -> float:
    return statistics.fmean(values)
