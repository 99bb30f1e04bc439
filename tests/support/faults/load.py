"""The travellers' load: bounded submits and scans that retry as real clients do,
opening each phase's fault when its share of travellers is reached."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from libs.runtime.qr_tokens import Kind
from services.declaration import keyring
from tests.support.faults.faults import PHASES
from tests.support.faults.settings import CHECKPOINT, CONCURRENCY, OFFICER, WINDOW
from tests.support.faults.system import System
from tests.support.retrying import Retries, call


@dataclass
class Traveller:
    form: dict[str, Any]
    phase: int
    scan_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    idempotency_key: str = field(default_factory=lambda: uuid.uuid4().hex)
    declaration_id: str | None = None


class Load:
    def __init__(self, system: System, travellers: list[Traveller], deadline: float) -> None:
        self.system, self.travellers, self.deadline = system, travellers, deadline
        self.retries = Retries()
        self.signer = keyring.load(Path(system.environ["DECLARATION_QR_KEY_FILE"]),
                                   create=False).signer()
        self.gates = [asyncio.Event() for _ in PHASES]
        self.gates[0].set()
        self.declared: asyncio.Queue[tuple[Traveller, str] | None] = asyncio.Queue(WINDOW)
        self.dispatched = self.done = 0
        self.started = time.monotonic()
        self.fault_s: dict[int, float] = {}

    async def run(self) -> None:
        """Two stages, each with CONCURRENCY requests in flight, so that the wait for a
        declaration to reach the checkpoint overlaps with further submits; at most
        WINDOW travellers are declared but not yet scanned."""
        limits = httpx.Limits(max_connections=2 * CONCURRENCY)
        async with httpx.AsyncClient(timeout=30, limits=limits) as http, asyncio.TaskGroup() as g:
            g.create_task(self.inject_faults())
            for _ in range(CONCURRENCY):
                g.create_task(self.scanner(http))
            await asyncio.gather(*(self.submitter(http) for _ in range(CONCURRENCY)))
            for _ in range(CONCURRENCY):
                await self.declared.put(None)

    async def submitter(self, http: httpx.AsyncClient) -> None:
        while self.dispatched < len(self.travellers):
            traveller = self.travellers[self.dispatched]
            self.dispatched += 1
            await self.gates[traveller.phase].wait()
            await self.declared.put((traveller, await self.declare(http, traveller)))

    async def scanner(self, http: httpx.AsyncClient) -> None:
        while (item := await self.declared.get()) is not None:
            await self.scan_and_pass(http, *item)
            self.done += 1
            if self.done % max(len(self.travellers) // 10, 1) == 0:
                print(f"[faults] {self.done} travellers passed after "
                      f"{time.monotonic() - self.started:.0f} s", flush=True)

    async def inject_faults(self) -> None:
        for phase, (name, _, fault) in enumerate(PHASES):
            if fault is None:
                continue
            first = next(i for i, t in enumerate(self.travellers) if t.phase == phase)
            while self.dispatched <= first:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            started = time.monotonic()
            await fault(self.system, self.gates[phase].set)
            self.gates[phase].set()
            self.fault_s[phase] = time.monotonic() - started
            print(f"[faults] {name}: over after {self.fault_s[phase]:.1f} s "
                  f"({self.done} travellers passed by then)", flush=True)

    async def post(self, http: httpx.AsyncClient, service: str, path: str,
                   body: dict[str, Any], headers: Mapping[str, str] | None = None) -> httpx.Response:
        return await call(http, "POST", f"{self.system.url(service)}{path}", self.retries,
                          deadline=self.deadline, json=body, headers=headers)

    async def declare(self, http: httpx.AsyncClient, t: Traveller) -> str:
        """Submit the form; returns the QR token of the declaration."""
        answer = await self.post(http, "declaration", "/v1/declarations", t.form,
                                 {"idempotency-key": t.idempotency_key})
        assert answer.status_code == 201, answer.text
        t.declaration_id = answer.json()["declaration_id"]
        return self.signer.sign(t.declaration_id, Kind.declaration,
                                datetime.now(UTC) - timedelta(minutes=1),
                                datetime.fromisoformat(answer.json()["valid_until"]))

    async def scan_and_pass(self, http: httpx.AsyncClient, t: Traveller, token: str) -> None:
        scan = {"checkpoint_id": CHECKPOINT, "token": token, "scan_id": t.scan_id}
        while (answer := await self.post(http, "checkpoint", "/v1/scans", scan,
                                         OFFICER)).status_code == 404:
            # The declaration has not reached the checkpoint service yet.
            assert answer.json()["error"]["code"] == "declaration_unknown", answer.text
            assert time.monotonic() < self.deadline, "a declaration never reached the checkpoint"
            await asyncio.sleep(0.5)
        assert answer.status_code == 200, answer.text
        decided = await self.post(http, "checkpoint", "/v1/passages",
                                  {"scan_id": t.scan_id, "decision": "pass"}, OFFICER)
        assert decided.status_code in (200, 201), decided.text
