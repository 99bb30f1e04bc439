"""Follow-ups that matter (pure, no I/O): what the trace keeps of a follow-up, and when
it makes the person a suspected case.

The ward records a visit or call (`followup.recorded`) with the symptoms as the
official typed them. The trace keeps only **symptom codes** of the declaration's
catalogue (`fever`, `cough`, …, matched from the code, its Vietnamese or English
label, with or without diacritics); anything else becomes `other`: the words
themselves are free text and stay at the ward. A follow-up is **suspected** when it
reports a symptom, or a temperature at or above `fever_c` (37.5 °C).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from libs.contracts.events.declaration import Symptom

OTHER = "other"

# The labels of the citizen form (services/declaration/web/i18n.js), and a few usual words.
_LABELS: dict[str, tuple[str, ...]] = {
    Symptom.fever: ("sốt", "fever", "sốt cao", "high fever"),
    Symptom.cough: ("ho", "cough", "ho khan", "dry cough"),
    Symptom.shortness_of_breath: ("khó thở", "shortness of breath", "breathlessness"),
    Symptom.sore_throat: ("đau họng", "sore throat", "rát họng"),
    Symptom.nausea_vomiting: ("buồn nôn / nôn", "buồn nôn", "nôn", "nausea / vomiting",
                              "nausea", "vomiting"),
    Symptom.diarrhoea: ("tiêu chảy", "diarrhoea", "diarrhea"),
    Symptom.skin_haemorrhage: ("xuất huyết ngoài da", "skin haemorrhage", "skin hemorrhage"),
    Symptom.skin_rash: ("nổi ban ngoài da", "phát ban", "skin rash", "rash"),
}


def _key(text: str) -> str:
    """Case, diacritics (đ too), spaces and separators do not matter."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in bare if ch.isalnum())


_CODES: dict[str, str] = {
    _key(word): code.value
    for code in Symptom for word in (code.value, *_LABELS.get(code, ()))}


def symptom_codes(reported: Iterable[str]) -> list[str]:
    """The catalogue codes of what was reported (sorted, once each); `other` for the rest."""
    return sorted({_CODES.get(_key(text), OTHER) for text in reported if _key(text)})


def has_fever(temperature_c: float | None, codes: Iterable[str], fever_c: float) -> bool:
    return (temperature_c is not None and temperature_c >= fever_c) or Symptom.fever in codes


def is_suspected(codes: list[str], temperature_c: float | None, fever_c: float) -> bool:
    """Symptoms, or fever, reported at a follow-up."""
    return bool(codes) or has_fever(temperature_c, codes, fever_c)
