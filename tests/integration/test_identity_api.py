"""identity-verification HTTP: officer lookup, admin import and stats, on the real store."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from libs.runtime.auth import Role
from services.identity_verification.app import build
from services.identity_verification.settings import Settings
from tests.conftest import ServerSlice
from tests.support.apps import running
from tests.support.identity_verification_samples import population
from tests.support.tokens import bearer
from tests.support.tokens import citizen as citizen_token_of

ADMIN = bearer(Role.admin, who='admin-test')
OFFICER = bearer(Role.officer, ['cp-1'], who='officer-test')
NDJSON = {**ADMIN, "content-type": "application/x-ndjson"}


def ndjson(rows: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in rows)


def app(env: ServerSlice) -> Any:
    return build(env.settings(Settings, registry_partitions=10, import_batch=50))


async def test_import_reports_bad_rows_by_line_and_reimport_updates(env: ServerSlice) -> None:
    rows = population(120)
    bad = [
        b'{"national_id": "001085012345", "full_name": "Nguy\xe1\xbb\x85n", \n',  # cut JSON
        json.dumps({**rows[0], "date_of_birth": "1999-02-30"}).encode() + b"\n",
        json.dumps({**rows[1], "permanent_ward": "99999"}).encode() + b"\n",
        json.dumps({**rows[2], "national_id": "003" + rows[2]["national_id"][3:]}).encode() + b"\n",
        b"\xff\xfe not utf-8\n",
        json.dumps(rows[3]).encode() + b"\n",  # the same CCCD a second time
        b"[1, 2]\n",
    ]
    body = ndjson(rows[3:100]) + b"".join(bad)
    async with running(app(env)) as api:
        first = await api.post("/v1/residents/import", content=body, headers=NDJSON)
        changed = {**rows[4], "full_name": "Nguyễn Thị Đổi Tên"}
        again = await api.post("/v1/residents/import", headers=NDJSON,
                               content=ndjson([*rows[3:4], changed, *rows[100:120]]))
        stats = await api.get("/v1/stats", headers=ADMIN)
    assert first.status_code == 200, first.text
    report = first.json()
    assert (report["rows"], report["inserted"], report["rejected"]) == (104, 97, 7)
    errors = {e["line"]: e["code"] for e in report["errors"]}
    assert errors == {98: "malformed_json", 99: "invalid_row", 100: "invalid_row",
                      101: "invalid_row", 102: "not_utf8", 103: "duplicate_in_file",
                      104: "malformed_json"}
    fields = {e["line"]: e["fields"] for e in report["errors"]}
    assert list(fields[100]) == ["permanent_ward"]
    second = again.json()
    assert (second["inserted"], second["updated"], second["unchanged"]) == (20, 1, 1)
    assert stats.json()["residents"] == 117


async def test_csv_import_and_its_header(env: ServerSlice) -> None:
    rows = population(30)
    header = "national_id,full_name,date_of_birth,gender,permanent_ward,cmnd\n"
    lines = [f"{r['national_id']},{r['full_name']},{r['date_of_birth']},{r['gender']},"
             f"{r['permanent_ward']},{r.get('cmnd', '')}\n" for r in rows]
    lines.insert(5, "001085012345,too,few\n")
    csv_headers = {**ADMIN, "content-type": "text/csv; charset=utf-8"}
    async with running(app(env)) as api:
        ok = await api.post("/v1/residents/import", headers=csv_headers,
                            content=(header + "".join(lines)).encode())
        wrong = await api.post("/v1/residents/import", headers=csv_headers,
                               content=b"id,name\n1,2\n")
        with_cmnd = next(r for r in rows if "cmnd" in r)
        by_cmnd = await api.post("/v1/residents/lookup", headers=OFFICER,
                                 json={"national_id": with_cmnd["cmnd"]})
    assert ok.status_code == 200, ok.text
    assert (ok.json()["inserted"], ok.json()["errors"][0]["line"]) == (30, 7)
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "csv_header_invalid"
    assert by_cmnd.status_code == 200 and by_cmnd.json()["matched_by"] == "cmnd"
    assert by_cmnd.json()["national_id"] == with_cmnd["national_id"][:3] + "******" + \
        with_cmnd["national_id"][-3:]


async def test_lookup_is_masked_and_guarded(env: ServerSlice) -> None:
    resident = {"national_id": "001085012345", "full_name": "Nguyễn Văn An",
                "date_of_birth": "1985-03-14", "gender": "male", "permanent_ward": "00070"}
    citizen = citizen_token_of("d-1")
    async with running(app(env)) as api:
        await api.post("/v1/residents/import", headers=NDJSON, content=ndjson([resident]))
        async def lookup(national_id: str, headers: Mapping[str, str]) -> httpx.Response:
            return await api.post("/v1/residents/lookup", headers=headers,
                                  json={"national_id": national_id})

        found = await lookup("001 085 012 345", OFFICER)
        statuses = [(await lookup(number, headers)).status_code for number, headers in [
            ("001085012345", {}), ("001085012345", citizen), ("00108501234x", OFFICER),
            ("001085099999", OFFICER)]]
        statuses.append((await api.get("/v1/stats", headers=OFFICER)).status_code)
        invalid = await lookup("12345", OFFICER)
        # The number is no longer taken in a URL.
        in_path = await api.get("/v1/residents/001085012345", headers=OFFICER)
    assert found.status_code == 200, found.text
    assert found.json() == {"national_id": "001******345", "full_name": "Nguyễn V. A.",
                            "birth_year": 1985, "gender": "male", "permanent_ward": "00070",
                            "permanent_ward_name": "Phường Hoàn Kiếm", "status": "living",
                            "matched_by": "cccd"}
    # A citizen's token is the declaration service's alone: here it is nobody's (401).
    assert statuses == [401, 401, 422, 404, 403]
    assert in_path.status_code in (404, 405)
    assert invalid.json()["error"]["code"] == "national_id_invalid"
    assert set(invalid.json()["error"]["message"]) == {"vi", "en"}


async def test_import_refuses_what_it_cannot_read(env: ServerSlice) -> None:
    async with running(app(env)) as api:
        media = await api.post("/v1/residents/import", content=b"{}",
                               headers={**ADMIN, "content-type": "application/xml"})
        empty = await api.post("/v1/residents/import", content=b"\n\n", headers=NDJSON)
        huge = await api.post("/v1/residents/import", content=b"{}\n" * 400_000, headers=NDJSON)
        officer = await api.post("/v1/residents/import", content=b"{}\n",
                                 headers={**OFFICER, "content-type": "application/x-ndjson"})
        streamed = await api.post("/v1/residents/import", headers=NDJSON,
                                  content=_chunks([b'{"national_id": "0010850', b'12345", "full_',
                                                   b'name": "A", "date_of_birth": "1985-03-14", ',
                                                   b'"gender": "male", "permanent_ward": 70}']))
    assert (media.status_code, media.json()["error"]["code"]) == (415, "unsupported_media_type")
    assert (empty.status_code, empty.json()["error"]["code"]) == (422, "empty_import")
    assert (huge.status_code, huge.json()["error"]["code"]) == (413, "body_too_large")
    assert officer.status_code == 403
    assert streamed.status_code == 200 and streamed.json()["inserted"] == 1


async def _chunks(parts: list[bytes]) -> Any:
    for part in parts:
        yield part


async def test_page_script_and_event_docs_are_served(env: ServerSlice) -> None:
    async with running(app(env)) as api:
        page, script = await api.get("/"), await api.get("/static/app.js")
        spec = await api.get("/asyncapi.json")
    assert page.status_code == 200 and "Xác minh danh tính" in page.text
    assert script.status_code == 200 and "/v1/residents/lookup" in script.text
    assert f"{env.prefix}declaration.submitted" in spec.text
