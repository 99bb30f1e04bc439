"""Demo data for `make run` (and compose's demo-seed job).

    python -m deploy.local.demo

A population of 10,000 synthetic residents, the checkpoint seed set, epidemic
levels for a few wards, declarations typed in from paper forms by a demo
officer for residents of that population, and three days of simulated travel:
300 other residents declared trips three days ago and passed the seeded
checkpoints since (synthetic/scenario.py). The travel is history, so it is put on
the event log as the declaration and checkpoint services would have published
it (`declaration.submitted`, `checkpoint.passed/refused`, with their past
times); identity verification, ward notification and the movement trace derive
the rest themselves, as they would have then. Each step is skipped when its
data is already there, so a second `make run` does not duplicate anything.

Service addresses come from DECLARATION_URL, … (compose) or default to 127.0.0.1.
Everything one run does carries one correlation id (`demo-<uuid>`, printed at the start):
its requests send it as X-Correlation-ID and its published history has it in every
envelope, so the run can be followed through the services' logs and events.
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import time
from datetime import date
from typing import TYPE_CHECKING, Any

import httpx

from deploy.keycloak.development import DEMO_WARDS
from deploy.keycloak.tokens import staff_token
from libs.contracts.envelope import new_event_id
from libs.contracts.vietnam_time import vn_today
from libs.runtime.auth import Role

if TYPE_CHECKING:
    from synthetic.scenario import Scenario

RESIDENTS = 10_000
DECLARATIONS = 60
TRAVELLERS, TRAVEL_DAYS = 300, 3
SEED = 1
ZONES = dict(zip(DEMO_WARDS, (2, 3, 4, 1), strict=True))  # ward code → level 1–4
URLS = {name: os.environ.get(f"{name.upper()}_URL", f"http://127.0.0.1:{port}")
        for name, port in (("declaration", 8001), ("identity", 8002), ("checkpoint", 8003),
                           ("trace", 8004), ("notification", 8005))}


def _bearer(role: Role, scope: tuple[str, ...] = ()) -> dict[str, str]:
    """A token of a development account of the identity provider (deploy/keycloak/tokens)."""
    return {"authorization": f"Bearer {staff_token(role.value, scope, who=f'demo-{role.value}')}"}


def _module_exists(module: str) -> bool:
    from importlib.util import find_spec

    return find_spec(module) is not None


def population() -> None:
    subprocess.run([sys.executable, "-m", "synthetic.population",
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


def declarations(http: httpx.Client, url: str = URLS["declaration"]) -> list[str]:
    officer = _bearer(Role.officer, ("demo-desk",))
    rng = random.Random(SEED)
    ids = []
    for resident in living_adults()[:DECLARATIONS]:
        destination = rng.choice(list(ZONES))
        # Viet Nam's today: the service refuses a departure before it, whatever the UTC date.
        departure = vn_today(rng.randint(0, 2))
        answer = http.post(f"{url}/v1/declarations/paper", headers=officer,
                           json=paper_form(resident, destination, departure))
        if answer.status_code != 201:
            print(f"demo: declaration refused ({answer.status_code}): {answer.text[:200]}")
            continue
        ids.append(answer.json()["declaration_id"])
    print(f"demo: {len(ids)} paper declarations entered", flush=True)
    return ids


def living_adults() -> list[dict[str, str]]:
    from synthetic.population.generator import PopulationGenerator

    return [r for r in PopulationGenerator(seed=SEED).residents(RESIDENTS)
            if r["status"] == "living" and r["date_of_birth"] < "2008-01-01"]


def travel_scenario() -> Scenario:
    from libs.contracts.events.checkpoint import CheckpointKind
    from libs.runtime.settings import DEV_SUBJECT_SECRET
    from services.checkpoint.seed_data import SEED as SEEDED
    from synthetic.scenario import Place, generate

    places = [Place(cp.checkpoint_id, CheckpointKind(cp.kind), cp.ward_code) for cp in SEEDED
              if cp.kind != "depot"]  # depots are for green-lane vehicles
    people = [{k: r[k] for k in ("national_id", "full_name", "date_of_birth", "gender")}
              for r in living_adults()[DECLARATIONS:DECLARATIONS + TRAVELLERS]]
    secret = os.environ.get("KHAIBAO_SUBJECT_SECRET", DEV_SUBJECT_SECRET).encode()
    return generate(seed=SEED, days=TRAVEL_DAYS, places=places, visits_per_day=2.0,
                    people=people, secret=secret)


def travel(http: httpx.Client, run: str) -> None:
    scenario = travel_scenario()
    scenario.correlation_id = run
    first = scenario.citizens[0]
    answer = http.get(f"{URLS['trace']}/v1/timeline", headers=_bearer(Role.epidemiologist),
                      params={"subject_id": first.subject_id, "purpose": "demo seed check"})
    if answer.status_code == 200 and answer.json()["movements"]:
        print("demo: simulated travel already on the event log", flush=True)
        return
    published = asyncio.run(publish_history(scenario))
    print(f"demo: {TRAVEL_DAYS} days of travel by {len(scenario.citizens)} residents published "
          f"({published:,} events); try the timeline and contacts of {first.national_id} "
          f"({first.person['full_name'] if first.person else ''})", flush=True)


async def publish_history(scenario: Scenario) -> int:
    from aiokafka import AIOKafkaProducer

    from libs.contracts.topics import Topics

    topics = Topics(os.environ.get("KHAIBAO_TOPIC_PREFIX", ""))
    producer = AIOKafkaProducer(bootstrap_servers=os.environ.get("KAFKA_BOOTSTRAP",
                                                                 "127.0.0.1:9092"),
                                acks="all", enable_idempotence=True, linger_ms=5)
    await producer.start()
    try:
        sent = [await producer.send(topics(topic), envelope.to_bytes(), key=key.encode())
                for topic, key, envelope in scenario.events(derived=False)]
        for delivery in sent:
            await delivery
    finally:
        await producer.stop()
    return len(sent)


def main() -> int:
    started = time.monotonic()
    run = f"demo-{new_event_id()}"
    print(f"demo: correlation id {run}", flush=True)
    population()
    checkpoints()
    with httpx.Client(timeout=30, headers={"X-Correlation-ID": run}) as http:
        zones(http)
        declarations(http)
        travel(http, run)
    print(f"demo: data ready in {time.monotonic() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
