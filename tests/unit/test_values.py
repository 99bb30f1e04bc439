"""National IDs, ward codes, subject ids and names: the value types every service shares."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from pydantic import TypeAdapter, ValidationError

from libs.contracts.values import (
    Gender,
    NationalId,
    WardCode,
    cccd_birth_facts,
    cccd_contradictions,
    normalise_name,
    subject_id_for,
    ward_count,
)

national_id = TypeAdapter(NationalId)
ward_code = TypeAdapter(WardCode)


@pytest.mark.parametrize(("raw", "expected"), [
    ("001085012345", "001085012345"),
    ("001 085 012 345", "001085012345"),
    ("001.085.012.345", "001085012345"),
    ("123456789", "123456789"),  # old 9-digit CMND
])
def test_national_id_accepts_cccd_and_cmnd(raw: str, expected: str) -> None:
    assert national_id.validate_python(raw) == expected


@pytest.mark.parametrize("raw", ["", "12345", "0010850123456", "00108501234x", "000085012345",
                                 "097085012345", "００１０８５０１２３４５", 1085012345])
def test_national_id_rejects_malformed(raw: object) -> None:
    with pytest.raises(ValidationError):
        national_id.validate_python(raw)


@pytest.mark.parametrize(("cccd", "year", "gender"), [
    ("001085012345", 1985, Gender.male),
    ("001185012345", 1985, Gender.female),
    ("079203012345", 2003, Gender.male),
    ("079310012345", 2010, Gender.female),
    ("079400012345", 2100, Gender.male),
])
def test_cccd_encodes_century_gender_and_year(cccd: str, year: int, gender: Gender) -> None:
    assert cccd_birth_facts(cccd) == (year, gender)


def test_cccd_contradictions_name_the_wrong_fields() -> None:
    assert cccd_contradictions("001085012345", date(1985, 3, 14), Gender.male) == []
    assert cccd_contradictions("001085012345", date(1986, 3, 14), Gender.male) == ["date_of_birth"]
    assert cccd_contradictions("001085012345", date(1985, 3, 14), Gender.female) == ["gender"]
    assert cccd_contradictions("123456789", date(1950, 1, 1), Gender.female) == []


def test_ward_codes_are_the_2025_units() -> None:
    assert ward_count() == 3321
    assert ward_code.validate_python("00070") == "00070"
    assert ward_code.validate_python(70) == "00070"  # integers are padded to the official 5 digits
    for bad in ("99999", "abc", "", True, None):
        with pytest.raises(ValidationError):
            ward_code.validate_python(bad)


def test_subject_id_is_a_keyed_hash_of_the_normalised_id() -> None:
    a = subject_id_for(b"secret-1", "001085012345")
    assert a == subject_id_for(b"secret-1", "001 085 012 345")
    assert a != subject_id_for(b"secret-2", "001085012345")
    assert len(a) == 64 and int(a, 16) >= 0
    with pytest.raises(ValueError):
        subject_id_for(b"secret-1", "not an id")


def test_names_compare_equal_in_nfc_and_nfd() -> None:
    nfc = "Nguyễn Thị Ánh"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd
    assert normalise_name(f"  {nfd}\t ") == nfc
    assert normalise_name("Trần   Văn\u00a0Bình") == "Trần Văn Bình"
