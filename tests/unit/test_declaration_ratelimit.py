"""The per-client token buckets of the anonymous routes, on a fake clock."""

from __future__ import annotations

from services.declaration.api.ratelimit import TokenBuckets


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_passes_then_the_client_waits_for_the_rate() -> None:
    clock = Clock()
    buckets = TokenBuckets(per_minute=6, burst=3, clock=clock)  # one token every 10 s
    assert [buckets.take("1.2.3.4") for _ in range(3)] == [0, 0, 0]
    assert buckets.take("1.2.3.4") == 10.0
    clock.now += 9.9
    assert 0 < buckets.take("1.2.3.4") < 0.2
    clock.now += 0.1
    assert buckets.take("1.2.3.4") == 0


def test_clients_have_buckets_of_their_own() -> None:
    buckets = TokenBuckets(per_minute=1, burst=1, clock=Clock())
    assert buckets.take("a") == 0
    assert buckets.take("a") > 0
    assert buckets.take("b") == 0


def test_a_refused_attempt_does_not_spend_a_token() -> None:
    clock = Clock()
    buckets = TokenBuckets(per_minute=60, burst=1, clock=clock)
    buckets.take("a")
    for _ in range(5):
        assert buckets.take("a") > 0
    clock.now += 1.0
    assert buckets.take("a") == 0


def test_the_table_of_clients_stays_bounded() -> None:
    buckets = TokenBuckets(per_minute=1, burst=1, max_clients=100, clock=Clock())
    for i in range(1000):
        buckets.take(f"10.0.{i // 256}.{i % 256}")
    assert len(buckets._buckets) == 100
    assert buckets.take("10.0.0.0") == 0  # forgotten long ago: a full bucket again
