"""The matching rules of identity verification, table-driven (pure, no servers)."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

import pytest

from libs.contracts.events.declaration import Person
from services.identity_verification.domain.matching import NameMatch, compare_names
from services.identity_verification.domain.residents import Resident
from services.identity_verification.domain.verdicts import Outcome, verify

# CCCD 001 1 85 …: born in Hà Nội, a woman of the 20th century, in (19)85.
REGISTERED = {"national_id": "001185012345", "full_name": "Nguyễn Thị Minh Đào",
              "date_of_birth": date(1985, 3, 14), "gender": "female",
              "permanent_ward": "00070", "cmnd": "012345678"}


def resident(**changes: Any) -> Resident:
    return Resident.model_validate({**REGISTERED, **changes})


def person(**changes: Any) -> Person:
    fields = {k: REGISTERED[k] for k in ("national_id", "full_name", "date_of_birth", "gender")}
    return Person.model_validate({**fields, **changes})


NFD = unicodedata.normalize("NFD", "Nguyễn Thị Minh Đào")


@pytest.mark.parametrize(("declared", "expected"), [
    ("Nguyễn Thị Minh Đào", []),
    (NFD, []),
    ("  NGUYỄN   thị minh ĐÀO ", []),
    ("Nguyen Thi Minh Dao", [NameMatch.diacritics_only]),
    ("Nguyễn Thị Minh Dào", [NameMatch.diacritics_only]),
    ("Nguyễn Minh Thị Đào", [NameMatch.name_order]),
    ("Thị Minh Đào Nguyễn", [NameMatch.name_order]),
    ("nguyen minh thi dao", [NameMatch.diacritics_only, NameMatch.name_order]),
    ("Nguyễn Thị Đào", [NameMatch.mismatch]),
    ("Nguyễn Thị Minh Đào Anh", [NameMatch.mismatch]),
    ("Trần Thị Minh Đào", [NameMatch.mismatch]),
    ("Nguyễn Thị Minh Đạo Đào", [NameMatch.mismatch]),
])
def test_name_comparison(declared: str, expected: list[NameMatch]) -> None:
    assert compare_names(declared, "Nguyễn Thị Minh Đào") == expected


CASES: list[tuple[str, dict[str, Any], dict[str, Any] | None, Outcome, list[str], list[str]]] = [
    ("exact", {}, {}, Outcome.verified, [], []),
    ("diacritics only", {"full_name": "Nguyen Thi Minh Dao"}, {}, Outcome.verified, [],
     ["diacritics_only"]),
    ("NFD input", {"full_name": NFD}, {}, Outcome.verified, [], []),
    ("swapped middle", {"full_name": "Nguyễn Minh Thị Đào"}, {}, Outcome.verified, [],
     ["name_order"]),
    ("wrong date of birth", {"date_of_birth": date(1985, 3, 15)}, {}, Outcome.rejected,
     ["dob_mismatch"], []),
    ("wrong birth year", {"date_of_birth": date(1986, 3, 14)}, {}, Outcome.rejected,
     ["id_format", "dob_mismatch"], []),
    ("wrong gender", {"gender": "male"}, {}, Outcome.rejected,
     ["id_format", "gender_mismatch"], []),
    ("other name", {"full_name": "Lê Văn Tám"}, {}, Outcome.rejected, ["name_mismatch"], []),
    ("unknown id", {}, None, Outcome.rejected, ["not_found"], []),
    ("CMND mapped to CCCD", {"national_id": "012345678"}, {}, Outcome.verified, [],
     ["cmnd_mapped"]),
    ("deceased", {}, {"status": "deceased"}, Outcome.rejected, ["deceased"], []),
    ("revoked", {}, {"status": "revoked"}, Outcome.rejected, ["revoked"], []),
    ("deceased, marks missing", {"full_name": "Nguyen Thi Minh Dao"}, {"status": "deceased"},
     Outcome.rejected, ["deceased"], ["diacritics_only"]),
    ("no such birth province", {"national_id": "003185012345"}, None, Outcome.rejected,
     ["id_format"], []),
    ("century not begun", {"national_id": "001585012345"}, None, Outcome.rejected,
     ["id_format"], []),
]


@pytest.mark.parametrize(("declared", "registered", "outcome", "reasons", "flags"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_verification(declared: dict[str, Any], registered: dict[str, Any] | None,
                      outcome: Outcome, reasons: list[str], flags: list[str]) -> None:
    verdict = verify(person(**declared), None if registered is None else resident(**registered))
    assert (verdict.outcome, [str(r) for r in verdict.reasons], verdict.flags) == \
        (outcome, reasons, flags)
    if verdict.outcome == Outcome.verified:
        assert verdict.registered_permanent_ward == "00070"
