"""The launcher itself: idempotent `up`, and a killed server comes back on its old data.

It runs a second, private stack (tests/support/private_stack.py: own state
folder and ports) so the stack the other tests use is never touched.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from pymongo import MongoClient

from deploy.local.procs import REPO
from tests.support.kafka import read_topic
from tests.support.private_stack import PrivateStack, borrow_main_stack


@pytest.fixture
def private_stack(tmp_path: Path) -> Iterator[PrivateStack]:
    try:
        borrow_main_stack(tmp_path)
    except RuntimeError as error:
        pytest.fail(str(error))
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

    with MongoClient[dict[str, Any]](private_stack.mongo) as client:
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
    with MongoClient[dict[str, Any]](private_stack.mongo) as client:
        note = client.keep["notes"].find_one({"_id": "before-crash"})
        assert note is not None and note["text"] == "Phường Hoàn Kiếm"

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
