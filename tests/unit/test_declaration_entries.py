"""An officer's own entries of the day, as the console lists them (api/bodies.entry):
a citizen by the masked CCCD, a foreigner by the masked passport and the nationality."""

from __future__ import annotations

from services.declaration.api.bodies import entry
from tests.support.declaration_samples import stored


def test_a_citizen_is_listed_by_the_masked_national_id() -> None:
    shown = entry(stored())
    assert (shown.document, shown.document_type, shown.nationality) == (
        "001******345", "national_id", "VN")


def test_a_foreigner_is_listed_by_the_masked_passport_and_the_nationality() -> None:
    shown = entry(stored({"full_name": "Kim Min Jun", "nationality": "KR",
                          "national_id": None, "passport": "M12345678"}))
    assert (shown.full_name, shown.document, shown.document_type, shown.nationality) == (
        "Kim M. J.", "******678", "passport", "KR")
    assert "M12345678" not in shown.model_dump_json()


def test_a_passport_of_twelve_digits_is_not_masked_as_a_cccd() -> None:
    shown = entry(stored({"full_name": "John Smith", "nationality": "US", "national_id": None,
                          "passport": "123456789012"}))
    assert shown.document == "*********012"
