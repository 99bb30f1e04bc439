"""The process helpers behind `make run`, the private stacks and the benchmarks."""

from __future__ import annotations

import socket
import sys
import uuid
from pathlib import Path

import pytest

from deploy.local.procs import LENT_PORTS, ProcessSlot, StartupFailed, free_port
from deploy.local.stack import new_cluster_id


def test_a_lent_port_is_below_the_ephemeral_range_and_bindable() -> None:
    ephemeral_low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for _ in range(20):
        port = free_port()
        assert port in LENT_PORTS and port < ephemeral_low
        with socket.socket() as server:
            server.bind(("127.0.0.1", port))


def test_a_held_port_is_never_lent() -> None:
    held = []
    try:
        for port in LENT_PORTS[::12]:  # 500 ports held (a 12th of the range, few descriptors)
            sock = socket.socket()
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                sock.close()
                continue
            held.append(sock)
        taken = {s.getsockname()[1] for s in held}
        assert all(free_port() not in taken for _ in range(50))
    finally:
        for sock in held:
            sock.close()


def test_a_process_that_dies_at_start_up_is_reported_with_its_last_log_lines() -> None:
    slot = ProcessSlot(f"unit-{uuid.uuid4().hex[:8]}")
    try:
        slot.spawn([sys.executable, "-c",
                    "import sys; print('[Errno 98] address already in use'); sys.exit(3)"])
        with pytest.raises(StartupFailed) as failed:
            slot.wait_until(lambda: False, 10, "demo-service")
        message = str(failed.value)
        assert "demo-service exited during start-up" in message
        assert message.endswith("[Errno 98] address already in use")
    finally:
        slot.stop(grace_s=1)
        slot.log.unlink(missing_ok=True)


def test_a_long_log_moves_aside_at_the_next_start_and_a_short_one_stays() -> None:
    slot = ProcessSlot(f"unit-{uuid.uuid4().hex[:8]}")
    older = slot.log.with_name(slot.log.name + ".1")
    try:
        slot.log.parent.mkdir(parents=True, exist_ok=True)
        slot.log.write_text("yesterday\n" * 10)
        slot.rotate_log(max_bytes=1000)
        assert slot.log.read_text().startswith("yesterday") and not older.exists()
        slot.log.write_text("last week\n" * 200)
        slot.rotate_log(max_bytes=1000)
        assert not slot.log.exists() and older.read_text().startswith("last week")
        slot.spawn([sys.executable, "-c", "print('today')"])
        slot.wait_until(lambda: not slot.alive(), 10, "demo")
        assert slot.log.read_text() == "today\n"
    finally:
        slot.stop(grace_s=1)
        slot.log.unlink(missing_ok=True)
        older.unlink(missing_ok=True)


def test_last_lines_can_leave_out_a_chatty_logger() -> None:
    slot = ProcessSlot(f"unit-{uuid.uuid4().hex[:8]}")
    try:
        slot.log.parent.mkdir(parents=True, exist_ok=True)
        slot.log.write_text('{"logger": "app", "n": 1}\n{"logger": "aiokafka", "n": 2}\n'
                            '{"logger": "app", "n": 3}\n{"logger": "aiokafka", "n": 4}\n')
        assert slot.last_lines(2) == ['{"logger": "app", "n": 3}', '{"logger": "aiokafka", "n": 4}']
        assert slot.last_lines(2, without='"logger": "aiokafka') == [
            '{"logger": "app", "n": 1}', '{"logger": "app", "n": 3}']
    finally:
        slot.log.unlink(missing_ok=True)


def test_a_kraft_cluster_id_never_reads_as_an_option() -> None:
    # One id in 64 would start with "-" and the storage tool would take it for a flag.
    ids = [new_cluster_id() for _ in range(2000)]
    assert not any(i.startswith("-") for i in ids)
    assert all(len(i) == 22 and len(set(ids)) == len(ids) for i in ids)
