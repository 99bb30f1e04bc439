"""Rotating and retiring the QR signing keys, by an admin (the API) or the operator (the
command line, services/declaration/keyring.py): the same checks, and one log line naming
the account, for both."""

from __future__ import annotations

import asyncio
import logging

from libs.runtime.logs import log_fields
from services.declaration.domain.keys import KeyInfo
from services.declaration.service.ports import SigningKeys

log = logging.getLogger(__name__)


class KeyAdmin:
    def __init__(self, keys: SigningKeys) -> None:
        self.keys = keys

    def listing(self) -> tuple[list[KeyInfo], bool]:
        """Every key, oldest first, and whether the operator manages the file."""
        return self.keys.entries(), self.keys.managed_by_operator()

    async def rotate(self, by: str) -> KeyInfo:
        """A new key signs from now on; the one before keeps verifying."""
        # In a thread: another replica's change may hold the file's lock for a moment.
        new = await asyncio.to_thread(self.keys.rotate, by)
        log.info("QR signing key rotated", extra=log_fields(by=by, kid=new.kid))
        return new

    async def retire(self, kid: str, by: str) -> KeyInfo:
        """Codes `kid` signed stop verifying once scanners refresh their keys."""
        retired = await asyncio.to_thread(self.keys.retire, kid, by)
        log.info("QR signing key retired", extra=log_fields(by=by, kid=kid))
        return retired
