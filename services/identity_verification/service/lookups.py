"""What officers and admins read: a resident, a verdict, the registry's totals."""

from __future__ import annotations

from services.identity_verification.domain.errors import ResidentNotFound, VerificationNotFound
from services.identity_verification.domain.records import RegistryStats, Verification, as_dict
from services.identity_verification.domain.residents import Resident
from services.identity_verification.service.ports import Registry, Verifications


class Lookups:
    def __init__(self, registry: Registry, verifications: Verifications) -> None:
        self.registry, self.verifications = registry, verifications

    async def resident(self, national_id: str) -> Resident:
        """By CCCD, or by old CMND."""
        resident = await self.registry.resident(national_id)
        if resident is None:
            raise ResidentNotFound(national_id)
        return resident

    async def verification(self, declaration_id: str) -> Verification:
        verification = await self.verifications.verification(declaration_id)
        if verification is None:
            raise VerificationNotFound(declaration_id)
        return verification

    async def stats(self) -> RegistryStats:
        residents, aliases = await self.registry.registry_size()
        return RegistryStats(residents=residents, cmnd_aliases=aliases,
                             partitions=self.registry.partitions,
                             verifications=as_dict(await self.verifications.verdict_counts()))
