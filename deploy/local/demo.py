"""Demo data for `make run` (and compose's demo-seed job).

    python -m deploy.local.demo

A population of 10,000 synthetic residents, the checkpoint seed set, epidemic
levels for a few wards, and declarations typed in from paper forms by a demo
officer for residents of that population, so they verify, notify their wards and
show up on the timeline. Each step is skipped when its data is already there,
so a second `make run` does not duplicate anything.

Service addresses come from DECLARATION_URL, … (compose) or default to 127.0.0.1.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from libs.runtime.auth import Role, mint

RESIDENTS = 10_000
DECLARATIONS = 60
SEED = 1
DEMO_CHECKPOINTS = ["cp-hn-noibai-airport", "cp-hcm-tansonnhat-airport", "cp-dn-danang-airport"]
ZONES = {"00070": 2, "26506": 3, "00004": 4, "00256": 1}  # ward code → level 1–4
URLS = {name: os.environ.get(f"{name.upper()}_URL", f"http://127.0.0.1:{port}")
        for name, port in (("declaration", 8001), ("identity", 8002), ("checkpoint", 8003),
                           ("trace", 8004), ("notification", 8005))}


def _bearer(role: Role, scope: list[str] | None = None) -> dict[str, str]:
    return {"authorization": f"Bearer {mint(f'demo-{role.value}', role, scope or [])}"}


def _module_exists(module: str) -> bool:
    from importlib.util import find_spec

    return find_spec(module) is not None


def population() -> None:
    subprocess.run([sys.executable, "-m", "services.identity_verification.population",
                    "--count", str(RESIDENTS), "--seed", str(SEED), "--load", "--if-empty"],
                   check=True)


def checkpoints() -> None:
    if _module_exists("services.checkpoint.seed"):
        subprocess.run([sys.executable, "-m", "services.checkpoint.seed"], check=True)


def zones(http: httpx.Client) -> None:
    admin = _bearer(Role.admin)
    for ward, level in ZONES.items():
        current = http.get(f"{URLS['notification']}/v1/zones/{ward}")
        if current.status_code == 200 and current.json().get("level") == level:
            continue
        answer = http.post(f"{URLS['notification']}/v1/zones/{ward}/levels", headers=admin,
                           json={"level": level, "note": "demo"})
        answer.raise_for_status()
    print(f"demo: zone levels set for {len(ZONES)} wards", flush=True)


def paper_form(resident: dict[str, str], destination: str, departure: date) -> dict[str, Any]:
    home = {"ward_code": resident["permanent_ward"], "address": "Tổ 3"}
    return {
        "person": {"national_id": resident["national_id"], "full_name": resident["full_name"],
                   "date_of_birth": resident["date_of_birth"], "gender": resident["gender"],
                   "nationality": "VN"},
        "residence": {"permanent": home, "current": home},
        "trip": {"origin_ward": resident["permanent_ward"], "destination_ward": destination,
                 "departure_date": departure.isoformat(), "transport": {"mode": "bus"}},
        "health": {"symptoms": [], "exposures": [], "vaccination_doses": 2},
        "consent": True,
    }


def declarations(http: httpx.Client) -> list[str]:
    from services.identity_verification.population.generator import PopulationGenerator

    officer = _bearer(Role.officer, ["demo-desk"])
    rng = random.Random(SEED)
    living = [r for r in PopulationGenerator(seed=SEED).residents(RESIDENTS)
              if r["status"] == "living" and r["date_of_birth"] < "2008-01-01"]
    ids = []
    for resident in living[:DECLARATIONS]:
        destination = rng.choice(list(ZONES))
        departure = datetime.now(UTC).date() + timedelta(days=rng.randint(0, 2))
        answer = http.post(f"{URLS['declaration']}/v1/declarations/paper", headers=officer,
                           json=paper_form(resident, destination, departure))
        if answer.status_code != 201:
            print(f"demo: declaration refused ({answer.status_code}): {answer.text[:200]}")
            continue
        ids.append(answer.json()["declaration_id"])
    print(f"demo: {len(ids)} paper declarations entered", flush=True)
    return ids


def main() -> int:
    started = time.monotonic()
    population()
    checkpoints()
    with httpx.Client(timeout=30) as http:
        zones(http)
        declarations(http)
    print(f"demo: data ready in {time.monotonic() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
