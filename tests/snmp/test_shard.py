"""Jump consistent hashing: even, stable, and N -> N+1 moves only what the new shard takes."""

from __future__ import annotations

from collections import Counter

import pytest

from netops.snmp.shard import jump_shard

NAMES = [f"desa-{i:05d}-rtr" for i in range(20000)]


@pytest.mark.parametrize("n", [1, 2, 4, 5, 16])
def test_even_and_in_range(n: int) -> None:
    counts = Counter(jump_shard(x, n) for x in NAMES)
    assert set(counts) == set(range(n))
    mean = len(NAMES) / n
    assert max(abs(c - mean) for c in counts.values()) < 0.06 * mean


def test_growing_moves_only_to_the_new_shard() -> None:
    for n in (4, 5, 9):
        moved = [x for x in NAMES if jump_shard(x, n) != jump_shard(x, n + 1)]
        assert all(jump_shard(x, n + 1) == n for x in moved)
        assert abs(len(moved) / len(NAMES) - 1 / (n + 1)) < 0.02


def test_stable_values() -> None:
    """Pinned: every machine and release must agree on the owner of a device."""
    assert [jump_shard(x, 4) for x in ("a", "desa-kubu-01", "opd-dinkes")] == [3, 3, 2]
    assert [jump_shard(x, 1000) for x in ("a", "desa-kubu-01")] == [179, 868]
    with pytest.raises(ValueError):
        jump_shard("x", 0)
