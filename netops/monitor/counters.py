"""Counter deltas and rates: the arithmetic that must never produce a spike.

Plain functions over recorded values, so they are tested without a network.
Rules:
- a Counter32 that went down while the agent kept running wrapped at 2**32;
- a Counter64 that went down was reset (a 2**64 wrap does not happen in practice);
- sysUpTime going back means the agent or device restarted: every counter of
  that device is a new baseline, no rate for this interval;
- no previous sample, or no time elapsed: no rate (``None``), never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

WRAP32 = 2**32


@dataclass(frozen=True)
class Sample:
    value: int
    at: float
    """monotonic seconds when the reply arrived."""
    uptime: int | None = None
    """agent sysUpTime (centiseconds) in the same poll, if polled."""


def restarted(prev_uptime: int | None, cur_uptime: int | None) -> bool:
    """True when sysUpTime went back: the agent restarted (or its 497-day timer wrapped)."""
    return prev_uptime is not None and cur_uptime is not None and cur_uptime < prev_uptime


def counter_delta(prev: int, cur: int, bits: int, *, restart: bool = False) -> int | None:
    """Increase of a counter between two polls, or None when it cannot be known."""
    if restart:
        return None
    if cur >= prev:
        return cur - prev
    if bits == 32:
        return cur + WRAP32 - prev
    return None


def rate(prev: Sample | None, cur: Sample, bits: int) -> float | None:
    """Per-second increase between two samples of one counter."""
    if prev is None:
        return None
    elapsed = cur.at - prev.at
    if elapsed <= 0:
        return None
    delta = counter_delta(prev.value, cur.value, bits, restart=restarted(prev.uptime, cur.uptime))
    if delta is None:
        return None
    return delta / elapsed


def utilisation(in_bps: float | None, out_bps: float | None, capacity_bps: float | None) -> float | None:
    """Busier direction over the capacity (committed bandwidth, else interface speed)."""
    if not capacity_bps or capacity_bps <= 0:
        return None
    rates = [r for r in (in_bps, out_bps) if r is not None]
    if not rates:
        return None
    return max(rates) / capacity_bps
