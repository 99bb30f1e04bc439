"""Process bookkeeping shared by the stack launcher and `make run`.

Each background process has a slot: a pid file and a log file under the state
folder. A slot is alive while its pid runs; stopping sends SIGTERM, then SIGKILL.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[2]
STATE = Path(os.environ.get("KHAIBAO_STATE", REPO / ".state")).resolve()


def fail(message: str) -> None:
    """One clear line on stderr, then exit 1."""
    print(f"error: {message}", file=sys.stderr, flush=True)
    raise SystemExit(1)


# Ports lent to servers that tests and benchmarks start: below the kernel's ephemeral
# range (32768-60999 by default), where a port found free can be taken, before the
# server binds it, as the local end of any outgoing connection. The fixed ports
# (8001-8005 make run, 18001- e2e, 21001- faults, 28001- bench pipeline) lie outside.
LENT_PORTS = range(22000, 28000)


def free_port() -> int:
    """A 127.0.0.1 port nobody holds now, for a server about to start."""
    for port in random.sample(LENT_PORTS, 100):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {LENT_PORTS.start}-{LENT_PORTS.stop - 1}")


class StartupFailed(RuntimeError):
    """A process died or did not become ready; the message says where its log is."""


def digest(*paths: Path) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(path.read_bytes())
    return h.hexdigest()


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @classmethod
    def from_kafka_env(cls) -> Endpoint:
        first = os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092").split(",")[0]
        host, _, port = first.rpartition(":")
        return cls(host or "127.0.0.1", int(port))

    @classmethod
    def from_mongo_env(cls) -> Endpoint:
        url = urlparse(os.environ.get("MONGO_URL", "mongodb://127.0.0.1:27017"))
        return cls(url.hostname or "127.0.0.1", url.port or 27017)


def port_answers(endpoint: Endpoint, timeout_s: float = 0.5) -> bool:
    try:
        with socket.create_connection((endpoint.host, endpoint.port), timeout=timeout_s):
            return True
    except OSError:
        return False


MAX_LOG_BYTES = 64 * 1024 * 1024


class ProcessSlot:
    def __init__(self, name: str) -> None:
        self.name = name
        self.pidfile = STATE / "pids" / f"{name}.pid"
        self.log = STATE / "logs" / f"{name}.log"

    def pid(self) -> int | None:
        try:
            return int(self.pidfile.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    def alive(self) -> bool:
        pid = self.pid()
        if pid is None:
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        # A zombie (exited, not yet reaped by us) counts as dead.
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            return stat.rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return True

    def spawn(self, cmd: list[str], env: dict[str, str] | None = None) -> int:
        self.pidfile.parent.mkdir(parents=True, exist_ok=True)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.rotate_log()
        with self.log.open("ab") as out:
            # A session of its own: Ctrl-C in the caller's terminal does not reach it,
            # and `stop` can signal its whole process group.
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True,
                                    cwd=REPO, env=env)
        self.pidfile.write_text(str(proc.pid))
        return proc.pid

    def rotate_log(self, max_bytes: int = MAX_LOG_BYTES) -> None:
        """Each start appends to the log; past `max_bytes` it moves to `<name>.log.1`
        (replacing the one before), so a long-lived checkout keeps at most two (the
        shared Kafka's log had grown to 1.1 GB over a few days of tests)."""
        try:
            if self.log.stat().st_size > max_bytes:
                self.log.replace(self.log.with_name(self.log.name + ".1"))
        except FileNotFoundError:
            pass

    def wait_until(self, ready: Callable[[], bool], timeout_s: float, what: str) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if ready():
                return
            if not self.alive():
                raise StartupFailed(f"{what} exited during start-up; see {self.log}"
                                    f"{self.log_tail()}")
            time.sleep(0.3)
        raise StartupFailed(f"{what} not ready after {timeout_s:.0f} s; see {self.log}"
                            f"{self.log_tail()}")

    def log_tail(self, lines: int = 15) -> str:
        """The log's last lines, so a failure on CI (whose checkout is gone afterwards)
        still shows why the process died."""
        last = self.last_lines(lines)
        return "\n--- last lines of the log ---\n" + "\n".join(last) if last else ""

    def last_lines(self, count: int, without: str | None = None) -> list[str]:
        """The log's last `count` lines, leaving out those containing `without` (e.g. a
        chatty library's logger name)."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return []
        return [line for line in text.splitlines() if without is None or without not in line
                ][-count:]

    def stop(self, grace_s: float = 30.0) -> None:
        pid = self.pid()
        if pid is not None and self.alive():
            _signal_group(pid, signal.SIGTERM)
            deadline = time.monotonic() + grace_s
            while self.alive() and time.monotonic() < deadline:
                time.sleep(0.2)
            if self.alive():
                _signal_group(pid, signal.SIGKILL)
            print(f"{self.name}: stopped (pid {pid})", flush=True)
        self.pidfile.unlink(missing_ok=True)


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass
