"""Comparing a declared name with the registered one.

Names are compared after normalisation: NFC, case-folded, single spaces
(so NFD input, "NGUYỄN VĂN AN" and doubled spaces all match exactly). Two
near-misses are accepted *with a flag*, never silently, because the national
ID, date of birth and gender must still match exactly:

- `diacritics_only`: equal once the tone and vowel marks are removed
  ("Nguyen Van An" typed without a Vietnamese keyboard). Marks do change a
  name ("Thu" and "Thư" are different names), so the flag tells the officer
  to compare the name on the ID card.
- `name_order`: the same words in another order (swapped middle names,
  "Nguyễn Minh Thị Anh" for "Nguyễn Thị Minh Anh", or the family name written
  last). Words are compared as a multiset, so no word may be missing or extra.

Anything else, including a missing or different middle name, is a mismatch.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum

from libs.contracts.values import normalise_name

# "đ" is a letter of its own, not "d" plus a mark, so NFD does not split it.
_LETTERS_WITHOUT_MARKS = str.maketrans({"đ": "d", "Đ": "D"})


class NameMatch(StrEnum):
    exact = "exact"
    diacritics_only = "diacritics_only"
    name_order = "name_order"
    mismatch = "mismatch"


def name_key(name: str) -> str:
    """NFC, case-folded, single spaces: the form two equal names share."""
    return unicodedata.normalize("NFC", normalise_name(name).casefold())


def strip_marks(name: str) -> str:
    decomposed = unicodedata.normalize("NFD", name.translate(_LETTERS_WITHOUT_MARKS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def compare_names(declared: str, registered: str) -> list[NameMatch]:
    """The remarks of a match (empty list: exact), or `[mismatch]`."""
    ours, theirs = name_key(declared), name_key(registered)
    if ours == theirs:
        return []
    if sorted(ours.split()) == sorted(theirs.split()):
        return [NameMatch.name_order]
    bare_ours, bare_theirs = strip_marks(ours), strip_marks(theirs)
    if bare_ours == bare_theirs:
        return [NameMatch.diacritics_only]
    if sorted(bare_ours.split()) == sorted(bare_theirs.split()):
        return [NameMatch.diacritics_only, NameMatch.name_order]
    return [NameMatch.mismatch]
