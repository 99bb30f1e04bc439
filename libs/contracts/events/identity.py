"""Events produced by the identity-verification service."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from libs.contracts import topics
from libs.contracts.envelope import EventPayload
from libs.contracts.events.common import SUBJECT_EXAMPLE, DeclarationId, Subject
from libs.contracts.values import SubjectId, WardCode

# Remarks a verdict may carry (identity_verification/domain): a name that differs only in
# diacritics or in order, an old CMND mapped to its CCCD, a passport checked against an arrival.
FLAG_EXAMPLES = [["diacritics_only"], ["cmnd_mapped"], ["arrival_record", "name_order"]]


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

    declaration_id: DeclarationId = Field(description="the declaration verified")
    subject_id: Subject = Field(description="the declared person's pseudonym")
    registered_permanent_ward: WardCode | None = Field(
        None, description="the permanent residence's ward in the population registry; none "
                          "for a passport holder", examples=["00070"])
    flags: list[str] = Field(default_factory=list, examples=FLAG_EXAMPLES,
                             description="passed with remarks, e.g. 'diacritics_only'")
    registered_subject_id: SubjectId | None = Field(
        None, description="subject id of the registry's CCCD when the declaration gave an old "
                          "CMND number, so both ids of one person can be linked",
        examples=[SUBJECT_EXAMPLE])


class IdentityRejected(EventPayload):
    TYPE: ClassVar[str] = topics.IDENTITY_REJECTED

    declaration_id: DeclarationId = Field(description="the declaration rejected")
    subject_id: Subject = Field(description="the declared person's pseudonym")
    reasons: list[RejectionReason] = Field(min_length=1, examples=[["dob_mismatch"]],
                                           description="why the declared person does not match "
                                                       "the registry (or the arrivals "
                                                       "registered); at least one")
    flags: list[str] = Field(default_factory=list, examples=FLAG_EXAMPLES,
                             description="remarks besides the reasons, e.g. 'diacritics_only'")
