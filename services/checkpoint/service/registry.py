"""The checkpoint registry: admins maintain it, officers read their own checkpoints."""

from __future__ import annotations

import logging
from dataclasses import asdict

from libs.contracts.envelope import utcnow
from libs.contracts.wards import province_code
from libs.runtime.auth import Principal, Role
from services.checkpoint.domain.errors import CheckpointForbidden, CheckpointUnknown
from services.checkpoint.domain.records import Checkpoint, CheckpointFields, CheckpointFilter
from services.checkpoint.service.ports import Registry

log = logging.getLogger(__name__)


class CheckpointRegistry:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    async def put(self, who: Principal | str, checkpoint_id: str, fields: CheckpointFields
                  ) -> tuple[Checkpoint, bool]:
        """Create or replace a checkpoint; (it as stored, True when it was created).
        `who`: the admin, or the name of a tool (the seed)."""
        checkpoint = Checkpoint(**asdict(fields), checkpoint_id=checkpoint_id,
                                province_code=province_code(fields.ward_code),
                                updated_at=utcnow(),
                                updated_by=who if isinstance(who, str) else who.subject)
        created = await self.registry.put(checkpoint)
        log.info("checkpoint %s %s by %s (active: %s)", checkpoint_id,
                 "created" if created else "replaced", checkpoint.updated_by, checkpoint.active)
        return checkpoint, created

    async def find(self, who: Principal, filters: CheckpointFilter, limit: int, offset: int
                   ) -> tuple[int, list[Checkpoint]]:
        """An officer's own checkpoints (from the token), or any for an admin; filtered."""
        if who.role == Role.officer:
            found = [c for c in await self.registry.many(list(who.scope)) if filters.admits(c)]
            return len(found), found
        return await self.registry.find(filters, limit, offset)

    async def get(self, who: Principal, checkpoint_id: str) -> Checkpoint:
        """One checkpoint (an officer: only their own)."""
        if who.role == Role.officer and checkpoint_id not in who.scope:
            raise CheckpointForbidden(checkpoint_id)
        found = await self.registry.get(checkpoint_id)
        if found is None:
            raise CheckpointUnknown(checkpoint_id)
        return found
