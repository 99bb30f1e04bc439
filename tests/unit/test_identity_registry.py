"""Registry rows, masking, verdict event ids and import parsing helpers (pure)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from services.identity_verification.domain.errors import BadHeader
from services.identity_verification.domain.import_rows import check_header
from services.identity_verification.domain.records import Verification, as_dict, tally
from services.identity_verification.domain.residents import Resident, mask_id, mask_name
from services.identity_verification.domain.verdicts import Outcome, verdict_event_id
from services.identity_verification.service.importing import lines_of
from services.identity_verification.store.registry import document_of, partition_of

ROW = {"national_id": "001085012345", "full_name": "Nguyễn Văn An", "date_of_birth": "1985-03-14",
       "gender": "male", "permanent_ward": "70"}


def test_a_row_is_normalised_and_keyed_by_cccd() -> None:
    resident = Resident.model_validate({**ROW, "full_name": " Nguyễn  Văn An "})
    assert document_of(resident) == {"_id": "001085012345", "full_name": "Nguyễn Văn An",
                                   "date_of_birth": "1985-03-14", "gender": "male",
                                   "permanent_ward": "00070", "status": "living"}


@pytest.mark.parametrize(("change", "field"), [
    ({"national_id": "012345678"}, "national_id"),
    ({"national_id": "097085012345"}, "national_id"),
    ({"full_name": "Nguyễn Văn 4n"}, "full_name"),
    ({"full_name": ""}, "full_name"),
    ({"gender": "other"}, "gender"),
    ({"permanent_ward": "99999"}, "permanent_ward"),
    ({"cmnd": "12345"}, "cmnd"),
    ({"status": "missing"}, "status"),
    ({"date_of_birth": "1986-03-14"}, ""),  # contradicts the CCCD's year digits
    ({"unexpected": 1}, "unexpected"),
])
def test_bad_rows_name_their_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Resident.model_validate({**ROW, **change})
    assert ".".join(map(str, caught.value.errors()[0]["loc"])) == field


def test_masks_keep_just_enough() -> None:
    assert mask_id("001085012345") == "001******345"
    assert mask_id("012345678") == "012***678"
    assert mask_name("Nguyễn Thị Minh Đào") == "Nguyễn T. M. Đ."


def test_partitions_follow_the_last_digits() -> None:
    assert partition_of("001085012345", 1000) == 345
    assert partition_of("001085012345", 10) == 5


def test_verdict_event_id_is_fixed_by_the_declaration() -> None:
    at = datetime(2025, 7, 1, tzinfo=UTC)
    first = uuid.UUID(verdict_event_id("d-1", at))
    assert str(first) == verdict_event_id("d-1", at) != verdict_event_id("d-2", at)
    assert first.version == 7 and first.int >> 80 == int(at.timestamp() * 1000)


def test_csv_header_must_name_the_required_columns() -> None:
    assert check_header(["National_ID", "full_name", "date_of_birth", "gender",
                          "permanent_ward"])[0] == "national_id"
    for header in (["national_id", "full_name"], [*ROW, "age"], [*ROW, "gender"]):
        with pytest.raises(BadHeader):
            check_header(header)


async def test_lines_survive_any_chunking() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for part in (b"a\nbb", b"b\n", b"", b"\ncc", b"c"):
            yield part

    assert [line async for line in lines_of(chunks())] == [b"a", b"bbb", b"", b"ccc"]


def test_counters_group_outcomes_reasons_and_flags() -> None:
    counts = tally([verdict("verified", [], ["diacritics_only"]),
                    verdict("rejected", ["not_found"], []),
                    verdict("rejected", ["dob_mismatch", "id_format"], [])])
    assert as_dict(counts) == {
        "outcomes": {"verified": 1, "rejected": 2},
        "reasons": {"not_found": 1, "dob_mismatch": 1, "id_format": 1},
        "flags": {"diacritics_only": 1}}



def verdict(outcome: str, reasons: list[str], flags: list[str]) -> Verification:
    return Verification(declaration_id="d-1", outcome=Outcome(outcome), reasons=reasons,
                        flags=flags, registered_permanent_ward=None)
