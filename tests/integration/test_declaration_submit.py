"""Submitting declarations on the real Kafka and FerretDB: events, families, errors, limits."""

from __future__ import annotations

import asyncio
import unicodedata
import uuid

import httpx
import pytest

from libs.contracts.topics import DECLARATION_SUBMITTED
from libs.contracts.values import subject_id_for
from libs.runtime.settings import DEV_SUBJECT_SECRET
from services.declaration.domain.declarations import keyed_id
from tests.conftest import ServerSlice
from tests.support.declaration_kit import bearer, declaration_service, events_on
from tests.support.declaration_samples import ADMIN, OFFICER, child, form

pytestmark = pytest.mark.calendar  # "today" is in it: `make test-clock` runs it at 20:00 UTC too


async def test_a_submission_is_published_once_keyed_by_subject(env: ServerSlice) -> None:
    nfd_name = unicodedata.normalize("NFD", "Nguyễn Văn An")
    async with declaration_service(env) as api:
        response = await api.post("/v1/declarations", json=form(person__full_name=nfd_name))
        assert response.status_code == 201, response.text
        answer = response.json()
        published = await events_on(env, DECLARATION_SUBMITTED)

    assert answer["status"] == "pending" and answer["dependants"] == []
    assert answer["qr"]["png"] == f"/v1/declarations/{answer['declaration_id']}/qr.png"
    [(key, event)] = published
    subject = subject_id_for(DEV_SUBJECT_SECRET.encode(), "001085012345")
    assert key == subject == event.payload.subject_id
    assert event.type == DECLARATION_SUBMITTED and event.producer == "declaration"
    assert event.version == 1 and event.correlation_id == response.headers["x-correlation-id"]
    assert event.payload.declaration_id == answer["declaration_id"]
    assert event.payload.person.full_name == "Nguyễn Văn An"  # stored and published as NFC
    assert event.payload.channel == "web" and event.payload.entered_by is None


async def test_a_family_gets_a_declaration_and_token_each(env: ServerSlice) -> None:
    daughter = child("001315009876", "Nguyễn Thu Hà", "female")
    async with declaration_service(env) as api:
        answer = (await api.post("/v1/declarations",
                                 json=form(dependants=[child(), daughter]))).json()
        people = [answer, *answer["dependants"]]
        views = [await api.get(f"/v1/declarations/{p['declaration_id']}",
                               headers=bearer(p["access_token"])) for p in people]
        crossed = await api.get(f"/v1/declarations/{people[1]['declaration_id']}",
                                headers=bearer(people[2]["access_token"]))
        published = await events_on(env, DECLARATION_SUBMITTED, at_least=3)

    assert [p["full_name"] for p in people] == ["Nguyễn Văn An", "Nguyễn Minh Khôi",
                                                 "Nguyễn Thu Hà"]
    assert [v.status_code for v in views] == [200, 200, 200]
    assert crossed.status_code == 403 and crossed.json()["error"]["code"] == "forbidden"
    assert sorted(e.payload.declaration_id for _, e in published) == sorted(
        p["declaration_id"] for p in people)
    assert len({key for key, _ in published}) == 3


async def test_who_may_read_a_declaration(env: ServerSlice) -> None:
    async with declaration_service(env) as api:
        answer = (await api.post("/v1/declarations", json=form())).json()
        path = f"/v1/declarations/{answer['declaration_id']}"
        token = answer["access_token"]
        tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        results = {
            "citizen": await api.get(path, headers=bearer(token)),
            "officer": await api.get(path, headers=OFFICER),
            "admin": await api.get(path, headers=ADMIN),
            "anonymous": await api.get(path),
            "tampered": await api.get(path, headers=bearer(tampered)),
            "garbage": await api.get(path, headers=bearer("not.a.jwt")),
            "unknown": await api.get("/v1/declarations/0198c1d2-0000-7000-8000-000000000000",
                                     headers=ADMIN),
        }
    status = {who: r.status_code for who, r in results.items()}
    assert status == {"citizen": 200, "officer": 200, "admin": 200, "anonymous": 401,
                      "tampered": 401, "garbage": 401, "unknown": 404}
    citizen, officer = results["citizen"].json(), results["officer"].json()
    assert citizen["full_name"] == "Nguyễn Văn An" and officer["full_name"] == "Nguyễn V. A."
    assert citizen["document"] == officer["document"] == "001******345"
    assert citizen["status"] == "pending" and citizen["origin"]["ward_name"] == "Phường Hoàn Kiếm"
    assert results["tampered"].json()["error"]["code"] == "token_invalid"


async def test_every_field_error_comes_back_at_once_in_both_languages(env: ServerSlice) -> None:
    bad = form(person__full_name="An 2", person__gender="female", trip__origin_ward="99999",
               trip__departure_date="2000-01-01", consent=False, health__vaccination_doses="x")
    async with declaration_service(env) as api:
        response = await api.post("/v1/declarations", json=bad)
        published = await events_on(env, DECLARATION_SUBMITTED, at_least=0)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input" and error["message"]["vi"] and error["message"]["en"]
    assert {path: [e["code"] for e in errs] for path, errs in error["fields"].items()} == {
        "person.full_name": ["name_letters"], "person.national_id": ["cccd_gender"],
        "trip.origin_ward": ["ward_unknown"], "trip.departure_date": ["departure_past"],
        "consent": ["consent_required"], "health.vaccination_doses": ["int_parsing"]}
    for errs in error["fields"].values():
        assert all(e["message"]["vi"] != e["message"]["en"] for e in errs)
    assert published == []


async def test_ugly_bodies_get_clear_4xx(env: ServerSlice) -> None:
    async with declaration_service(env) as api:
        malformed = await api.post("/v1/declarations", content=b'{"person": {',
                                   headers={"content-type": "application/json"})
        not_an_object = await api.post("/v1/declarations", json=[1, 2, 3])
        huge = await api.post("/v1/declarations", content=b"x" * (1024 * 1024 + 1),
                              headers={"content-type": "application/json"})
        null_bytes = await api.post("/v1/declarations", json=form(person__full_name="An\u0000"))
        wrong_types = await api.post("/v1/declarations", json=form(person=["a"], trip=5))
    assert malformed.status_code == 400
    assert malformed.json()["error"]["code"] == "malformed_json"
    assert not_an_object.status_code == 422
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "body_too_large"
    assert null_bytes.status_code == 422
    assert null_bytes.json()["error"]["fields"]["person.full_name"][0]["code"] == "name_letters"
    assert set(wrong_types.json()["error"]["fields"]) == {"person", "trip"}


async def test_anonymous_submissions_are_rate_limited_per_client(env: ServerSlice) -> None:
    async with declaration_service(env, rate_per_minute=1, rate_burst=2) as api:
        statuses = [(await api.post("/v1/declarations", json=form())).status_code
                    for _ in range(2)]
        limited = await api.post("/v1/declarations", json=form())
        # X-Forwarded-For is not trusted unless configured: no way around the limit.
        spoofed = await api.post("/v1/declarations", json=form(),
                                 headers={"x-forwarded-for": "203.0.113.9"})
        officer = await api.post("/v1/declarations/paper", json=form(), headers=OFFICER)
    assert statuses == [201, 201]
    assert limited.status_code == 429 and spoofed.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["retry-after"]) >= 1
    assert officer.status_code == 201  # officers' routes are authenticated, not throttled


async def test_a_retry_with_its_idempotency_key_gets_the_same_declarations(
        env: ServerSlice) -> None:
    key = {"idempotency-key": uuid.uuid4().hex}
    family = form(dependants=[child()])
    daughter = child("001315009876", "Nguyễn Thu Hà", "female")
    # The retry spells the name in NFD: the validated form is what must match.
    retried = form(person__full_name=unicodedata.normalize("NFD", "Nguyễn Văn An"),
                   dependants=[child()])
    async with declaration_service(env) as api:
        first = await api.post("/v1/declarations", json=family, headers=key)
        again, racing = await asyncio.gather(
            api.post("/v1/declarations", json=retried, headers=key),
            api.post("/v1/declarations", json=family, headers=key))
        larger = await api.post("/v1/declarations", headers=key,
                                json=form(dependants=[child(), daughter]))
        third = keyed_id(key["idempotency-key"], 2)
        third_stored = await api.get(f"/v1/declarations/{third}", headers=ADMIN)
        published = await events_on(env, DECLARATION_SUBMITTED, at_least=2, settle_s=2.0)

    def ids(response: httpx.Response) -> list[str]:
        answer = response.json()
        return [answer["declaration_id"], *(d["declaration_id"] for d in answer["dependants"])]

    assert [r.status_code for r in (first, again, racing)] == [201, 201, 201]
    assert "idempotent-replayed" not in first.headers
    assert again.headers["idempotent-replayed"] == "true"
    assert ids(first) == ids(again) == ids(racing)
    assert sorted(e.payload.declaration_id for _, e in published) == sorted(ids(first))
    # The same key with another form is refused, and none of that form is stored.
    assert larger.status_code == 422
    assert larger.json()["error"]["code"] == "idempotency_key_reused"
    assert third_stored.status_code == 404


async def test_a_submission_without_a_key_is_new_each_time_and_bad_keys_are_refused(
        env: ServerSlice) -> None:
    async with declaration_service(env) as api:
        twice = [await api.post("/v1/declarations", json=form()) for _ in range(2)]
        short = await api.post("/v1/declarations", json=form(),
                               headers={"idempotency-key": "abc"})
        odd = await api.post("/v1/declarations", json=form(),
                             headers={"idempotency-key": "a" * 20 + "/../" + "b" * 20})
    assert twice[0].json()["declaration_id"] != twice[1].json()["declaration_id"]
    for refused in (short, odd):
        assert refused.status_code == 422
        fields = refused.json()["error"]["fields"]
        assert fields["Idempotency-Key"][0]["code"] == "string_pattern_mismatch"
