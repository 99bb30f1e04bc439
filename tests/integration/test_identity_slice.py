"""The synthetic population and the operator's file load fill the store the service reads;
a citizen's declaration is verified."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import sys
from pathlib import Path

from libs.contracts.envelope import parse_event
from libs.runtime.auth import Role
from services.declaration.app import build as build_declaration
from services.declaration.settings import Settings as DeclarationSettings
from services.identity_verification.app import build as build_identity
from services.identity_verification.domain.import_rows import CSV_COLUMNS
from services.identity_verification.settings import Settings
from tests.conftest import ServerSlice
from tests.support.apps import running
from tests.support.identity_verification_samples import population, read_verdicts
from tests.support.samples import declaration_form
from tests.support.tokens import bearer

OFFICER = bearer(Role.officer, ['cp-1'], who='officer-test')
ADMIN = bearer(Role.admin, who='admin-test')


async def cli(*args: str, mongo_url: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "synthetic.population", *args,
        env={**os.environ, "MONGO_URL": mongo_url}, stderr=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL)
    _, err = await process.communicate()
    return process.returncode or 0, err.decode()


async def test_cli_load_is_found_by_the_service_and_reload_adds_nothing(env: ServerSlice) -> None:
    settings = env.settings(Settings)
    args = ("--count", "200", "--seed", "3", "--load", "--db", settings.mongo_db)
    first = await cli(*args, "--partitions", "10", mongo_url=env.servers.mongo_url)
    again = await cli(*args, mongo_url=env.servers.mongo_url)
    clash = await cli(*args, "--partitions", "7", mongo_url=env.servers.mongo_url)
    skipped = await cli(*args, "--if-empty", mongo_url=env.servers.mongo_url)
    last = population(200, seed=3)[-1]
    async with running(build_identity(settings)) as api:
        found = await api.post("/v1/residents/lookup", headers=OFFICER,
                               json={"national_id": last["national_id"]})
        stats = await api.get("/v1/stats", headers=ADMIN)
    assert first[0] == 0 and "(200 new)" in first[1], first[1]
    assert again[0] == 0 and "(0 new)" in again[1], again[1]
    assert clash[0] == 2 and "10 partitions" in clash[1], clash[1]
    assert skipped[0] == 0 and "not loading" in skipped[1], skipped[1]
    assert found.status_code == 200 and found.json()["birth_year"] == int(
        last["date_of_birth"][:4])
    assert (stats.json()["residents"], stats.json()["partitions"]) == (200, 10)


async def test_a_citizens_declaration_is_verified(env: ServerSlice) -> None:
    resident = population(1, seed=5)[0]
    form = declaration_form(resident["national_id"])
    form["person"].update(full_name=resident["full_name"], gender=resident["gender"],
                          date_of_birth=resident["date_of_birth"])
    identity_settings = env.settings(Settings, registry_partitions=10)
    code, err = await cli("--count", "1", "--seed", "5", "--load", "--db",
                          identity_settings.mongo_db, mongo_url=env.servers.mongo_url)
    assert code == 0, err
    async with running(build_declaration(env.settings(DeclarationSettings))) as citizen, \
            running(build_identity(identity_settings)):
        submitted = await citizen.post("/v1/declarations", json=form)
        assert submitted.status_code == 201, submitted.text
        records = await read_verdicts(env.servers.kafka_bootstrap, env.topics, 1)
    verdict = parse_event(records[0].value)
    assert verdict.type == "identity.verified"
    assert verdict.payload.declaration_id == submitted.json()["declaration_id"]
    assert verdict.payload.registered_permanent_ward == resident["permanent_ward"]


async def test_the_operators_file_load_validates_every_row(env: ServerSlice, tmp_path: Path) -> None:
    settings = env.settings(Settings, registry_partitions=10)
    good = population(2, seed=9)
    registry = tmp_path / "registry.csv"
    with registry.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows([good[0], {**good[1], "national_id": "12345"}, good[1]])
    command = ("-m", "services.identity_verification.load_registry", str(registry),
               "--db", settings.mongo_db)
    process = await asyncio.create_subprocess_exec(
        sys.executable, *command, env={**os.environ, "MONGO_URL": env.servers.mongo_url},
        stderr=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL)
    _, err = await process.communicate()
    report = json.loads(err.decode())
    async with running(build_identity(settings)) as api:
        stats = await api.get("/v1/stats", headers=ADMIN)
    assert process.returncode == 1, err.decode()
    assert (report["rejected"], stats.json()["residents"]) == (1, 2)
    assert [e["line"] for e in report["errors"]] == [3], report["errors"]
