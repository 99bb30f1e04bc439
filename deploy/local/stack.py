"""The local stack without Docker: Apache Kafka (KRaft), FerretDB, Keycloak and the development
mail server as plain processes.

    python -m deploy.local.stack up|down|status

`up` is idempotent: a server that already runs is left alone, one that died is
started again on its old data. The first `up` downloads the Kafka jars and the
Keycloak distribution with Maven and builds FerretDB with Go; later ones only
start processes (all at once, then each is waited for). Everything lives under
the state folder (`KHAIBAO_STATE`, default `.state`). `KHAIBAO_STACK` names the
servers to run (default `kafka,ferretdb,keycloak,smtp`; `smtp` is the development mail
server of deploy/local/mailsink.py, which keeps what it receives): the tests' private stacks,
which restart Kafka and FerretDB, share the main stack's identity provider.
"""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import IO

from deploy.local.identity_provider import Keycloak, set_up_development
from deploy.local.mailsink import MailSink
from deploy.local.procs import (
    REPO,
    STATE,
    Endpoint,
    ProcessSlot,
    StartupFailed,
    digest,
    fail,
    port_answers,
)

HERE = Path(__file__).resolve().parent
KAFKA_DIR = STATE / "kafka"
FERRET_BIN = STATE / "bin" / "ferretdb"
# Go's profiler of the stack's FerretDB (loopback only): `make bench` reads where the
# store's CPU goes from it (bench/ferretdb_profile.py).
FERRET_PROFILER = os.environ.get("FERRETDB_PROFILER", "127.0.0.1:6060")


def _require(tool: str, why: str) -> None:
    if shutil.which(tool) is None:
        fail(f"{tool} is missing: it is needed to {why} (see README, Prerequisites).")


def new_cluster_id() -> str:
    """A KRaft cluster id as Kafka makes one: a random UUID in URL-safe base64, never
    starting with "-" (the storage tool would read it as an option; 1 start in 64 failed)."""
    while (cluster_id := base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")) \
            .startswith("-"):
        pass
    return cluster_id


class Kafka:
    name = "kafka"

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.slot = ProcessSlot(self.name)

    def prepare(self) -> None:
        _require("java", "run Kafka")
        libs, stamp = KAFKA_DIR / "libs", KAFKA_DIR / "libs.stamp"
        pom = HERE / "kafka" / "pom.xml"
        if stamp.exists() and stamp.read_text() == digest(pom):
            return
        _require("mvn", "download the Kafka jars")
        print("kafka: downloading jars from Maven Central (first start only)…", flush=True)
        shutil.rmtree(libs, ignore_errors=True)
        self._run(["mvn", "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
                   f"-DoutputDirectory={libs}"], "mvn dependency:copy-dependencies")
        stamp.write_text(digest(pom))

    def start(self) -> None:
        config = self._write_config()
        data = KAFKA_DIR / "data"
        if not (data / "meta.properties").exists():
            self._run(self._java("kafka.tools.StorageTool", "format", "-t", new_cluster_id(),
                                 "-c", str(config)), "kafka storage format")
        self.slot.spawn(self._java("kafka.Kafka", str(config)))

    def ready(self) -> bool:
        if not port_answers(self.endpoint):
            return False
        return asyncio.run(_kafka_answers_metadata(self.endpoint.address))

    def _java(self, main_class: str, *args: str) -> list[str]:
        return ["java", "-Xms256m", "-Xmx1g", "-XX:+UseG1GC",
                f"-Dlog4j2.configurationFile={HERE / 'kafka' / 'log4j2.properties'}",
                "-cp", str(KAFKA_DIR / "libs" / "*"), main_class, *args]

    def _write_config(self) -> Path:
        template = (HERE / "kafka" / "server.properties.in").read_text()
        values = {"KAFKA_HOST": self.endpoint.host, "KAFKA_PORT": str(self.endpoint.port),
                  "CONTROLLER_PORT": str(self.endpoint.port + 1),
                  "LOG_DIR": str(KAFKA_DIR / "data")}
        for key, value in values.items():
            template = template.replace(f"@{key}@", value)
        path = KAFKA_DIR / "server.properties"
        path.write_text(template)
        return path

    def _run(self, cmd: list[str], what: str) -> None:
        log = STATE / "logs" / f"{self.name}-setup.log"
        with log.open("a") as out:
            if subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, check=False).returncode:
                fail(f"{what} failed; see {log}")


# FerretDB 1.24's SQLite backend answers only `{_id: value}` from an index, and not even that:
# it filters on an expression SQLite cannot match to the `_id` index, so lookups by `_id` and
# finds on indexed fields read whole tables (a miss on 35,000 documents took 2 s). A patch to
# the module's SQLite backend, applied to a vendored copy in the state folder (no fork), pushes
# equality on `_id` and on indexed fields down to the indexes; its header says what, why, and
# why it is safe (the handler filters again). It could be sent upstream as it is.
FERRET_PATCH = HERE / "ferretdb" / "sqlite-index-pushdown.patch"
FERRET_MODULE = "vendor/github.com/FerretDB/FerretDB"
FERRET_PATCHED = "internal/backends/sqlite/query.go"  # holds prepareWhereClause once patched


def _build_patched_ferretdb(sources: list[Path], out: IO[str]) -> bool:
    """Vendor our main module's dependencies, apply FERRET_PATCH, build; True on success."""
    build = STATE / "bin" / "ferretdb-build"
    shutil.rmtree(build, ignore_errors=True)
    build.mkdir(parents=True)
    for source in sources:
        shutil.copy2(source, build / source.name)

    def run(*cmd: str, env: dict[str, str] | None = None) -> bool:
        return subprocess.run(cmd, cwd=build, env=env, stdout=out, stderr=subprocess.STDOUT,
                              check=False).returncode == 0

    # `git apply` as a plain patch tool: inside a repository (the state folder may lie in this
    # one) it would take paths from the repository's top and silently skip them all.
    outside_git = {k: v for k, v in os.environ.items() if k not in ("GIT_DIR", "GIT_WORK_TREE")}
    outside_git["GIT_CEILING_DIRECTORIES"] = str(build.parent)
    if not (run("go", "mod", "vendor")
            and run("git", "apply", f"--directory={FERRET_MODULE}", str(FERRET_PATCH),
                    env=outside_git)):
        return False
    if "prepareWhereClause" not in (build / FERRET_MODULE / FERRET_PATCHED).read_text():
        print(f"{FERRET_PATCH.name} was not applied", file=out)
        return False
    return run("go", "build", "-mod=vendor", "-o", str(FERRET_BIN), ".")


class FerretDB:
    name = "ferretdb"

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.slot = ProcessSlot(self.name)

    def prepare(self) -> None:
        src = HERE / "ferretdb"
        sources = [src / "go.mod", src / "go.sum", src / "main.go"]
        stamp = STATE / "bin" / "ferretdb.stamp"
        wanted = digest(*sources, FERRET_PATCH)
        if FERRET_BIN.exists() and stamp.exists() and stamp.read_text() == wanted:
            return
        _require("go", "build FerretDB")
        _require("git", "patch FerretDB (git apply)")
        print("ferretdb: building from the Go module proxy (first start only)…", flush=True)
        log = STATE / "logs" / "ferretdb-setup.log"
        with log.open("a") as out:
            if not _build_patched_ferretdb(sources, out):
                fail(f"patching or building FerretDB failed; see {log}")
        stamp.write_text(wanted)

    def start(self) -> None:
        # GOGC=400: Go's collector runs at a quarter of its default rate. Most of FerretDB's
        # CPU was the Go runtime's (its profile, bench/ferretdb_profile.py); measured on a
        # bulk load, 400 spends ~16 % less CPU for ~10 MiB more memory (1000: no better).
        env = {"GOGC": "400", **os.environ}  # FerretDB's own GOGC, when given, wins
        self.slot.spawn([str(FERRET_BIN), "-listen", self.endpoint.address,
                         "-data", str(STATE / "ferretdb" / "data"), "-pprof", FERRET_PROFILER],
                        env=env)

    def ready(self) -> bool:
        if not port_answers(self.endpoint):
            return False
        from pymongo import MongoClient

        client: MongoClient[dict[str, object]]
        with MongoClient(self.endpoint.address, serverSelectionTimeoutMS=1000) as client:
            try:
                client.admin.command("ping")
                return True
            except Exception:
                return False


async def _kafka_answers_metadata(bootstrap: str) -> bool:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    try:
        await admin.start()
        await admin.list_topics()
        return True
    except Exception:
        return False
    finally:
        await admin.close()


async def _join_a_group(bootstrap: str, timeout_s: float = 60.0) -> None:
    from aiokafka import AIOKafkaConsumer

    from libs.contracts.topics import DECLARATION_SUBMITTED

    consumer = AIOKafkaConsumer(DECLARATION_SUBMITTED, bootstrap_servers=bootstrap,
                                group_id="khaibao-stack-warmup", enable_auto_commit=False)
    await consumer.start()
    try:
        deadline = time.monotonic() + timeout_s
        while not consumer.assignment() and time.monotonic() < deadline:
            await consumer.getmany(timeout_ms=200)
    finally:
        await consumer.stop()


async def _create_catalogue_topics(bootstrap: str) -> int:
    from libs.contracts.topics import ALL_TOPICS
    from libs.runtime.topics_admin import ensure_topics

    return await ensure_topics(bootstrap, list(ALL_TOPICS))


Server = Kafka | FerretDB | Keycloak | MailSink


def servers() -> list[Server]:
    wanted = os.environ.get("KHAIBAO_STACK", "kafka,ferretdb,keycloak,smtp").split(",")
    every: list[Server] = [Kafka(Endpoint.from_kafka_env()), FerretDB(Endpoint.from_mongo_env()),
                           Keycloak(), MailSink()]
    return [server for server in every if server.name in wanted]


def up(timeout_s: float = 180.0) -> None:
    for folder in ("logs", "pids", "bin", "kafka"):
        (STATE / folder).mkdir(parents=True, exist_ok=True)
    starting: list[tuple[Server, float]] = []
    for server in servers():
        if server.slot.alive():
            if not server.ready():
                server.slot.wait_until(server.ready, timeout_s, server.name)
            print(f"{server.name}: already running (pid {server.slot.pid()})", flush=True)
            continue
        if port_answers(server.endpoint):
            fail(f"{server.name}: port {server.endpoint.address} is taken by another process.")
        server.prepare()
        server.start()
        starting.append((server, time.monotonic()))
    # Started together, waited for in turn: Keycloak's ~20 s overlap Kafka's ~5 s.
    for server, started in starting:
        server.slot.wait_until(server.ready, timeout_s, server.name)
        print(f"{server.name}: ready on {server.endpoint.address} in "
              f"{time.monotonic() - started:.1f} s (log: {server.slot.log})", flush=True)
    names = {server.name for server in servers()}
    if "kafka" in names:
        # Creating topics is idempotent, and repairs a catalogue deleted while Kafka stayed up.
        created = asyncio.run(_create_catalogue_topics(Endpoint.from_kafka_env().address))
        if created:
            print(f"kafka: created {created} topics of the event catalogue", flush=True)
        # A fresh broker creates its group-offsets topic on the first group join; doing that
        # here keeps the first service (or test) from waiting on it.
        asyncio.run(_join_a_group(Endpoint.from_kafka_env().address))
    if "keycloak" in names:
        set_up_development()


def down() -> None:
    for server in reversed(servers()):
        server.slot.stop()


def status() -> int:
    code = 0
    for server in servers():
        alive = server.slot.alive()
        ready = alive and server.ready()
        state = "ready" if ready else ("starting or stuck" if alive else "stopped")
        print(f"{server.name:9} {state:18} {server.endpoint.address:22} "
              f"pid={server.slot.pid() or '-'} log={server.slot.log}")
        code |= 0 if ready else 1
    return code


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "status"
    if command == "up":
        try:
            up()
        except StartupFailed as error:
            fail(str(error))
    elif command == "down":
        down()
    elif command == "status":
        return status()
    else:
        fail(f"usage: python -m deploy.local.stack up|down|status (got {command!r})")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main(sys.argv))
