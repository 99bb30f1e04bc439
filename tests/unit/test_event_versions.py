"""Old event versions: stored envelopes keep decoding, upcasters compose, the rest is poison."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest
from faststream.kafka import TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from libs.contracts import envelope, upcasting
from libs.contracts.envelope import (
    Envelope,
    EventPayload,
    UnknownEvent,
    current_payload_class,
    parse_event,
    register,
)
from libs.contracts.events import ALL_PAYLOADS
from libs.contracts.topics import dlq
from libs.contracts.upcasting import JsonObject, upcaster
from libs.runtime.kafka import make_broker
from libs.runtime.settings import ServiceSettings
from libs.runtime.subscription import _parse, subscribe_all, subscribe_batches

SAMPLES = Path(__file__).parent / "event_samples"
SAMPLE_FILES = sorted(SAMPLES.glob("*.json"))


def _document(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_bytes())
    return document


def test_every_event_type_has_a_stored_sample() -> None:
    stored = {_document(path)["type"] for path in SAMPLE_FILES}
    assert stored == {cls.TYPE for cls in ALL_PAYLOADS}


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda path: path.stem)
def test_a_stored_sample_decodes_as_the_current_version(path: Path) -> None:
    raw = path.read_bytes()
    stored = _document(path)
    current = current_payload_class(stored["type"])

    event = parse_event(raw, expected_type=stored["type"])

    assert type(event.payload) is current
    assert event.version == current.VERSION
    assert event.event_id == stored["event_id"]
    assert event.correlation_id == stored["correlation_id"]
    if stored["version"] == current.VERSION:
        # Nothing was lost or changed: what was stored reads back as it was written;
        # fields added since take their defaults.
        assert _written(event.payload.model_dump(mode="json"), stored["payload"]) \
            == stored["payload"]


def _written(value: Any, like: Any) -> Any:
    """`value` cut down to the keys `like` has, at every depth."""
    if isinstance(value, dict) and isinstance(like, dict):
        return {key: _written(value[key], like[key]) for key in like if key in value}
    if isinstance(value, list) and isinstance(like, list) and len(value) == len(like):
        return [_written(item, pattern) for item, pattern in zip(value, like, strict=True)]
    return value


@pytest.mark.parametrize("version", [99, 2, 0, -1])
def test_a_version_no_upcaster_reaches_is_refused_as_before(version: int) -> None:
    # 2 and 99: newer than this code knows; 0 and -1: older than any upcaster.
    document = _document(SAMPLES / "declaration.submitted.json")
    document["version"] = version
    with pytest.raises(UnknownEvent, match="version"):
        parse_event(json.dumps(document))


# A test-only event whose payload changed twice:
#   v1 {"plate": "29a-123.45", "day": "2026-12-01"}
#   v2 the day became a moment (midnight in Viet Nam): "departs_at"
#   v3 the plate is normalised: no dashes, dots or spaces, upper case
class Widget(EventPayload):
    TYPE: ClassVar[str] = "test.widget"
    VERSION: ClassVar[int] = 3

    plate: str
    departs_at: datetime


def _day_to_moment(payload: JsonObject) -> JsonObject:
    day = payload.pop("day")
    return {**payload, "departs_at": f"{day}T00:00:00+07:00"}


def _normalised_plate(payload: JsonObject) -> JsonObject:
    plate = payload["plate"].upper().replace("-", "").replace(".", "").replace(" ", "")
    return {**payload, "plate": plate}


@pytest.fixture
def registries(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Registrations made by a test stay in that test."""
    monkeypatch.setattr(envelope, "_PAYLOADS", dict(envelope._PAYLOADS))
    monkeypatch.setattr(envelope, "_CURRENT", dict(envelope._CURRENT))
    monkeypatch.setattr(upcasting, "_UPCASTERS", dict(upcasting._UPCASTERS))
    yield


def _widget(version: int, payload: JsonObject) -> bytes:
    return json.dumps({"event_id": "w1", "type": Widget.TYPE, "version": version,
                       "occurred_at": "2026-11-27T08:30:00Z", "producer": "test",
                       "payload": payload}).encode()


V1 = {"plate": "29a-123.45", "day": "2026-12-01"}
V3_DEPARTS = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)


@pytest.mark.usefixtures("registries")
def test_upcasters_compose_from_v1_through_v2_to_v3() -> None:
    register(Widget)
    upcaster(Widget.TYPE, from_version=1)(_day_to_moment)
    upcaster(Widget.TYPE, from_version=2)(_normalised_plate)

    for version, payload in [(1, V1), (2, _day_to_moment(dict(V1))),
                             (3, {"plate": "29A12345", "departs_at": "2026-12-01T00:00+07:00"})]:
        event = parse_event(_widget(version, payload))
        assert event.version == 3 and isinstance(event.payload, Widget)
        assert event.payload == Widget(plate="29A12345", departs_at=V3_DEPARTS)

    # The consumers' decoder (libs/runtime/subscription) hands them the current version too.
    assert _parse(_widget(1, V1), Widget).payload.plate == "29A12345"


@pytest.mark.usefixtures("registries")
def test_a_gap_in_the_chain_or_a_step_that_cannot_read_is_poison() -> None:
    register(Widget)
    upcaster(Widget.TYPE, from_version=2)(_normalised_plate)
    with pytest.raises(UnknownEvent, match=r"no upcaster from 'test\.widget' version 1"):
        parse_event(_widget(1, V1))

    upcaster(Widget.TYPE, from_version=1)(_day_to_moment)
    with pytest.raises(UnknownEvent, match="could not be upcast"):
        parse_event(_widget(1, {"plate": "29a-123.45"}))  # a v1 without its day
    with pytest.raises(UnknownEvent, match="not an object"):
        parse_event(_widget(1, [V1]))  # type: ignore[arg-type]


@pytest.mark.usefixtures("registries")
def test_one_step_per_version() -> None:
    upcaster(Widget.TYPE, from_version=1)(_day_to_moment)
    with pytest.raises(ValueError, match="exists already"):
        upcaster(Widget.TYPE, from_version=1)(_day_to_moment)


def test_a_current_event_is_not_touched_by_the_upcasting_path() -> None:
    event = Envelope.wrap(ALL_PAYLOADS[0].model_validate(
        _document(SAMPLES / "declaration.submitted.json")["payload"]), producer="test")
    assert parse_event(event.to_bytes()) == event


# -- through a consumer: FastStream's in-memory broker and the shared subscriptions ----------

@pytest.mark.usefixtures("registries")
async def test_a_consumer_receives_an_old_version_upcast_and_a_newer_one_is_dead_lettered(
) -> None:
    register(Widget)
    upcaster(Widget.TYPE, from_version=1)(_day_to_moment)
    upcaster(Widget.TYPE, from_version=2)(_normalised_plate)
    settings = ServiceSettings()
    broker = make_broker(settings)
    one: list[Envelope[Any]] = []
    batched: list[Envelope[Any]] = []
    dead: list[bytes] = []

    async def handle(event: Envelope[Any]) -> None:
        one.append(event)

    async def handle_batch(events: list[Envelope[Any]]) -> None:
        batched.extend(events)

    settings_b = settings.model_copy(update={"topic_prefix": "b."})
    subscribe_all(broker, settings, {Widget: handle})
    subscribe_batches(broker, settings_b, [Widget], handle_batch, max_records=10,
                      timeout_ms=10)

    @broker.subscriber(dlq(Widget.TYPE), dlq("b." + Widget.TYPE))
    async def dead_letters(body: Any, message: KafkaMessage) -> None:
        dead.append(message.body)

    async with TestKafkaBroker(broker, connect_only=False) as test_broker:
        for topic in (Widget.TYPE, "b." + Widget.TYPE):
            await test_broker.publish(_widget(1, V1), topic=topic)
            await test_broker.publish(_widget(4, V1), topic=topic)

    expected = Widget(plate="29A12345", departs_at=V3_DEPARTS)
    assert [(e.version, e.payload) for e in one] == [(3, expected)]
    assert [(e.version, e.payload) for e in batched] == [(3, expected)]
    assert dead == [_widget(4, V1)] * 2
