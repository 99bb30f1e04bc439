"""Run a command under a chosen clock: the tests, the services they start, the browser.

    python -m tests.support.fake_clock [WHEN] -- python -m pytest -m calendar tests

WHEN is an ISO moment (`2026-12-06T20:00:00Z`) or a UTC time of day (`20:00`:
the last such moment, so the clock is moved back, never forward). Default `20:00`:
Viet Nam's date is then already tomorrow's, the hours in which a suite that takes
the machine's date for Viet Nam's fails.

It uses libfaketime (Debian's `faketime`, see deploy/apt-packages.txt), loaded into
every process the command starts: Python (pytest, the services the e2e tier spawns),
the Playwright driver and Chromium. The clock is shifted by a fixed offset and keeps
ticking, so every process agrees on one "now". Servers already running — Kafka, FerretDB, the
identity provider — keep the real time: they are shared, and the earlier time only
looks to them like records produced a few hours ago, which they accept.
`KHAIBAO_TEST_CLOCK` tells the test session which moment it should see
(tests/conftest.py refuses to run when the clock did not move).

One trap: a timed wait on a thread lock (`threading.Event.wait(t)`,
`Lock.acquire(timeout=t)`, `queue.get(timeout=t)`) never times out under libfaketime
0.9.10. Python takes the deadline from the faked monotonic clock (which reads like an
epoch date, ~1.8e9 s) and glibc's `sem_clockwait`, which libfaketime does not
intercept, waits for it on the real one (hours since boot). `time.sleep` and asyncio's
timers are fine. The services and our tests use no such wait (the unit tier passes
whole under this tool); schemathesis's stateful engine does, so its tests hang here.

Nor can a test run here whose meaning spans a shared server's clock and ours: Kafka's
age-based retention deletes at once records that look 20 hours old
(test_retention.py), and a token the identity provider issued with a 2 s lifetime has
not expired yet by our clock (test_staff_sign_in.py). Neither is `calendar`; on 7 Dec
at a fake 20:00 the integration tier's 124 other tests outside that set passed.
"""

from __future__ import annotations

import glob
import os
import sys
from datetime import UTC, datetime, timedelta

from libs.contracts.vietnam_time import vn_day

LIBRARY_GLOB = "/usr/lib/*/faketime/libfaketime.so.1"


def target(when: str, now: datetime) -> datetime:
    """The moment `when` names: an ISO moment, or the last UTC `HH:MM` at or before `now`."""
    if "T" in when:
        moment = datetime.fromisoformat(when.replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    hour, minute = (int(part) for part in when.split(":"))
    moment = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return moment if moment <= now else moment - timedelta(days=1)


def environment(moment: datetime, now: datetime, library: str) -> dict[str, str]:
    offset_s = int((moment - now).total_seconds())
    # Monotonic clocks move by the same offset: only their differences matter, and
    # libfaketime 0.9.10 cannot sleep (EINVAL from clock_nanosleep) when it leaves
    # them alone (FAKETIME_DONT_FAKE_MONOTONIC).
    return {"LD_PRELOAD": library, "FAKETIME": f"{offset_s:+d}",
            "KHAIBAO_TEST_CLOCK": moment.isoformat()}


def main(argv: list[str]) -> int:
    if "--" not in argv:
        print(__doc__, file=sys.stderr)
        return 2
    split = argv.index("--")
    when = argv[1] if split > 1 else "20:00"
    command = argv[split + 1:]
    libraries = sorted(glob.glob(LIBRARY_GLOB))
    if not libraries:
        print("error: libfaketime is missing (Debian package `faketime`; .ci/run installs it)",
              file=sys.stderr)
        return 1
    now = datetime.now(UTC)
    moment = target(when, now)
    print(f"fake clock: {moment.isoformat()} (real {now.isoformat(timespec='seconds')}); "
          f"Viet Nam's date then: {vn_day(moment)}", flush=True)
    os.execvpe(command[0], command, {**os.environ, **environment(moment, now, libraries[0])})


if __name__ == "__main__":
    sys.exit(main(sys.argv))
