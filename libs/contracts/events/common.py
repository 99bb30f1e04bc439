"""Fields many events carry, described once.

The descriptions and examples are what each service's AsyncAPI document
(`/asyncapi`) shows of an event; a field may still say more where it means
something narrower ("the officer who decided" rather than "a staff account").
tests/unit/test_event_fields.py keeps every event field described.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from libs.contracts.values import SubjectId

SUBJECT_EXAMPLE = "d63890ab209131096b8a0080eccfb850dafeec946ec6602c7957116e2e8ca875"
UUID_EXAMPLE = "0198c1d2-7a3b-7c4d-8e5f-0123456789ab"
MOMENT_EXAMPLE = "2026-12-07T01:30:00Z"
SUBJECT_TEXT = ("the person's pseudonym: HMAC-SHA256 (hex) of their national ID, or of "
                "nationality and passport for a foreigner; only the declaration and identity "
                "services can tell who it is")

Subject = Annotated[SubjectId, Field(description=SUBJECT_TEXT, examples=[SUBJECT_EXAMPLE])]

DeclarationId = Annotated[str, Field(
    description="the declaration (one traveller's trip) as the declaration service issued "
                "it: a UUID", examples=[UUID_EXAMPLE])]

StaffAccount = Annotated[str, Field(
    description="a staff account: its user name at the identity provider (Keycloak)",
    examples=["canbo.noibai"])]

__all__ = ["MOMENT_EXAMPLE", "SUBJECT_EXAMPLE", "SUBJECT_TEXT", "UUID_EXAMPLE", "DeclarationId",
           "StaffAccount", "Subject"]
