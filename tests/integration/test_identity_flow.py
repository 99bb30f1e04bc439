"""identity-verification on the real Kafka and store: declarations in, verdicts out."""

from __future__ import annotations

import unicodedata
from typing import Any

from pymongo import AsyncMongoClient

from libs.contracts.envelope import parse_event
from libs.contracts.topics import DECLARATION_SUBMITTED, IDENTITY_REJECTED, IDENTITY_VERIFIED, dlq
from libs.contracts.values import subject_id_for
from libs.runtime.auth import Role
from libs.runtime.settings import DEV_SUBJECT_SECRET
from services.identity_verification.app import build
from services.identity_verification.domain.residents import Resident
from services.identity_verification.settings import Settings
from services.identity_verification.store.registry import RegistryStore
from tests.conftest import ServerSlice
from tests.support.apps import running
from tests.support.identity_verification_samples import declaration, population, read_verdicts, shifted
from tests.support.kafka import produce, read_topic
from tests.support.tokens import Bearer, bearer

RESIDENTS = 300


def settings(env: ServerSlice, **overrides: Any) -> Settings:
    return env.settings(Settings, registry_partitions=10, batch_timeout_ms=20, **overrides)


async def load(env: ServerSlice, rows: list[dict[str, Any]]) -> None:
    s = settings(env)
    async with AsyncMongoClient[dict[str, Any]](env.servers.mongo_url) as client:
        store = RegistryStore(client[s.mongo_db], s.registry_partitions)
        await store.open()
        await store.upsert_residents([Resident.model_validate(row) for row in rows])


async def verdicts(env: ServerSlice, expected: int, settle_s: float = 0.0) -> dict[str, Any]:
    """declaration_id -> verdict envelope, from both topics; fails on a second verdict.

    The relay publishes at least once, so a record may repeat, but only as the very same
    event (same event_id), which consumers drop."""
    found: dict[str, Any] = {}
    for record in await read_verdicts(env.servers.kafka_bootstrap, env.topics, expected,
                                      settle_s=settle_s):
        event = parse_event(record.value)
        seen = found.setdefault(event.payload.declaration_id, event)
        assert seen.event_id == event.event_id, "a second, different verdict"
        assert record.key.decode() == event.payload.subject_id
    assert len(found) == expected
    return found


def cases(rows: list[dict[str, Any]]) -> dict[str, tuple[Any, str, list[str]]]:
    """Case name -> (declaration, expected type, expected reasons or flags)."""
    four_words = next(r for r in rows if len(r["full_name"].split()) == 4)
    family, first, second, given = four_words["full_name"].split()
    with_cmnd = next(r for r in rows if "cmnd" in r)
    plain = [r for r in rows if r is not four_words and r is not with_cmnd]
    bare = unicodedata.normalize("NFD", plain[1]["full_name"].replace("đ", "d").replace("Đ", "D"))
    return {
        "exact": (declaration(plain[0], "d-exact"), IDENTITY_VERIFIED, []),
        "no_marks": (declaration(plain[1], "d-marks", full_name="".join(
            c for c in bare if not unicodedata.combining(c))), IDENTITY_VERIFIED,
            ["diacritics_only"]),
        "nfd_upper": (declaration(plain[2], "d-nfd", full_name=unicodedata.normalize(
            "NFD", plain[2]["full_name"].upper())), IDENTITY_VERIFIED, []),
        "swapped": (declaration(four_words, "d-swap", full_name=f"{family} {second} {first} "
                                f"{given}"), IDENTITY_VERIFIED, ["name_order"]),
        "cmnd": (declaration(with_cmnd, "d-cmnd", national_id=with_cmnd["cmnd"]),
                 IDENTITY_VERIFIED, ["cmnd_mapped"]),
        "dob": (declaration(plain[3], "d-dob", date_of_birth=shifted(plain[3]["date_of_birth"], 1)),
                IDENTITY_REJECTED, ["dob_mismatch"]),
        "name": (declaration(plain[4], "d-name", full_name="Hồ Xuân Hương Khác"),
                 IDENTITY_REJECTED, ["name_mismatch"]),
        "unknown": (declaration(plain[5], "d-unknown", national_id="001" + plain[5][
            "national_id"][3:6] + "000000"), IDENTITY_REJECTED, ["not_found"]),
        "format": (declaration(plain[6], "d-format", national_id="003" + plain[6][
            "national_id"][3:]), IDENTITY_REJECTED, ["id_format"]),
        "deceased": (declaration(plain[7], "d-dead"), IDENTITY_REJECTED, ["deceased"]),
    }


async def test_each_declaration_gets_its_verdict(env: ServerSlice) -> None:
    rows = population(RESIDENTS)
    table = cases(rows)
    dead = next(r for r in rows if r["national_id"] == table["deceased"][0].payload.person
                .national_id)
    await load(env, [{**r, "status": "deceased"} if r is dead else r for r in rows])
    async with running(build(settings(env))):
        await env.publish(*(event for event, _, _ in table.values()))
        found = await verdicts(env, len(table))
    for name, (event, topic, remarks) in table.items():
        verdict = found[event.payload.declaration_id]
        assert verdict.type == topic, name
        assert verdict.causation_id == event.event_id, name
        got = verdict.payload.flags if topic == IDENTITY_VERIFIED else verdict.payload.reasons
        assert [str(r) for r in got] == remarks, name
    exact_person = table["exact"][0].payload.person.national_id
    registered_ward = next(r for r in rows if r["national_id"] == exact_person)["permanent_ward"]
    assert found["d-exact"].payload.registered_permanent_ward == registered_ward
    cmnd = found["d-cmnd"].payload
    person = table["cmnd"][0].payload.person
    registered = next(r for r in rows if r.get("cmnd") == person.national_id)["national_id"]
    assert cmnd.registered_subject_id == subject_id_for(DEV_SUBJECT_SECRET.encode(), registered)


async def test_replay_and_redelivery_publish_nothing_new(env: ServerSlice) -> None:
    rows = population(40)
    await load(env, rows)
    events = [declaration(r, f"d-{i}") for i, r in enumerate(rows[:20])]
    async with running(build(settings(env))) as api:
        await env.publish(*events)
        first = await verdicts(env, len(events))
        await env.publish(events[0], events[5])
    # A fresh consumer group reads the whole topic again, duplicates included.
    async with running(build(settings(env, consumer_group_id=f"{env.prefix}replay"))) as api:
        admin = await api.get("/v1/stats", headers=_admin())
        again = await verdicts(env, len(events), settle_s=3.0)
        for event in events[:3]:
            stored = await api.get(f"/v1/verifications/{event.payload.declaration_id}",
                                   headers=_admin())
            assert stored.json()["outcome"] == first[event.payload.declaration_id].type \
                .split(".")[1]
    assert {k: v.event_id for k, v in again.items()} == {k: v.event_id for k, v in first.items()}
    outcomes = admin.json()["verifications"]["outcomes"]
    assert sum(outcomes.values()) == len(events)


async def test_poison_is_dead_lettered_and_the_batch_goes_on(env: ServerSlice) -> None:
    rows = population(5)
    await load(env, rows)
    async with running(build(settings(env))):
        topic = env.topics(DECLARATION_SUBMITTED)
        await produce(env.servers.kafka_bootstrap, [
            (topic, "x", b"{not json"), (topic, "x", declaration(rows[0], "d-good").to_bytes()),
            (topic, "x", b'{"type": "declaration.submitted"}')])
        found = await verdicts(env, 1)
        dead = await read_topic(env.servers.kafka_bootstrap,
                                env.topics(dlq(DECLARATION_SUBMITTED)), at_least=2)
    assert list(found) == ["d-good"]
    assert sorted(r.value for r in dead) == [b'{"type": "declaration.submitted"}', b"{not json"]
    assert all(dict(r.headers)["x-error"] for r in dead)


def _admin() -> Bearer:
    return bearer(Role.admin, who="admin-test")
