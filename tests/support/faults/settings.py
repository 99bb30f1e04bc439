"""The fault test's sizes and bounds (KHAIBAO_FAULT_DECLARATIONS picks the size)."""

from __future__ import annotations

import os

from libs.runtime.auth import Role
from tests.support.tokens import bearer

DECLARATIONS = int(os.environ.get("KHAIBAO_FAULT_DECLARATIONS", "5000"))
DEADLINE_S = 35 * 60  # the 5,000 run takes ~8 min on a quiet 2-core machine (was 20 once)
SETTLE_S = 10 * 60
CONCURRENCY = 16
WINDOW = 300
# Service ports 21001-21005: below the kernel's ephemeral range (32768-60999), where an
# outgoing connection's own port may already hold the number. With 38001-38005 a CI run
# failed with identity-verification exiting during start-up, most likely unable to bind.
PORT_OFFSET = 13000
CHECKPOINT = "cp-fault-road"
OFFICER = bearer(Role.officer, [CHECKPOINT], who='officer-fault')
ADMIN = bearer(Role.admin, who='admin-fault')
NOTIFIED = ("arriving", "departing", "passed")
GROUPS = ("declaration", "verification", "passage", "movement", "notification")
