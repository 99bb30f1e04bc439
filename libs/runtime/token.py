"""`make token ROLE=… SCOPE=…`: print a development JWT, and nothing else."""

from __future__ import annotations

import sys

from libs.runtime.auth import Role, mint


def main(argv: list[str]) -> int:
    role_name = argv[1] if len(argv) > 1 else ""
    try:
        role = Role(role_name)
    except ValueError:
        roles = "|".join(r.value for r in Role)
        print(f"usage: make token ROLE=<{roles}> SCOPE=<ids, comma-separated>", file=sys.stderr)
        return 2
    scope = [item.strip() for item in (argv[2] if len(argv) > 2 else "").split(",") if item.strip()]
    print(mint(f"dev-{role.value}", role, scope))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
