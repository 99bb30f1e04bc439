"""The launcher itself: idempotent `up`, and a killed server comes back on its old data.

It runs a second, private stack (own state folder and ports) so the stack the
other tests use is never touched. Jars and the FerretDB binary are borrowed
from the main state folder, so nothing is downloaded or built again.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer
from pymongo import MongoClient

from deploy.local.procs import REPO, STATE
from tests.support.kafka import read_topic


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class PrivateStack:
    def __init__(self, state: Path) -> None:
        kafka_port = _free_port()
        self.kafka = f"127.0.0.1:{kafka_port}"
        self.mongo = f"mongodb://127.0.0.1:{_free_port()}"
        self.state = state
        self.env = {**os.environ, "KHAIBAO_STATE": str(state), "KAFKA_BOOTSTRAP": self.kafka,
                    "MONGO_URL": self.mongo}

    def run(self, command: str) -> str:
        done = subprocess.run([sys.executable, "-m", "deploy.local.stack", command], cwd=REPO,
                              env=self.env, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0 or command == "status", done.stdout + done.stderr
        return done.stdout

    def pid(self, name: str) -> int:
        return int((self.state / "pids" / f"{name}.pid").read_text())

    def kill(self, name: str) -> None:
        os.killpg(self.pid(name), signal.SIGKILL)


@pytest.fixture
def private_stack(tmp_path: Path) -> Iterator[PrivateStack]:
    if not (STATE / "kafka" / "libs.stamp").exists() or not (STATE / "bin" / "ferretdb").exists():
        pytest.fail("the main stack must have been started once (make stack-up)")
    (tmp_path / "kafka").mkdir()
    (tmp_path / "bin").mkdir()
    (tmp_path / "kafka" / "libs").symlink_to(STATE / "kafka" / "libs")
    for borrowed in ("kafka/libs.stamp", "bin/ferretdb", "bin/ferretdb.stamp"):
        shutil.copy2(STATE / borrowed, tmp_path / borrowed)
    stack = PrivateStack(tmp_path)
    try:
        yield stack
    finally:
        stack.run("down")


async def test_up_is_idempotent_and_restarts_only_the_dead_server(
        private_stack: PrivateStack) -> None:
    first = private_stack.run("up")
    assert "kafka: ready" in first and "ferretdb: ready" in first
    assert "already running" in private_stack.run("up")  # a second `up` changes nothing

    with MongoClient(private_stack.mongo) as client:
        client.keep["notes"].insert_one({"_id": "before-crash", "text": "Phường Hoàn Kiếm"})
    producer = AIOKafkaProducer(bootstrap_servers=private_stack.kafka, acks="all")
    await producer.start()
    await producer.send_and_wait("declaration.submitted", b"kept", key=b"k")
    await producer.stop()

    kafka_pid = private_stack.pid("kafka")
    private_stack.kill("ferretdb")
    assert "ferretdb" in private_stack.run("status") and "stopped" in private_stack.run("status")
    again = private_stack.run("up")
    assert "kafka: already running" in again and "ferretdb: ready" in again
    assert private_stack.pid("kafka") == kafka_pid
    with MongoClient(private_stack.mongo) as client:
        assert client.keep["notes"].find_one({"_id": "before-crash"})["text"] == "Phường Hoàn Kiếm"

    private_stack.kill("kafka")
    assert "kafka: ready" in private_stack.run("up")
    records = await read_topic(private_stack.kafka, "declaration.submitted")
    assert [r.value for r in records] == [b"kept"]


def test_a_port_taken_by_another_process_is_one_clear_line(private_stack: PrivateStack) -> None:
    host, port = private_stack.kafka.split(":")
    with socket.socket() as squatter:
        squatter.bind((host, int(port)))
        squatter.listen()
        done = subprocess.run([sys.executable, "-m", "deploy.local.stack", "up"], cwd=REPO,
                              env=private_stack.env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip() == f"error: kafka: port {private_stack.kafka} is taken by another process."
