"""The bodies the routes take and answer with (their schemas are the OpenAPI document)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from libs.contracts.values import Gender, NationalIdInput
from services.identity_verification.domain.residents import Status


class Lookup(BaseModel):
    national_id: NationalIdInput = Field(description="CCCD (12 digits) or old CMND (9); "
                                         "spaces, dots and dashes are ignored",
                                         examples=["001085012345"])


class MaskedResident(BaseModel):
    national_id: str = Field(description="masked", examples=["001******345"])
    full_name: str = Field(description="family name, then initials", examples=["Nguyễn V. A."])
    birth_year: int
    gender: Gender
    permanent_ward: str
    permanent_ward_name: str
    status: Status
    matched_by: str = Field(examples=["cccd"], description="cccd, or cmnd (an old number)")


class Verification(BaseModel):
    declaration_id: str
    outcome: str = Field(examples=["verified"])
    reasons: list[str]
    flags: list[str]
    registered_permanent_ward: str | None


class Stats(BaseModel):
    residents: int
    cmnd_aliases: int
    partitions: int
    verifications: dict[str, dict[str, int]]
