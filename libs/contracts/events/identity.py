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
    # Passport holders are checked against the arrivals the border registered.
    no_arrival_record = "no_arrival_record"
    passport_mismatch = "passport_mismatch"  # the number is registered for another nationality


class IdentityVerified(EventPayload):
    TYPE: ClassVar[str] = topics.IDENTITY_VERIFIED

    declaration_id: str
    subject_id: SubjectId
    registered_permanent_ward: WardCode | None = None
    flags: list[str] = Field(default_factory=list,
                             description="passed with remarks, e.g. 'diacritics_only'")
    registered_subject_id: SubjectId | None = Field(
        None, description="subject id of the registry's CCCD when the declaration gave an old "
                          "CMND number, so both ids of one person can be linked")


class IdentityRejected(EventPayload):
    TYPE: ClassVar[str] = topics.IDENTITY_REJECTED

    declaration_id: str
    subject_id: SubjectId
    reasons: list[RejectionReason] = Field(min_length=1)
    flags: list[str] = Field(default_factory=list,
                             description="remarks besides the reasons, e.g. 'diacritics_only'")
