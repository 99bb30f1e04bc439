"""The dashboard's use case against the fakes: each figure is a count of what the trace
stores (cases, orders, follow-ups, verdicts, passages, arrivals) per province and Viet
Nam day, passages per hour over the last 24 hours; nothing outside the window."""

from __future__ import annotations

from datetime import timedelta

from libs.contracts.events.trace import QuarantineReason
from libs.contracts.values import province_of_ward
from libs.contracts.vietnam_time import vn_day
from services.movement_trace.domain.arrivals import ArrivalSeen
from services.movement_trace.domain.dashboard import COUNTS, Tally, merge, tally, vn_hour
from services.movement_trace.domain.movements import Movement, MovementKind
from services.movement_trace.service.dashboard import Dashboard
from services.movement_trace.store.tallies import counted_only, decode, encode
from tests.unit.test_trace_service import NOW, Service, followup, recorded

MARKET_PROVINCE = province_of_ward("26506")
ROAD_PROVINCE = province_of_ward("00070")


def desk(service: Service) -> Dashboard:
    return Dashboard(service.cases, service.movements, service.arrivals, lambda: service.now)


def passage(n: int, hours_ago: float, kind: MovementKind = MovementKind.passed) -> Movement:
    return Movement(source_event_id=f"pass-{n}", subject_id=f"{n:064x}", kind=kind,
                    at=NOW - timedelta(hours=hours_ago), checkpoint_id="cp-road",
                    ward_code="00070", province_code=ROAD_PROVINCE, direction="through")


async def test_the_figures_count_what_the_stores_hold_per_province_and_day() -> None:
    service = Service()
    found = await recorded(service)
    proposal = await service.desk.confirm(found.case.subject_id, service.desk.today(), "epi-1")
    await service.desk.order_contacts(proposal.case, None, {}, service.terms())
    await service.desk.order_many(QuarantineReason.arrival, [found.stranger.declaration_id], [],
                                  None, service.terms())
    await service.recorder.record([followup(found.contact.subject_id, "q-1",
                                            NOW - timedelta(hours=1), symptoms=[])])
    service.arrivals.arrivals.update({
        "a-1": ArrivalSeen("a" * 64, "KR", None, service.desk.today(), "plane KE1", "00070",
                           "26506"),
        "a-2": ArrivalSeen("b" * 64, "JP", None, service.desk.today(), "plane JL1", "00070",
                           None)})
    await service.arrival_desk.mark("KR", "epi-1", "outbreak")

    figures = await desk(service).figures(3)

    today = service.desk.today()
    assert figures.days == [today - timedelta(days=2), today - timedelta(days=1), today]
    stored = list(service.movements.stored.values())
    expected = {"cases": 1, "quarantines": 2, "f1": 1, "followups": 1, "arrivals": 2,
                "arrivals_marked": 1,
                "verified": sum(m.kind == MovementKind.identity_verified for m in stored),
                "rejected": sum(m.kind == MovementKind.identity_rejected for m in stored),
                "passed": sum(m.kind == MovementKind.passed for m in stored),
                "refused": sum(m.kind == MovementKind.refused for m in stored)}
    assert {name: figures.total(name) for name in COUNTS} == expected
    assert expected["passed"] == 7 and expected["verified"] == 3  # 3 stays in and out, a road
    todays = {r.province_code: r for r in figures.rows if r.day == today}
    assert (todays[MARKET_PROVINCE].cases, todays[MARKET_PROVINCE].f1,
            todays[MARKET_PROVINCE].arrivals_marked) == (1, 1, 1)
    assert todays[ROAD_PROVINCE].arrivals == 1  # no destination: the entry ward's province


async def test_only_the_window_is_counted_and_passages_go_by_hour() -> None:
    service = Service()
    await service.movements.add_many([passage(1, 0.2), passage(2, 0.3), passage(3, 5),
                                      passage(4, 5, MovementKind.refused), passage(5, 30)])
    figures = await desk(service).figures(1)
    assert [r.day for r in figures.rows] == [vn_day(NOW)] * len(figures.rows)
    assert figures.total("passed") == sum(1 for h in (0.2, 0.3, 5) if
                                          vn_day(NOW - timedelta(hours=h)) == vn_day(NOW))
    assert len(figures.hours) == 24 and figures.hours[-1] == vn_hour(NOW)
    by_hour = {h.hour: (h.passed, h.refused) for h in figures.per_hour}
    assert by_hour[vn_hour(NOW - timedelta(hours=5))] == (1, 1)
    assert sum(p for p, _ in by_hour.values()) == 3  # 30 hours ago is outside the 24
    assert all(h.province_code == ROAD_PROVINCE for h in figures.per_hour)


async def test_every_answer_is_live_a_late_movement_of_an_older_day_included() -> None:
    service = Service()
    board = desk(service)
    await service.movements.add_many([passage(1, 48), passage(2, 0)])
    assert (await board.figures(7)).total("passed") == 2
    await service.movements.add_many([passage(3, 48), passage(4, 0)])  # one late, one now
    assert (await board.figures(7)).total("passed") == 4
    await service.movements.add_many([passage(3, 48)])  # redelivered: not counted again
    assert (await board.figures(7)).total("passed") == 4


def counted_movements() -> list[Movement]:
    """Passages and a verdict at two provinces and none, over two Viet Nam days."""
    found = [passage(n, n * 1.5, MovementKind.refused if n % 4 == 0 else MovementKind.passed)
             for n in range(1, 30)]
    found.append(Movement(source_event_id="v-1", subject_id="c" * 64, at=NOW,
                          kind=MovementKind.identity_verified, ward_code="26506"))
    found.append(Movement(source_event_id="v-2", subject_id="d" * 64, at=NOW,
                          kind=MovementKind.identity_rejected))  # names no ward
    found.append(Movement(source_event_id="d-1", subject_id="e" * 64, at=NOW,
                          kind=MovementKind.declared, ward_code="26506"))  # not counted
    return found


def test_day_tallies_add_up_to_the_tally_of_all_the_movements() -> None:
    movements = counted_movements()
    whole = tally(movements)
    parts = merge(tally(movements[:10]), tally(movements[10:]))
    assert parts == whole
    assert sum(t.rows[None, "rejected"] for t in whole.values()) == 1
    assert all(field != "declared" for t in whole.values() for _, field in t.rows)


def test_a_tally_survives_its_counter_document() -> None:
    """What the projection stores as a day document's `counts` reads back the same."""
    found = tally(counted_movements())
    assert len(found) >= 2  # 43.5 hours of passages: two or three Viet Nam days
    for day, counted in found.items():
        assert decode(day.isoformat(), encode(counted)) == counted
    assert decode("2026-12-07", None) == Tally()


def test_a_day_counts_nothing_only_when_every_count_is_zero() -> None:
    assert Tally().counts_nothing and decode("2026-12-07", None).counts_nothing
    zeros = Tally()
    zeros.rows[None, "passed"] = 0
    assert zeros.counts_nothing
    assert all(not counted.counts_nothing for counted in tally(counted_movements()).values())


def test_only_the_counted_kinds_are_counted_and_each_movement_once() -> None:
    movements = counted_movements()
    twice = counted_only([*movements, movements[0]])
    assert len(twice) == len(movements) - 1  # the declaration left out, the repeat too
