"""The one masking policy, the one order key and the ward names every service uses."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta, timezone

import pytest

from libs.contracts.ordering import order_key
from libs.contracts.people import mask_document, mask_id_number, mask_name
from libs.contracts.wards import is_current_ward, province_code, ward_label, ward_names, zone


@pytest.mark.parametrize(("full", "masked"), [
    ("Nguyễn Văn An", "Nguyễn V. A."),
    ("Lê  Thị   Hồng Nhung", "Lê T. H. N."),
    ("Đặng", "Đặng"),
    (" trần văn bình ", "trần v. b."),
])
def test_a_name_keeps_its_family_name_and_initials(full: str, masked: str) -> None:
    assert mask_name(full) == masked


def test_a_name_in_nfd_masks_like_its_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Nguyễn Văn Ánh")
    assert mask_name(nfd) == mask_name("Nguyễn Văn Ánh") == "Nguyễn V. Á."


@pytest.mark.parametrize(("number", "masked"), [
    ("001085012345", "001******345"),
    ("012345678", "******678"),
    ("B1234567", "*****567"),
    ("C12", "***"),
    ("", ""),
])
def test_an_id_number_shows_little(number: str, masked: str) -> None:
    assert mask_id_number(number) == masked
    assert len(mask_id_number(number)) == len(number)


@pytest.mark.parametrize(("national_id", "passport", "masked"), [
    ("001085012345", None, "001******345"),
    (None, "M12345678", "******678"),
    # A passport of 12 digits is no CCCD: nothing of it names a province.
    (None, "123456789012", "*********012"),
    (None, None, ""),
])
def test_a_document_is_masked_by_its_kind(national_id: str | None, passport: str | None,
                                          masked: str) -> None:
    assert mask_document(national_id, passport) == masked


def test_order_key_sorts_by_utc_moment_then_id() -> None:
    hanoi = timezone(timedelta(hours=7))
    early = order_key(datetime(2026, 12, 7, 6, 0, tzinfo=hanoi), "b")
    late = order_key(datetime(2026, 12, 7, 0, 0, 1, tzinfo=UTC), "a")
    assert early < late
    assert order_key(datetime(2026, 12, 7, tzinfo=UTC), "a") < order_key(
        datetime(2026, 12, 7, tzinfo=UTC), "b")


def test_ward_names_of_current_and_unknown_codes() -> None:
    assert ward_names("00070") == ("Phường Hoàn Kiếm", "Thành phố Hà Nội")
    assert ward_label("00070") == "Phường Hoàn Kiếm, Thành phố Hà Nội"
    assert ward_names("99999") == ("99999", "")
    assert ward_label("99999") == "99999"
    assert province_code("00070") == 1
    assert is_current_ward("00070") and not is_current_ward("99999")
    with pytest.raises(KeyError):
        province_code("99999")


def test_zone_names_its_level() -> None:
    assert zone("00070", 4).level_name == "red"
    assert zone("00070", None).level_name is None
