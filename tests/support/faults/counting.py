"""Counting every fact in each service's own store, and saying what is missing."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from deploy.local import run
from tests.support.faults.faults import PHASES
from tests.support.faults.load import Traveller
from tests.support.faults.settings import GROUPS, NOTIFIED
from tests.support.faults.system import System


def expected(declaration_id: str) -> list[tuple[str, ...]]:
    """The facts a declared, verified and passed traveller leaves in the five stores."""
    d = declaration_id
    return [("declaration", d), ("verification", d), ("passage", d),
            ("movement", "declared", d), ("movement", "identity", d), ("movement", "passed", d),
            *(("movement", "ward_notified", d, r) for r in NOTIFIED),
            *(("notification", d, r) for r in NOTIFIED)]


@dataclass
class Stores:
    found: Counter[tuple[str, ...]] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    verdicts_counted: int = 0


async def read_stores(system: System) -> Stores:
    stores = Stores()
    found = stores.found
    async for doc in system.db("DECLARATION")["declarations"].find({}, {"_id": 1}):
        found["declaration", doc["_id"]] += 1
    identity = system.db("IDENTITY")
    async for doc in identity["verifications"].find({}, {"outcome": 1}):
        found["verification", doc["_id"]] += 1
        stores.outcomes[doc["outcome"]] += 1
    counters = await identity["counters"].find_one({"_id": "verifications"}) or {}
    stores.verdicts_counted = sum(counters.get(outcome, 0) for outcome in ("verified", "rejected"))
    async for doc in system.db("CHECKPOINT")["passages"].find({}, {"declaration_ids": 1}):
        for declaration_id in doc["declaration_ids"]:
            found["passage", declaration_id] += 1
    async for doc in system.db("TRACE")["movements"].find(
            {}, {"kind": 1, "declaration_id": 1, "reason": 1}):
        kind = "identity" if doc["kind"].startswith("identity_") else doc["kind"]
        found[("movement", kind, doc["declaration_id"])
              + ((doc["reason"],) if kind == "ward_notified" else ())] += 1
    async for doc in system.db("NOTIFICATION")["notifications"].find(
            {}, {"declaration_id": 1, "reason": 1, "facts": 1}):
        found["notification", doc["declaration_id"], doc["reason"]] += len(doc["facts"])
    return stores


@dataclass
class Row:
    phase: str
    sent: int
    keys: list[tuple[str, ...]]

    def figures(self, found: Counter[tuple[str, ...]], group: str) -> tuple[int, int, int]:
        """(stored, missing, duplicates) of one store's facts."""
        mine = [found[k] for k in self.keys if k[0] == group]
        return (sum(1 for n in mine if n), sum(1 for n in mine if not n),
                sum(n - 1 for n in mine if n > 1))


def table(rows: list[Row], found: Counter[tuple[str, ...]]) -> str:
    lines = ["| phase | accepted | " + " | ".join(f"{g}s stored / missing / dup" for g in GROUPS)
             + " |", "|---" * (2 + len(GROUPS)) + "|"]
    for row in rows:
        cells = [" / ".join(f"{n:,}" for n in row.figures(found, g)) for g in GROUPS]
        lines.append(f"| {row.phase} | {row.sent:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def missing_or_duplicated(rows: list[Row], found: Counter[tuple[str, ...]]) -> int:
    return sum(n for row in rows for g in GROUPS for n in row.figures(found, g)[1:])


def rows_of(travellers: list[Traveller]) -> list[Row]:
    return [Row(name, sum(1 for t in travellers if t.phase == phase),
                [k for t in travellers if t.phase == phase
                 for k in expected(str(t.declaration_id))])
            for phase, (name, _, _) in enumerate(PHASES)]


SERVICE_OF = {"declaration": "declaration", "verification": "identity-verification",
              "passage": "checkpoint", "movement": "movement-trace",
              "notification": "ward-notification"}


async def readiness(system: System) -> dict[str, Any]:
    """Each service's `/readyz` (with the consumer watchdog's view), or why it did not
    answer."""
    answers: dict[str, Any] = {}
    async with httpx.AsyncClient(timeout=5) as http:
        for service in run.existing():
            try:
                answers[service.name] = (await http.get(
                    f"{service.url(system.environ)}/readyz")).json()
            except (httpx.HTTPError, ValueError) as error:
                answers[service.name] = repr(error)
    return answers


def diagnosis(system: System, ready: dict[str, Any], rows: list[Row],
              found: Counter[tuple[str, ...]]) -> str:
    """For each store that misses facts, its service's `/readyz` and its own last log
    lines (not aiokafka's reconnect attempts): a failure on CI must explain itself, the
    checkout and its logs are gone afterwards."""
    lines: list[str] = []
    for group in GROUPS:
        if any(row.figures(found, group)[1] for row in rows):
            service = next(s for s in run.existing() if s.name == SERVICE_OF[group])
            lines += [f"--- {service.name} /readyz: {ready[service.name]}",
                      *(line[:600] for line in service.slot(system.environ).last_lines(
                          8, without='"logger": "aiokafka'))]
    return "\n".join(lines)


def watchdog_restarts(ready: dict[str, Any]) -> dict[str, Any]:
    """How often each service's consumer watchdog restarted its consumer (a process
    killed by the test counts from its restart)."""
    return {name: answer["consumer"]["restarts"] if isinstance(answer, dict) else answer
            for name, answer in ready.items()}


COLLECTIONS = {("DECLARATION", "declarations"): 1, ("IDENTITY", "verifications"): 1,
               ("CHECKPOINT", "passages"): 1, ("TRACE", "movements"): 6,
               ("NOTIFICATION", "notifications"): 3}  # documents per traveller


async def settled(system: System, travellers: list[Traveller], deadline: float
                  ) -> tuple[list[Row], Stores]:
    """Wait until the stores hold enough documents (collection sizes: cheap on FerretDB,
    unlike reading them), read them until nothing is missing (or the deadline), then once
    more a little later, so that a late duplicate is counted too."""
    async def short() -> bool:
        for (service, name), per_traveller in COLLECTIONS.items():
            size = await system.db(service)[name].estimated_document_count()
            if size < per_traveller * len(travellers):
                return True
        return False

    while await short() and time.monotonic() < deadline:  # noqa: ASYNC110 (polled)
        await asyncio.sleep(5)
    while True:
        stores = await read_stores(system)
        rows = rows_of(travellers)
        missing = sum(row.figures(stores.found, g)[1] for row in rows for g in GROUPS)
        if not missing or time.monotonic() > deadline:
            break
        await asyncio.sleep(15)
    await asyncio.sleep(5)
    stores = await read_stores(system)
    return rows_of(travellers), stores
