"""How a person is shown to staff who may not see them in full (DESIGN.md §5).

One policy for every service, so the same person looks the same on the
scanner, the ward's list, the trace and the identity page:

- a name: the family name in full, every other word by its initial —
  'Nguyễn Văn An' → 'Nguyễn V. A.' (enough to match a face and a card, too
  little to look a person up);
- an ID number: a 12-digit CCCD keeps its first three digits (the province of
  registration, shared by millions) and its last three — '001******345';
  anything else (a 9-digit CMND, a passport) keeps its last three only —
  '******567'; three characters or fewer are masked whole. A passport keeps its
  last three even when it is 12 digits (some countries' are): it names no province.

Revealing the whole name and number is a separate, audited act (`/v1/reveals`).
"""

from __future__ import annotations

from libs.contracts.values import normalise_name

MASK = "*"


def mask_name(full_name: str) -> str:
    """'Nguyễn Văn An' → 'Nguyễn V. A.'."""
    family, *others = normalise_name(full_name).split(" ")
    return " ".join([family, *(word[0] + "." for word in others if word)])


def mask_id_number(number: str) -> str:
    """'001085012345' → '001******345'; 'B1234567' → '*****567'."""
    if len(number) <= 3:
        return MASK * len(number)
    if len(number) == 12 and number.isdigit():
        return number[:3] + MASK * 6 + number[-3:]
    return MASK * (len(number) - 3) + number[-3:]


def mask_passport(number: str) -> str:
    """'M12345678' → '******678', whatever its digits look like."""
    if len(number) <= 3:
        return MASK * len(number)
    return MASK * (len(number) - 3) + number[-3:]


def mask_document(national_id: str | None, passport: str | None) -> str:
    """The number a person declared by, masked: the national ID, else the passport."""
    if national_id:
        return mask_id_number(national_id)
    return mask_passport(passport or "")
