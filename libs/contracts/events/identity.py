"""Events produced by the identity-verification service."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from libs.contracts import topics
from libs.contracts.envelope import EventPayload
from libs.contracts.values import SubjectId, WardCode


class RejectionReason(StrEnum):
    not_found = "not_found"
    name_mismatch = "name_mismatch"
    dob_mismatch = "dob_mismatch"
    gender_mismatch = "gender_mismatch"
    deceased = "deceased"
    revoked = "revoked"
    id_format = "id_format"


class IdentityVerified(EventPayload):
    TYPE: ClassVar[str] = topics.IDENTITY_VERIFIED

    declaration_id: str
    subject_id: SubjectId
    registered_permanent_ward: WardCode | None = None
    flags: list[str] = Field(default_factory=list,
                             description="passed with remarks, e.g. 'diacritics_only'")


class IdentityRejected(EventPayload):
    TYPE: ClassVar[str] = topics.IDENTITY_REJECTED

    declaration_id: str
    subject_id: SubjectId
    reasons: list[RejectionReason] = Field(min_length=1)
