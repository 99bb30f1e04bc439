"""A second, private local stack (own state folder and ports), so tests that kill or
restart Kafka and FerretDB never touch the stack the other tests share.

Jars and the FerretDB binary are borrowed from the main state folder, so nothing
is downloaded or built again.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from deploy.local.procs import REPO, STATE, free_port


def borrow_main_stack(state: Path) -> None:
    """Lay out `state` with the main stack's jars and FerretDB binary."""
    if not (STATE / "kafka" / "libs.stamp").exists() or not (STATE / "bin" / "ferretdb").exists():
        raise RuntimeError("the main stack must have been started once (make stack-up)")
    (state / "kafka").mkdir(parents=True)
    (state / "bin").mkdir(parents=True)
    (state / "kafka" / "libs").symlink_to(STATE / "kafka" / "libs")
    for borrowed in ("kafka/libs.stamp", "bin/ferretdb", "bin/ferretdb.stamp"):
        shutil.copy2(STATE / borrowed, state / borrowed)


def _running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


class PrivateStack:
    def __init__(self, state: Path) -> None:
        self.kafka = f"127.0.0.1:{free_port()}"
        self.mongo = f"mongodb://127.0.0.1:{free_port()}"
        self.state = state
        # The identity provider is not restarted by these tests: the main stack's serves.
        self.env = {**os.environ, "KHAIBAO_STATE": str(state), "KAFKA_BOOTSTRAP": self.kafka,
                    "MONGO_URL": self.mongo, "KHAIBAO_STACK": "kafka,ferretdb",
                    # FerretDB's profiler, off the main stack's port (deploy/local/stack.py)
                    "FERRETDB_PROFILER": f"127.0.0.1:{free_port()}"}

    def run(self, command: str) -> str:
        done = subprocess.run([sys.executable, "-m", "deploy.local.stack", command], cwd=REPO,
                              env=self.env, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0 or command == "status", done.stdout + done.stderr
        return done.stdout

    def pid(self, name: str) -> int:
        return int((self.state / "pids" / f"{name}.pid").read_text())

    def kill(self, name: str) -> None:
        os.killpg(self.pid(name), signal.SIGKILL)

    def kill_and_wait(self, name: str, timeout_s: float = 30.0) -> None:
        """SIGKILL the server and wait until it has exited and its port is free: an `up`
        before that finds the port taken (FerretDB then exits during start-up)."""
        pid = self.pid(name)
        self.kill(name)
        address = urlparse(self.mongo).netloc if name == "ferretdb" else self.kafka
        host, port = address.rsplit(":", 1)
        deadline = time.monotonic() + timeout_s
        while _running(pid) or _answers(host, int(port)):
            assert time.monotonic() < deadline, f"{name} (pid {pid}) still there after SIGKILL"
            time.sleep(0.1)

    def restart(self, name: str) -> None:
        self.kill_and_wait(name)
        self.run("up")
