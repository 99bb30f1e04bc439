"""Officers on the real servers: paper forms typed in, CSV imports and their re-upload."""

from __future__ import annotations

import pytest

from libs.contracts.topics import DECLARATION_SUBMITTED
from tests.conftest import ServerSlice
from tests.support.declaration_kit import bearer, declaration_service, events_on
from tests.support.declaration_samples import (
    HOAN_KIEM,
    OFFICER,
    PAPER_HEADER,
    VUNG_TAU,
    csv_bytes,
    day,
    form,
    paper_row,
)

pytestmark = pytest.mark.calendar  # "today" is in it: `make test-clock` runs it at 20:00 UTC too

CSV = {"content-type": "text/csv; charset=utf-8", **OFFICER}


async def test_a_paper_form_records_the_officer_and_is_not_entered_twice(
        env: ServerSlice) -> None:
    paper = form(person__phone=None)
    async with declaration_service(env) as api:
        first = await api.post("/v1/declarations/paper", json=paper, headers=OFFICER)
        again = await api.post("/v1/declarations/paper", json=paper, headers=OFFICER)
        citizen = await api.post("/v1/declarations/paper", json=paper,
                                 headers=bearer(first.json()["access_token"]))
        anonymous = await api.post("/v1/declarations/paper", json=paper)
        published = await events_on(env, DECLARATION_SUBMITTED)

    assert first.status_code == again.status_code == 201
    assert first.json()["duplicate"] is False and again.json()["duplicate"] is True
    assert again.json()["declaration_id"] == first.json()["declaration_id"]
    assert (citizen.status_code, anonymous.status_code) == (403, 401)
    [(_, event)] = published
    assert event.payload.channel == "paper" and event.payload.entered_by == "officer-7"


async def test_an_import_takes_good_rows_reports_bad_ones_and_ignores_a_reupload(
        env: ServerSlice) -> None:
    rows = [paper_row(), paper_row("001185012345", "Trần Thị Bình", gender="nữ"),
            paper_row("0010850123", "Lê Văn C"),  # 10 digits: neither CCCD nor CMND
            paper_row("079090000123", "Phạm Minh D", date_of_birth="1990-01-01",
                      departure_date=day(20)),
            paper_row("079190000456", "Võ Thị E", gender="nữ", date_of_birth="1990-07-07",
                      destination_ward="00000")]
    upload = csv_bytes(PAPER_HEADER, rows, bom=True)
    async with declaration_service(env) as api:
        report = (await api.post("/v1/declarations/import", content=upload, headers=CSV)).json()
        again = (await api.post("/v1/declarations/import", content=upload, headers=CSV)).json()
        one_fixed = csv_bytes(PAPER_HEADER, [*rows[:2], paper_row("001085099999", "Lê Văn C")])
        third = (await api.post("/v1/declarations/import", content=one_fixed,
                                headers=CSV)).json()
        published = await events_on(env, DECLARATION_SUBMITTED, at_least=3, settle_s=2.0)

    assert (report["rows"], report["created"], report["duplicates"], report["rejected"]) == \
        (5, 2, 0, 3)
    assert [r["line"] for r in report["declarations"]] == [2, 3]
    assert [(e["line"], sorted(e["fields"])) for e in report["errors"]] == [
        (4, ["national_id"]), (5, ["departure_date"]), (6, ["destination_ward"])]
    assert report["errors"][1]["fields"]["departure_date"][0]["code"] == "departure_too_far"
    assert (again["created"], again["duplicates"]) == (0, 2)
    assert [r["declaration_id"] for r in again["declarations"]] == \
        [r["declaration_id"] for r in report["declarations"]]
    assert (third["created"], third["duplicates"]) == (1, 2)
    assert len(published) == 3  # three people, however many uploads
    assert {e.payload.channel for _, e in published} == {"import"}


async def test_an_arrivals_manifest_declares_each_passenger(env: ServerSlice) -> None:
    header = ["full_name", "date_of_birth", "gender", "nationality", "passport", "national_id",
              "seat", "destination_ward", "destination_address"]
    passengers = [
        {"full_name": "Kim Min-jun", "date_of_birth": "1990-02-02", "gender": "male",
         "nationality": "KR", "passport": "M12345678", "seat": "12A",
         "destination_ward": VUNG_TAU, "destination_address": "Khách sạn Biển Xanh"},
        {"full_name": "Đỗ Hoàng Nam", "date_of_birth": "1988-08-08", "gender": "male",
         "nationality": "VN", "national_id": "001088012345", "seat": "12B",
         "destination_ward": HOAN_KIEM},
        {"full_name": "Sato Yui", "date_of_birth": "1992-05-05", "gender": "female",
         "nationality": "JP", "passport": "x", "seat": "12C", "destination_ward": VUNG_TAU},
    ]
    flight = {"format": "manifest", "mode": "plane", "number": "VN 213",
              "arrival_date": day(0), "entry_ward": HOAN_KIEM, "country_of_departure": "KR"}
    async with declaration_service(env) as api:
        report = await api.post("/v1/declarations/import", params=flight, headers=CSV,
                                content=csv_bytes(header, passengers))
        no_flight = await api.post("/v1/declarations/import", headers=CSV,
                                   params={**flight, "number": "", "entry_ward": "1"},
                                   content=csv_bytes(header, passengers))
        published = await events_on(env, DECLARATION_SUBMITTED, at_least=2)

    assert report.status_code == 200, report.text
    assert (report.json()["created"], report.json()["rejected"]) == (2, 1)
    assert report.json()["errors"][0]["fields"]["passport"][0]["code"] == "passport_format"
    assert no_flight.status_code == 422
    assert set(no_flight.json()["error"]["fields"]) == {"number", "entry_ward"}
    trips = {e.payload.person.full_name: e.payload.trip for _, e in published}
    assert set(trips) == {"Kim Min-jun", "Đỗ Hoàng Nam"}
    assert trips["Kim Min-jun"].transport.number == "VN213"
    assert trips["Kim Min-jun"].origin_ward == HOAN_KIEM


async def test_a_file_that_is_not_the_expected_csv_is_refused_whole(env: ServerSlice) -> None:
    async with declaration_service(env) as api:
        latin1 = await api.post("/v1/declarations/import", headers=CSV,
                                content="full_name\nNguyễn\n".encode("utf-16"))
        columns = await api.post("/v1/declarations/import", headers=CSV,
                                 content=b"name,dob\nAn,1985-03-14\n")
        unknown_format = await api.post("/v1/declarations/import", headers=CSV,
                                        params={"format": "excel"}, content=b"a\n")
        citizen = await api.post("/v1/declarations/import", content=b"a\n",
                                 headers={"content-type": "text/csv"})
    assert latin1.status_code == 400 and latin1.json()["error"]["code"] == "csv_encoding"
    assert columns.status_code == 400 and columns.json()["error"]["code"] == "csv_columns"
    assert "full_name" in columns.json()["error"]["fields"]["columns"]
    assert unknown_format.status_code == 422
    assert citizen.status_code == 401
