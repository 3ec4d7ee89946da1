"""Consistent shard assignment, offered to the monitor's ``--shard I/N``.

``sha1(name) mod N`` (what the monitor uses today) is stable and even, but
going from N to N+1 pollers moves ~N/(N+1) of the devices: every poller loses
its remembered table sizes and counter baselines at once. Jump consistent
hashing (Lamping & Veach, 2014) is as even and moves only ~1/(N+1).
"""

from __future__ import annotations

import hashlib


def jump_shard(name: str, shards: int) -> int:
    """Shard in [0, shards) for a device name; N -> N+1 moves only the devices the new shard takes."""
    if shards < 1:
        raise ValueError("shards must be >= 1")
    key = int.from_bytes(hashlib.sha1(name.encode("utf-8")).digest()[:8], "big")
    b, j = -1, 0
    while j < shards:
        b = j
        key = (key * 2862933555777941757 + 1) & 0xFFFFFFFFFFFFFFFF
        j = int((b + 1) * ((1 << 31) / ((key >> 33) + 1)))
    return b
