"""CSV imports, pure: reading the file, line numbers, errors by column, manifests."""

from __future__ import annotations

from datetime import date

import pytest

from services.declaration.domain.csv_import import MAX_ROWS, CsvFormat, plan, read_rows
from services.declaration.domain.csv_rows import Manifest
from services.declaration.domain.errors import CsvProblem
from tests.support.declaration_samples import (
    HOAN_KIEM,
    PAPER_HEADER,
    VUNG_TAU,
    csv_bytes,
    day,
    paper_row,
)

pytestmark = pytest.mark.calendar  # "today" is in it: `make test-clock` runs it at 20:00 UTC too

TODAY = date(2025, 11, 20)
FLIGHT = Manifest("plane", "VN213", TODAY, HOAN_KIEM, "KR")


def paper(rows: list[dict[str, str]], **options: bool) -> bytes:
    return csv_bytes(PAPER_HEADER, rows, **options)


def row(national_id: str = "001085012345", name: str = "Nguyễn Văn An",
        **changes: str) -> dict[str, str]:
    return paper_row(national_id, name, **{"departure_date": day(1, TODAY), **changes})


def test_good_rows_become_forms_and_bad_rows_keep_their_line_numbers() -> None:
    raw = paper([row(), row(national_id="12345"), row("001185012345", "Trần Thị Bình",
                                                     gender="nữ"), row(origin_ward="99999")])
    result = plan(read_rows(raw, CsvFormat.paper), CsvFormat.paper, None, TODAY)
    assert [line for line, _ in result.forms] == [2, 4]
    assert result.forms[1][1].person.gender == "female"
    assert result.forms[0][1].person.phone == "0912345678"
    assert [(e["line"], list(e["fields"])) for e in result.errors] == [
        (3, ["national_id"]), (5, ["origin_ward"])]
    [message] = result.errors[1]["fields"]["origin_ward"]
    assert message["code"] == "ward_unknown" and message["message"]["vi"]


def test_a_quoted_cell_across_two_lines_keeps_later_line_numbers_right() -> None:
    raw = paper([row(permanent_address="12 Hàng Bạc\nngõ 3"), row(national_id="bad")])
    result = plan(read_rows(raw, CsvFormat.paper), CsvFormat.paper, None, TODAY)
    assert [line for line, _ in result.forms] == [2]
    assert [e["line"] for e in result.errors] == [4]


def test_bom_crlf_blank_lines_and_header_case_are_tolerated() -> None:
    raw = paper([row()], bom=True).replace(b"full_name", b"Full_Name") + b"\r\n,,,\r\n"
    result = plan(read_rows(raw, CsvFormat.paper), CsvFormat.paper, None, TODAY)
    assert len(result.forms) == 1 and result.errors == []


def test_missing_consent_and_extra_cells_are_row_errors() -> None:
    raw = paper([row(consent="")]) + b"a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s\r\n"
    result = plan(read_rows(raw, CsvFormat.paper), CsvFormat.paper, None, TODAY)
    assert [(e["line"], list(e["fields"])) for e in result.errors] == [
        (2, ["consent"]), (3, ["row"])]


@pytest.mark.parametrize(("raw", "code"), [
    (b"", "csv_empty"),
    ("full_name\n".encode("utf-16"), "csv_encoding"),
    (b"full_name,date_of_birth\nAn,1985-03-14\n", "csv_columns"),
    (csv_bytes([*PAPER_HEADER, "religion"], []), "csv_columns"),
    (csv_bytes([*PAPER_HEADER, "full_name"], []), "csv_columns"),
    (b"\0" * 10, "csv_columns"),
])
def test_unreadable_files_are_refused_whole(raw: bytes, code: str) -> None:
    with pytest.raises(CsvProblem) as problem:
        read_rows(raw, CsvFormat.paper)
    assert problem.value.code == code


def test_too_many_rows_are_refused() -> None:
    raw = paper([row()] * (MAX_ROWS + 1))
    with pytest.raises(CsvProblem) as problem:
        read_rows(raw, CsvFormat.paper)
    assert problem.value.code == "csv_too_many_rows"


def test_a_manifest_row_travels_from_the_point_of_entry() -> None:
    header = ["full_name", "date_of_birth", "gender", "nationality", "passport", "seat",
              "destination_ward", "destination_address"]
    raw = csv_bytes(header, [
        {"full_name": "Kim Min-jun", "date_of_birth": "1990-02-02", "gender": "male",
         "nationality": "KR", "passport": "M12345678", "seat": "12A",
         "destination_ward": VUNG_TAU, "destination_address": "Khách sạn Biển Xanh"},
        {"full_name": "Sato Yui", "date_of_birth": "1992-05-05", "gender": "female",
         "nationality": "JP", "passport": "TK1234567", "seat": "12B", "destination_ward": ""},
    ])
    result = plan(read_rows(raw, CsvFormat.manifest), CsvFormat.manifest, FLIGHT, TODAY)
    [(line, passenger)] = result.forms
    assert line == 2 and passenger.trip.origin_ward == HOAN_KIEM
    assert passenger.trip.transport.number == "VN213" and passenger.trip.transport.seat == "12A"
    assert passenger.residence.current.ward_code == VUNG_TAU
    assert result.errors == [{"line": 3, "fields": {"destination_ward": [
        {"code": "ward_format", "message": result.errors[0]["fields"]["destination_ward"][0][
            "message"]}]}}]
