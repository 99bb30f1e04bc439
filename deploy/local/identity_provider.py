"""Keycloak, the staff identity provider, as a plain process of the local stack.

The distribution (`org.keycloak:keycloak-quarkus-dist`) is unpacked from Maven
Central into the state folder; `kc.sh start-dev` runs it on 127.0.0.1 with its
H2 database under that folder, and imports `deploy/keycloak/khaibao-realm.json`
on its first start. A changed realm file means a fresh database (Keycloak skips
the import of a realm that exists), so the stamp beside the database holds the
file's digest. The bootstrap administrator's password is made on that first
start and kept in the state folder (deploy.keycloak.admin reads it).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import urllib.request

from deploy.keycloak.admin import ADMIN_FILE, issuer
from deploy.local.procs import REPO, STATE, Endpoint, ProcessSlot, digest, fail
from libs.runtime.auth import split_issuer

REALM_FILE = REPO / "deploy" / "keycloak" / "khaibao-realm.json"
POM = REPO / "deploy" / "keycloak" / "pom.xml"
HOME = STATE / "keycloak"
VERSION = "26.7.3"  # keep in step with deploy/keycloak/pom.xml
DIST = HOME / f"keycloak-{VERSION}"
# Keycloak's heap: its default (512 MiB outside a container) is more than it needs here.
HEAP = "-Xms64m -Xmx320m"


def management_port() -> int:
    return int(os.environ.get("KEYCLOAK_MANAGEMENT_PORT", "9000"))


class Keycloak:
    name = "keycloak"

    def __init__(self) -> None:
        base = split_issuer(issuer())[0]
        host, _, port = base.split("://", 1)[1].partition(":")
        self.endpoint = Endpoint(host, int(port or 80))
        self.slot = ProcessSlot(self.name)

    def prepare(self) -> None:
        stamp = HOME / "dist.stamp"
        if (DIST / "bin" / "kc.sh").exists() and stamp.exists() and stamp.read_text() == digest(POM):
            return
        if shutil.which("mvn") is None:
            fail("mvn is missing: it is needed to download Keycloak (see README, Prerequisites).")
        print("keycloak: downloading the distribution from Maven Central (first start only)…",
              flush=True)
        shutil.rmtree(HOME, ignore_errors=True)
        HOME.mkdir(parents=True)
        log = STATE / "logs" / "keycloak-setup.log"
        with log.open("a") as out:
            done = subprocess.run(["mvn", "-q", "-B", "-f", str(POM), "dependency:unpack",
                                   f"-Dkeycloak.outputDirectory={HOME}"],
                                  stdout=out, stderr=subprocess.STDOUT, check=False)
        if done.returncode or not (DIST / "bin" / "kc.sh").exists():
            fail(f"downloading Keycloak failed; see {log}")
        stamp.write_text(digest(POM))

    def start(self) -> None:
        self._import_realm()
        env = {**os.environ, "JAVA_OPTS_KC_HEAP": HEAP, **self._bootstrap_admin()}
        base = f"http://{self.endpoint.address}"
        self.slot.spawn([str(DIST / "bin" / "kc.sh"), "start-dev",
                         f"--http-host={self.endpoint.host}", f"--http-port={self.endpoint.port}",
                         f"--http-management-host={self.endpoint.host}",
                         f"--http-management-port={management_port()}",
                         "--health-enabled=true", "--import-realm",
                         # Pinned: tokens carry this issuer whichever name a client used.
                         f"--hostname={base}"], env=env)

    def ready(self) -> bool:
        url = f"http://{self.endpoint.host}:{management_port()}/health/ready"
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                return bool(answer.status == 200)
        except OSError:
            return False

    def _import_realm(self) -> None:
        """The realm file goes where --import-realm reads it; a new version of it, into a
        fresh database."""
        data = DIST / "data"
        stamp = data / "realm.stamp"
        if stamp.exists() and stamp.read_text() != digest(REALM_FILE):
            print("keycloak: the realm file changed; starting from a fresh database", flush=True)
            shutil.rmtree(data / "h2", ignore_errors=True)
        (data / "import").mkdir(parents=True, exist_ok=True)
        shutil.copy2(REALM_FILE, data / "import" / REALM_FILE.name)
        stamp.write_text(digest(REALM_FILE))

    def _bootstrap_admin(self) -> dict[str, str]:
        """The master realm's first administrator, created only with a fresh database."""
        if (DIST / "data" / "h2").exists() and ADMIN_FILE.exists():
            return {}
        admin = {"username": "khaibao-admin", "password": secrets.token_urlsafe(18)}
        ADMIN_FILE.parent.mkdir(parents=True, exist_ok=True)
        ADMIN_FILE.write_text(json.dumps(admin))
        ADMIN_FILE.chmod(0o600)
        return {"KC_BOOTSTRAP_ADMIN_USERNAME": admin["username"],
                "KC_BOOTSTRAP_ADMIN_PASSWORD": admin["password"]}


def set_up_development() -> None:
    """The development client, loopback pages and demo staff (deploy.keycloak.development)."""
    from deploy.keycloak import development
    from deploy.keycloak.admin import KeycloakAdmin

    development.apply(KeycloakAdmin.from_environment())

