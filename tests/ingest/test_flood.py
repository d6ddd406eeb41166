"""Flood control: a token bucket per client address."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from touchline.ingest.flood import FloodControl


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_of_twice_the_rate_is_admitted_then_refused() -> None:
    clock = FakeClock()
    flood = FloodControl(rate_per_second=10, clock=clock)
    assert all(flood.admit("1.2.3.4") == 0.0 for _ in range(20))
    wait = flood.admit("1.2.3.4")
    assert wait > 0
    assert flood.retry_after_seconds(wait) == 1


def test_tokens_refill_with_time() -> None:
    clock = FakeClock()
    flood = FloodControl(rate_per_second=10, clock=clock)
    for _ in range(20):
        flood.admit("a")
    assert flood.admit("a") > 0
    clock.now += 0.1  # one token at 10/s
    assert flood.admit("a") == 0.0
    assert flood.admit("a") > 0


def test_clients_have_separate_buckets() -> None:
    clock = FakeClock()
    flood = FloodControl(rate_per_second=1, clock=clock)
    assert flood.admit("a") == 0.0
    assert flood.admit("a") == 0.0
    assert flood.admit("a") > 0
    assert flood.admit("b") == 0.0


def test_retry_after_is_whole_seconds_and_at_least_one() -> None:
    flood = FloodControl(rate_per_second=0.25, clock=FakeClock())
    assert flood.retry_after_seconds(0.01) == 1
    assert flood.retry_after_seconds(3.2) == 4


def test_the_wait_says_when_a_token_frees() -> None:
    clock = FakeClock()
    flood = FloodControl(rate_per_second=0.5, burst=1, clock=clock)
    assert flood.admit("a") == 0.0
    wait = flood.admit("a")
    assert wait == 2.0
    clock.now += wait
    assert flood.admit("a") == 0.0


def test_a_rate_of_zero_turns_flood_control_off() -> None:
    flood = FloodControl(rate_per_second=0, clock=FakeClock())
    assert not flood.enabled
    assert all(flood.admit("a") == 0.0 for _ in range(10_000))


def test_the_client_table_stays_bounded_and_forgets_idle_clients_first() -> None:
    clock = FakeClock()
    flood = FloodControl(rate_per_second=1, max_clients=100, clock=clock)
    for n in range(100):
        flood.admit(f"idle-{n}")
    clock.now += 10  # every bucket has refilled: nothing to remember
    flood.admit("busy")
    flood.admit("busy")
    assert len(flood) == 1
    for n in range(500):
        flood.admit(f"new-{n}")
    assert len(flood) <= 100


@given(
    rate=st.integers(min_value=1, max_value=50),
    gaps=st.lists(st.floats(min_value=0, max_value=0.5), min_size=1, max_size=300),
)
def test_never_admits_more_than_the_burst_plus_the_refill(rate: int, gaps: list[float]) -> None:
    clock = FakeClock()
    flood = FloodControl(rate_per_second=rate, clock=clock)
    start = clock.now
    admitted = 0
    for gap in gaps:
        clock.now += gap
        admitted += flood.admit("a") == 0.0
    assert admitted <= 2 * rate + (clock.now - start) * rate + 1e-9


@given(rate=st.integers(min_value=1, max_value=50), requests=st.integers(1, 200))
def test_a_client_within_its_rate_is_never_refused(rate: int, requests: int) -> None:
    clock = FakeClock()
    flood = FloodControl(rate_per_second=rate, clock=clock)
    for _ in range(requests):
        assert flood.admit("a") == 0.0
        clock.now += 1.0 / rate
