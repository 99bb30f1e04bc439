"""What development adds to the realm: the token client for scripts, loopback pages, demo staff.

    python -m deploy.keycloak.development     (the local stack and compose's seed job run it)

`khaibao-realm.json` is the realm as production imports it: roles, the pages'
client, token claims, password and brute-force policies, no users. Development
adds, through the admin API (idempotent, so every `make stack-up` may run it):

- `khaibao-dev-token`, a client with the password grant, so `make token`, the
  demo loader, benchmarks and tests get real tokens from the real server. Its
  tokens last an hour (the pages' last 5 minutes) so that a `curl` session does
  not need refreshing. Services started with `ENV=production` refuse a realm that
  has it, and any token it issued.
- the pages' client redirected to 127.0.0.1 on any port, its CORS origins listing
  the ports of `make run` and the e2e tests;
- demo staff, one or more per role, with the scopes of the demo data, marked
  `demo` (a token claim production refuses). Their passwords are in this file on
  purpose: `make run` prints them.
"""

from __future__ import annotations

import sys
from typing import Any

from deploy.keycloak.admin import KeycloakAdmin, StaffUser

DEV_CLIENT = "khaibao-dev-token"
WEB_CLIENT = "khaibao-web"
DEV_TOKEN_LIFESPAN_S = 3600
# make run's pages (8001-8005) and the e2e tier's (18001-18005), when opened as localhost.
WEB_PORTS = [*range(8001, 8006), *range(18001, 18006)]

DEMO_CHECKPOINTS = ("cp-hn-noibai-airport", "cp-hcm-tansonnhat-airport", "cp-dn-danang-airport")
DEMO_WARDS = ("00070", "26506", "00004", "00256")
DEMO_USERS = (
    StaffUser("canbo.noibai", "Nguyễn Văn", "An", "officer", "Khaibao-CanBo-2026!",
              DEMO_CHECKPOINTS, "Đội kiểm soát sân bay", demo=True),
    StaffUser("canbo.tansonnhat", "Hoàng Thị", "Thu Hương", "officer", "Khaibao-TSN-2026!",
              ("cp-hcm-tansonnhat-airport",), "Chốt Tân Sơn Nhất", demo=True),
    StaffUser("canbo.huunghi", "Võ Đức", "Thắng", "officer", "Khaibao-HuuNghi-2026!",
              ("cp-ls-huunghi-gate",), "Cửa khẩu Hữu Nghị", demo=True),
    StaffUser("phuong.demo", "Trần Thị", "Bích", "ward_official", "Khaibao-Phuong-2026!",
              DEMO_WARDS, "Tổ phản ứng nhanh (demo, 4 phường)", demo=True),
    StaffUser("phuong.vungtau", "Đặng Thị", "Ngọc Ánh", "ward_official",
              "Khaibao-VungTau-2026!", ("26506",), "UBND phường Vũng Tàu", demo=True),
    StaffUser("phuong.hoankiem", "Phan Văn", "Khải", "ward_official", "Khaibao-HoanKiem-2026!",
              ("00070",), "UBND phường Hoàn Kiếm", demo=True),
    StaffUser("dichte.hoa", "Lê Minh", "Hòa", "epidemiologist", "Khaibao-DichTe-2026!",
              (), "CDC Hà Nội", demo=True),
    StaffUser("quantri", "Phạm Quốc", "Dũng", "admin", "Khaibao-QuanTri-2026!",
              (), "Trung tâm điều hành khaibao", demo=True),
)


def loopback_web_client(web: dict[str, Any]) -> dict[str, Any]:
    # "http://127.0.0.1/*" matches 127.0.0.1 on any port (the loopback rule of RFC 8252);
    # CORS origins have no such rule, and tests serve pages on ports lent at random, so
    # development allows any origin to call the token endpoint (Keycloak listens on
    # 127.0.0.1 only; production lists its one public origin).
    localhost = [f"http://localhost:{port}/*" for port in WEB_PORTS]
    return {**web, "redirectUris": ["http://127.0.0.1/*", *localhost], "webOrigins": ["*"],
            "attributes": {**web.get("attributes", {}), "post.logout.redirect.uris": "+"}}


def dev_client(web: dict[str, Any]) -> dict[str, Any]:
    """A public client with the password grant only, and the pages' claims."""
    mappers = [{k: v for k, v in m.items() if k != "id"} for m in web.get("protocolMappers", [])]
    return {"clientId": DEV_CLIENT, "name": "khaibao development tokens (password grant)",
            "enabled": True, "publicClient": True, "protocol": "openid-connect",
            "standardFlowEnabled": False, "implicitFlowEnabled": False,
            "directAccessGrantsEnabled": True, "serviceAccountsEnabled": False,
            "redirectUris": [], "webOrigins": [], "protocolMappers": mappers,
            "attributes": {"access.token.lifespan": str(DEV_TOKEN_LIFESPAN_S)}}


def apply(admin: KeycloakAdmin) -> None:
    web = admin.find_client(WEB_CLIENT)
    if web is None:
        raise RuntimeError(f"realm {admin.realm} has no client {WEB_CLIENT}: was "
                           "deploy/keycloak/khaibao-realm.json imported?")
    admin.ensure_client(loopback_web_client(web))
    full = admin.call("GET", f"/clients/{web['id']}").json()
    admin.ensure_client(dev_client(full))
    for user in DEMO_USERS:
        admin.ensure_user(user)


def main() -> int:
    apply(KeycloakAdmin.from_environment())
    print(f"keycloak: development client and {len(DEMO_USERS)} demo staff ready", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
