"""Every event of the catalogue survives a JSON round trip in its envelope."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from libs.contracts.envelope import Envelope, EventPayload, UnknownEvent, parse_event
from libs.contracts.events import ALL_PAYLOADS
from libs.contracts.topics import ALL_TOPICS, EVENT_TOPICS, Topics, dlq
from tests.support.samples import submitted_envelope

SUBJECT = "a" * 64
NOW = datetime(2026, 11, 27, 8, 30, tzinfo=UTC)
PASSAGE = {"passage_id": "p1", "declaration_id": "d1", "subject_id": SUBJECT,
           "checkpoint_id": "cp-1", "kind": "road", "ward_code": "00070", "direction": "in",
           "officer_id": "o1", "at": NOW, "vehicle_plate": "29A-123.45"}
SAMPLES: dict[str, dict[str, Any]] = {
    "declaration.submitted": submitted_envelope().payload.model_dump(),
    "identity.verified": {"declaration_id": "d1", "subject_id": SUBJECT,
                          "registered_permanent_ward": "00070"},
    "identity.rejected": {"declaration_id": "d1", "subject_id": SUBJECT, "reasons": ["not_found"]},
    "checkpoint.passed": PASSAGE,
    "checkpoint.refused": {**PASSAGE, "reason": "symptoms"},
    "zone.level_changed": {"ward_code": "00070", "level": 4, "effective_at": NOW, "set_by": "a"},
    "ward.notified": {"notification_id": "n1", "ward_code": "00070", "subject_id": SUBJECT,
                      "reason": "arriving", "declaration_id": "d1"},
    "followup.recorded": {"quarantine_id": "q1", "day": 3, "reached": True, "by": "w1",
                          "temperature_c": 37.2},
    "trace.accessed": {"who": "e1", "role": "epidemiologist", "purpose": "cluster 7",
                       "query": "timeline", "at": NOW},
    "case.confirmed": {"subject_id": SUBJECT, "positive_test_date": date(2026, 11, 20),
                       "confirmed_by": "e1"},
    "quarantine.ordered": {"quarantine_id": "q1", "subject_id": SUBJECT,
                           "start": date(2026, 11, 21), "end": date(2026, 12, 5),
                           "place": "home", "reason": "contact"},
    "quarantine.released": {"quarantine_id": "q1", "subject_id": SUBJECT, "at": NOW},
    "vehicle.declared": {"vehicle_declaration_id": "v1", "plate": "29C12345",
                         "vehicle_type": "refrigerated_truck", "cargo": "Rau quả",
                         "permit_number": "GL-2025-000123", "origin_ward": "00070",
                         "destination_ward": "26506", "depot": {"ward_code": "00070"},
                         "departure_date": date(2026, 11, 28), "valid_until": NOW,
                         "crew": [{"declaration_id": "d1", "subject_id": SUBJECT,
                                   "role": "driver"}]},
    "checkpoint.scanned": {"scan_id": "s1", "declaration_id": "d1", "subject_id": SUBJECT,
                           "checkpoint_id": "cp-1", "officer_id": "canbo.noibai", "at": NOW},
    "person.revealed": {"reveal_id": "r1", "subject_id": SUBJECT, "declaration_id": "d1",
                        "who": "phuong.vungtau", "role": "ward_official", "unit": "UBND",
                        "purpose": "gọi điện", "grounds": "ward 26506: arriving", "at": NOW},
    "arrival.registered": {"arrival_id": "a1", "declaration_id": "d1", "subject_id": SUBJECT,
                           "passport": "M12345678", "nationality": "KR",
                           "full_name": "KIM MIN JUN", "date_of_birth": date(1990, 5, 1),
                           "gender": "male", "country_of_departure": "KR",
                           "port_of_departure": "ICN", "arrival_date": date(2026, 11, 27),
                           "transport": {"mode": "plane", "number": "VN417", "seat": "12A"},
                           "entry_ward": "00070", "destination_ward": "26506"},
}


def test_every_event_topic_has_a_payload_and_a_dlq() -> None:
    assert {cls.TYPE for cls in ALL_PAYLOADS} == set(EVENT_TOPICS) == set(SAMPLES)
    assert set(ALL_TOPICS) == set(EVENT_TOPICS) | {dlq(t) for t in EVENT_TOPICS}
    assert Topics("t1.")("ward.notified") == "t1.ward.notified"


@pytest.mark.parametrize("cls", ALL_PAYLOADS, ids=lambda cls: cls.TYPE)
def test_round_trip(cls: type[EventPayload]) -> None:
    event = Envelope.wrap(cls.model_validate(SAMPLES[cls.TYPE]), producer="test",
                          correlation_id="req-1")
    back = parse_event(event.to_bytes())
    assert back == event
    assert type(back.payload) is cls
    assert back.type == cls.TYPE and back.version == cls.VERSION
    assert back.occurred_at.tzinfo is not None


def test_event_ids_are_unique_and_time_ordered() -> None:
    ids = [submitted_envelope().event_id for _ in range(50)]
    assert len(set(ids)) == 50 and ids == sorted(ids)


def test_parse_refuses_what_it_does_not_know() -> None:
    raw = submitted_envelope().to_bytes()
    with pytest.raises(UnknownEvent):
        parse_event(raw.replace(b'"version":1', b'"version":2'))
    with pytest.raises(UnknownEvent):
        parse_event(raw.replace(b'"type":"declaration.submitted"', b'"type":"x.y"'))
    with pytest.raises(UnknownEvent):
        parse_event(raw, expected_type="ward.notified")
    with pytest.raises(ValidationError):
        parse_event(b'{"type": "declaration.submitted", "version": 1, "payload": {}}')
    with pytest.raises(ValidationError):
        parse_event(b"\x00garbage")
