"""The registry's record of a resident, its validation and masking (pure)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from libs.contracts.values import (
    Gender,
    WardCode,
    cccd_contradictions,
    check_marks,
    normalise_name,
)
from libs.contracts.vietnam_time import vn_today
from services.identity_verification.domain.provinces import BIRTH_PROVINCE_CODES

EARLIEST_BIRTH = date(1900, 1, 1)


class Status(StrEnum):
    living = "living"
    deceased = "deceased"
    revoked = "revoked"


def birth_code_problem(national_id: str) -> str | None:
    """Why a 12-digit CCCD cannot have been issued, or None."""
    if int(national_id[:3]) not in BIRTH_PROVINCE_CODES:
        return "the first 3 digits are not a province code of birth"
    if int(national_id[3]) > 3:  # 4 and up encode births after 2099
        return "the 4th digit encodes a century that has not begun"
    return None


def _cccd(value: str) -> str:
    value = value.strip()
    if not (value.isascii() and value.isdigit() and len(value) == 12):
        raise ValueError("the registry is keyed by the 12-digit CCCD")
    problem = birth_code_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _cmnd(value: str) -> str:
    value = value.strip()
    if not (value.isascii() and value.isdigit() and len(value) == 9):
        raise ValueError("an old CMND number has 9 digits")
    return value


def _name(value: str) -> str:
    value = normalise_name(value)
    if not value or any(not (ch.isalpha() or ch in " '-") for ch in value):
        raise ValueError("a full name holds letters, spaces, apostrophes and hyphens only")
    return check_marks(value)


class Resident(BaseModel):
    """One row of the population registry."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    national_id: Annotated[str, AfterValidator(_cccd)] = Field(examples=["001085012345"])
    full_name: Annotated[str, AfterValidator(_name)] = Field(max_length=100,
                                                             examples=["Nguyễn Văn An"])
    date_of_birth: date
    gender: Gender
    permanent_ward: WardCode
    temporary_ward: WardCode | None = None
    cmnd: Annotated[str, AfterValidator(_cmnd)] | None = None
    status: Status = Status.living

    @model_validator(mode="after")
    def _consistent(self) -> Resident:
        if not EARLIEST_BIRTH <= self.date_of_birth <= vn_today():
            raise ValueError("date_of_birth must lie between 1900 and today")
        wrong = cccd_contradictions(self.national_id, self.date_of_birth, self.gender)
        if wrong:
            raise ValueError(f"the CCCD digits contradict {' and '.join(wrong)}")
        return self


def mask_id(national_id: str) -> str:
    """Enough for an officer to match a card, too little to reuse: 001******345."""
    return national_id[:3] + "*" * (len(national_id) - 6) + national_id[-3:]


def mask_name(full_name: str) -> str:
    """Family name in full, other words by initial: 'Nguyễn V. A.'."""
    family, *rest = normalise_name(full_name).split(" ")
    return " ".join([family, *(word[0] + "." for word in rest)])
