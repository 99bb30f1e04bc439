"""The plain-text rule and the name rules (issue 22, findings 2 and 3): hidden characters and
letters buried under stacked combining marks are refused by every rule that takes text people
type — the shared `PlainText`, the declaration form's names and free text, the registry's
names — while every Vietnamese name, typed composed or decomposed, still passes."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from libs.contracts.values import MAX_MARKS, PlainText, hidden_characters, stacked_marks
from services.declaration.domain import form_rules as rules
from services.identity_verification.domain.residents import Resident

plain = TypeAdapter(PlainText)
STACKED = "An" + "\u0301" * 60 + " Binh"  # the finding's example
HIDDEN = {"NUL": "Nguyễn\x00Văn", "ESC": "Nguyễn\x1b[31mVăn", "bidi override": "Nguyễn \u202eVăn",
          "bidi isolate": "Nguyễn \u2066Văn", "zero width space": "Nguyễn\u200bVăn",
          "BOM": "\ufeffNguyễn Văn", "line separator": "Nguyễn\u2028Văn",
          "private use": "Nguyễn \ue000Văn", "C1 control": "Nguyễn\x85Văn"}
VOWELS = "aăâeêioôơuưy"
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]  # ngang huyền sắc hỏi ngã nặng


def _registry_name(value: str) -> str:
    return Resident.model_validate({
        "national_id": "001085012345", "full_name": value, "date_of_birth": "1985-03-14",
        "gender": "male", "permanent_ward": "00070"}).full_name


# Every rule a name or free text goes through on its way in, by where it is used.
RULES: dict[str, Callable[[str], Any]] = {
    "PlainText (places, notes, purposes, addresses …)": plain.validate_python,
    "declaration: a person's name": rules.name,
    "declaration: address, cargo, a boat's number": rules.text,
    "declaration: address (normalised)": rules.address,
    "registry: a resident's name": _registry_name,
}
REFUSED = (ValidationError, ValueError)  # PydanticCustomError is a ValueError


def every_vietnamese_syllable_nucleus() -> list[str]:
    """Each vowel with each tone, upper and lower case, as NFD (the most marks it can carry)."""
    letters = []
    for vowel in VOWELS + VOWELS.upper():
        for tone in TONES:
            letters.append(unicodedata.normalize("NFD", vowel) + tone)
    return letters


@pytest.mark.parametrize("rule", RULES)
def test_a_name_of_stacked_marks_is_refused(rule: str) -> None:
    with pytest.raises(REFUSED):
        RULES[rule](STACKED)
    with pytest.raises(REFUSED):
        RULES[rule]("Tr" + "q\u0302\u0303\u0323\u0301" + "n")  # 4 marks NFC cannot compose


@pytest.mark.parametrize("rule", RULES)
def test_every_vietnamese_letter_passes_typed_composed_or_decomposed(rule: str) -> None:
    for letter in every_vietnamese_syllable_nucleus():
        for form in ("NFC", "NFD"):
            typed = unicodedata.normalize(form, f"Ng{letter}n Đ{letter}")
            assert RULES[rule](typed) == unicodedata.normalize("NFC", typed), typed


@pytest.mark.parametrize("rule", ["PlainText (places, notes, purposes, addresses …)",
                                  "declaration: address, cargo, a boat's number"])
@pytest.mark.parametrize("sample", HIDDEN)
def test_hidden_characters_are_refused(rule: str, sample: str) -> None:
    with pytest.raises(REFUSED):
        RULES[rule](HIDDEN[sample])


def test_the_rules_count_marks_on_one_letter_after_nfc() -> None:
    assert MAX_MARKS == 3
    # No precomposed form: 3 marks stay on the letter and are allowed, 4 are not.
    assert not stacked_marks(unicodedata.normalize("NFC", "x\u0302\u0303\u0323"))
    assert stacked_marks(unicodedata.normalize("NFC", "x\u0302\u0303\u0323\u0301"))
    # NFC composes Vietnamese: "ệ" typed as e + ^ + . is one character, no mark left.
    assert not stacked_marks(unicodedata.normalize("NFC", "e\u0302\u0323" * 20))
    assert stacked_marks("a" + "\u0301" * 4) and not stacked_marks("\u0301a\u0301b\u0301")
    # Scripts whose letters carry marks after NFC: Thai, Devanagari.
    for name in ("สมชาย ใจดี", "देवनागरी", "Zoë Ångström"):
        assert plain.validate_python(name) == name


def test_tab_and_newline_are_text_other_controls_are_not() -> None:
    assert hidden_characters("Ghi chú\tdòng 1\ndòng 2") == []
    assert hidden_characters("a\rb\x7fc\u202ed") == ["U+000D", "U+007F", "U+202E"]
    with pytest.raises(ValidationError) as refused:
        plain.validate_python("Chợ\u202e Đồng Xuân")
    assert refused.value.errors()[0]["type"] == "hidden_characters"
    with pytest.raises(ValidationError) as stacked:
        plain.validate_python(STACKED)
    assert stacked.value.errors()[0]["type"] == "stacked_marks"


def test_the_form_refuses_hidden_characters_in_an_email_and_a_vehicle_number() -> None:
    with pytest.raises(REFUSED):
        rules.email("an\x00@example.vn")
    with pytest.raises(REFUSED):
        rules.email("an\u202e@example.vn")
    assert rules.email("an.nguyen@Example.VN") == "an.nguyen@example.vn"
    with pytest.raises(REFUSED):
        rules.transport_number("other", "Tàu\x1b[31m 01")
    assert rules.transport_number("other", "Đò  Sông Hồng 01") == "Đò Sông Hồng 01"
