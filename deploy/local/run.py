"""`make run`: the local stack and every service, with URLs and demo tokens.

    python -m deploy.local.run            foreground; Ctrl-C stops everything
    python -m deploy.local.run --detach   leave it running; `make stop` ends it
    python -m deploy.local.run --stop

Each service runs as its own process (`python -m services.<module>`), with its
log in the state folder's logs/.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from deploy.local import mailsink, stack
from deploy.local.procs import REPO, ProcessSlot, StartupFailed, fail


@dataclass(frozen=True)
class ServiceProcess:
    name: str
    module: str
    port_env: str
    port: int

    @property
    def exists(self) -> bool:
        return (REPO / "services" / self.module / "__main__.py").exists()

    def url(self, environ: Mapping[str, str] = os.environ) -> str:
        return f"http://127.0.0.1:{environ.get(self.port_env, self.port)}"

    def slot(self, environ: Mapping[str, str] = os.environ) -> ProcessSlot:
        # KHAIBAO_INSTANCE keeps a second set of processes (the e2e tests) apart from `make run`.
        return ProcessSlot(environ.get("KHAIBAO_INSTANCE", "") + self.name)


SERVICES = [
    ServiceProcess("declaration", "declaration", "DECLARATION_PORT", 8001),
    ServiceProcess("identity-verification", "identity_verification", "IDENTITY_PORT", 8002),
    ServiceProcess("checkpoint", "checkpoint", "CHECKPOINT_PORT", 8003),
    ServiceProcess("movement-trace", "movement_trace", "TRACE_PORT", 8004),
    ServiceProcess("ward-notification", "ward_notification", "NOTIFICATION_PORT", 8005),
]


def existing() -> list[ServiceProcess]:
    return [service for service in SERVICES if service.exists]


def ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def start_services(environ: Mapping[str, str] = os.environ, timeout_s: float = 60.0) -> None:
    """Start every service that is not running yet, then wait until each is ready."""
    declaration = next(s for s in SERVICES if s.name == "declaration")
    # Pages of the other services reach the declaration service (reveals) at its port here.
    environ = {"KHAIBAO_DECLARATION_URL": declaration.url(environ), **environ}
    for service in existing():
        slot = service.slot(environ)
        if not slot.alive():
            slot.spawn([sys.executable, "-m", f"services.{service.module}"], env=dict(environ))
    for service in existing():
        url = service.url(environ)
        service.slot(environ).wait_until(partial(ready, url), timeout_s, service.name)


def stop_services(environ: Mapping[str, str] = os.environ) -> None:
    for service in reversed(existing()):
        service.slot(environ).stop(grace_s=15)


def stop_all() -> None:
    stop_services()
    stack.down()


def print_welcome() -> None:
    from deploy.keycloak.admin import issuer
    from deploy.keycloak.development import DEMO_USERS

    print("\nkhaibao is running:\n")
    for service in existing():
        url = service.url()
        print(f"  {service.name:22} {url}/   API docs {url}/docs   events {url}/asyncapi")
    print(f"  {'identity provider':22} {issuer()}/account/   (staff sign in here via the pages)")
    print("\nDemo staff (the staff pages send you to the sign-in page):")
    for user in DEMO_USERS:
        print(f"  {user.role:15} {user.username:17} {user.password:24} "
              f"scope={','.join(user.scope) or '-'}")
    print("Scripts: `make token ROLE=<role> SCOPE=<ids>` prints an access token.")
    host, port = mailsink.smtp_endpoint()
    print(f"\nMessages to citizens (development): e-mail goes through the SMTP server on "
          f"{host}:{port}\n  and is kept in {mailsink.MAIL_DIR}/ (one .eml a message); SMS in "
          f"{mailsink.SMS_FILE}.\n  `make inbox` prints the latest of both.")
    print(f"\nLogs: {ProcessSlot('x').log.parent}/", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--detach", action="store_true")
    parser.add_argument("--stop", action="store_true")
    parser.add_argument("--no-demo", action="store_true", help="skip loading the demo data")
    args = parser.parse_args()
    if args.stop:
        stop_all()
        return 0
    started = time.monotonic()
    try:
        stack.up()
        start_services()
    except StartupFailed as error:
        stop_all()
        fail(str(error))
    except SystemExit:  # the stack said why already
        stop_all()
        raise
    print(f"services ready in {time.monotonic() - started:.1f} s", flush=True)
    if not args.no_demo:
        subprocess.run([sys.executable, "-m", "deploy.local.demo"], check=False)
    print_welcome()
    if args.detach:
        print("Detached; `make stop` stops everything.")
        return 0
    print("Press Ctrl-C to stop everything.", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        while True:
            time.sleep(2)
            dead = [s.name for s in existing() if not s.slot().alive()]
            if dead:
                fail(f"{', '.join(dead)} exited; see its log under {ProcessSlot('x').log.parent}")
    except KeyboardInterrupt:
        print("\nstopping…", flush=True)
    finally:
        stop_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
