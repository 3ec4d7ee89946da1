"""Huawei VRP: indented like IOS, ``undo`` to negate, ``#`` between sections, and lists of
members written ``10 20 30 to 35`` (``vlan batch``, ``port trunk allow-pass vlan``)."""

from __future__ import annotations

from netops.config.dialects.indented import Indented, _ranges


class Vrp(Indented):
    foreign = (
        (r"^/\S", "looks like a RouterOS export (use --platform mikrotik_routeros)"),
        (r"^(?:hostname|no|end)\b", "looks like IOS or FRR (use --platform cisco_ios or frr)"),
    )

    def parse_members(self, text: str) -> frozenset[int]:
        words = text.split()
        out: set[int] = set()
        i = 0
        while i < len(words):
            if not words[i].isdigit():
                i += 1
                continue
            lo = int(words[i])
            if i + 2 < len(words) and words[i + 1] == "to" and words[i + 2].isdigit():
                out.update(range(lo, int(words[i + 2]) + 1))
                i += 3
            else:
                out.add(lo)
                i += 1
        return frozenset(out)

    def format_members(self, members: frozenset[int]) -> str:
        return " ".join(f"{a} to {b}" if b > a else f"{a}" for a, b in _ranges(members))


DIALECT = Vrp()
