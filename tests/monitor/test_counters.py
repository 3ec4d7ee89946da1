"""Counter arithmetic: wraps unwrapped, resets and restarts never become spikes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from netops.monitor.counters import Sample, counter_delta, rate, restarted, utilisation


def test_plain_increase() -> None:
    assert counter_delta(100, 350, 64) == 250
    assert rate(Sample(100, 10.0, 500), Sample(350, 12.0, 700), 64) == 125.0


def test_counter32_wrap_is_unwrapped() -> None:
    assert counter_delta(2**32 - 10, 5, 32) == 15
    assert rate(Sample(2**32 - 1000, 0.0, 100), Sample(249_000, 2.0, 300), 32) == 125_000


def test_counter64_going_down_is_a_reset_not_a_wrap() -> None:
    assert counter_delta(10**15, 5, 64) is None
    assert rate(Sample(10**15, 0.0, 100), Sample(5, 60.0, 6100), 64) is None


def test_restart_resets_baseline_even_when_counter_went_up() -> None:
    # after a reboot the counter may already be above the old value: still no rate
    assert restarted(90_000, 300)
    assert rate(Sample(1_000, 0.0, 90_000), Sample(5_000, 60.0, 300), 64) is None
    assert rate(Sample(2**32 - 5, 0.0, 90_000), Sample(10, 60.0, 300), 32) is None


def test_no_previous_sample_or_no_time_gives_no_rate() -> None:
    assert rate(None, Sample(5, 1.0), 64) is None
    assert rate(Sample(5, 1.0), Sample(9, 1.0), 64) is None


def test_missing_uptime_does_not_block_rates() -> None:
    assert rate(Sample(5, 0.0, None), Sample(9, 2.0, None), 64) == 2.0


def test_utilisation_is_the_busier_direction() -> None:
    assert utilisation(3e6, 1e6, 4e6) == 0.75
    assert utilisation(None, 1e6, 4e6) == 0.25
    assert utilisation(None, None, 4e6) is None
    assert utilisation(1e6, 1e6, None) is None


@given(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1))
def test_counter32_delta_is_never_negative_or_beyond_one_wrap(prev: int, inc: int) -> None:
    cur = (prev + inc) % 2**32
    assert counter_delta(prev, cur, 32) == inc


@given(st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1), st.floats(0.1, 1e4))
def test_rate_is_never_negative(prev: int, cur: int, dt: float) -> None:
    r = rate(Sample(prev, 0.0, 1), Sample(cur, dt, 2), 64)
    assert r is None or r >= 0
