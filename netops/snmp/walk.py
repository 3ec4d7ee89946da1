"""Table walks in few round trips: several columns per GETBULK, parallel segments, remembered sizes.

A cold walk (first time for this device and column set) asks ``max_repetitions``
rows of up to ``max_varbinds // max_repetitions`` columns per request and walks
the column groups concurrently. Afterwards the row indices are remembered, so
the next walk asks for exactly rows + 1 (the extra one proves the end) — one
round trip for an IF-MIB poll — and when that is more than one response should
carry, it starts several segments at remembered row boundaries in parallel.
Every segment keeps walking if the table grew, and stops at the column's end,
so a changed table costs a round trip, never a wrong answer.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from netops.snmp import ber
from netops.snmp.api import SnmpError, SnmpTarget
from netops.snmp.ber import VarBind, decode_oid
from netops.snmp.engine import Engine, _oid_bytes

Columns = dict[str, dict[bytes, VarBind]]
"""column OID (dotted) -> {encoded row index -> varbind}."""


@dataclass
class _Segment:
    columns: list[bytes]
    start: bytes | None
    """Encoded index to start after (GETBULK is get-next), None = the column itself."""
    stop: tuple[int, ...] | None
    """Done once a column reaches this index (the next segment's start), None = the column's end."""
    reps: int


class Walker:
    """Walks tables through an :class:`Engine`, remembering each device's table rows between cycles."""

    def __init__(self, engine: Engine, max_remembered_rows: int = 100_000) -> None:
        self.engine = engine
        self.rows: dict[tuple[str, int, tuple[bytes, ...]], list[bytes]] = {}
        self.max_remembered_rows = max_remembered_rows
        self.round_trips = 0

    def plan(self, target: SnmpTarget, columns: list[bytes], max_repetitions: int) -> list[_Segment]:
        budget = max(1, target.max_varbinds)
        known = self.rows.get((target.host, target.port, tuple(columns)))
        if known is None:
            reps = max(1, min(max_repetitions, budget))
            per = max(1, budget // reps)
            return [_Segment(columns[i:i + per], None, None, reps) for i in range(0, len(columns), per)]
        need = len(known) + 1
        if need <= budget:
            per = max(1, budget // need)
            return [_Segment(columns[i:i + per], None, None, need) for i in range(0, len(columns), per)]
        segs = []
        for c in columns:
            for lo in range(0, len(known), budget):
                hi = lo + budget
                start = known[lo - 1] if lo else None
                last = hi >= len(known)
                stop = None if last else decode_oid_suffix(known[hi - 1])
                segs.append(_Segment([c], start, stop, (len(known) - lo + 1) if last else budget))
        return segs

    async def walk(self, target: SnmpTarget, columns: list[str], max_repetitions: int = 25) -> Columns:
        cols = [_oid_bytes(c) for c in columns]
        out: dict[bytes, dict[bytes, VarBind]] = {c: {} for c in cols}
        segs = self.plan(target, cols, max_repetitions)
        if len(segs) == 1:
            await self._segment(target, segs[0], out)
        else:
            await asyncio.gather(*(self._segment(target, s, out) for s in segs))
        self._remember(target, cols, out)
        return {name: out[c] for name, c in zip(columns, cols, strict=True)}

    def _remember(self, target: SnmpTarget, cols: list[bytes], out: dict[bytes, dict[bytes, VarBind]]) -> None:
        biggest = max(out.values(), key=len, default={})
        if not biggest or len(biggest) > self.max_remembered_rows:
            return
        self.rows[(target.host, target.port, tuple(cols))] = sorted(biggest, key=decode_oid_suffix)

    async def _segment(self, target: SnmpTarget, seg: _Segment, out: dict[bytes, dict[bytes, VarBind]]) -> None:
        cur = {c: c + (seg.start or b"") for c in seg.columns}
        active = list(seg.columns)
        end_tag = ber.END_OF_MIB_VIEW
        exceptions = ber.EXCEPTIONS
        while active:
            pdu = await self.engine.request(target, ber.GETBULK, [cur[c] for c in active], 0, seg.reps)
            self.round_trips += 1
            vbs = pdu.varbinds
            n = len(active)
            if not vbs:
                return
            still = []
            for j, c in enumerate(active):
                store = out[c]
                size = len(c)
                last = None
                finished = False
                for vb in vbs[j::n]:
                    o, tag, _ = vb
                    if tag == end_tag or len(o) == size or not o.startswith(c):
                        finished = True
                        break
                    if tag not in exceptions:
                        store[o[size:]] = vb
                    last = o
                if finished or last is None:
                    continue
                now = decode_oid_suffix(last[size:])
                before = cur[c][size:]
                if before and now <= decode_oid_suffix(before):
                    raise SnmpError("snmp", f"{target.where}: agent returned OIDs out of order in "
                                            f"{ber.oid_to_str(c)} (table walk would loop)")
                if seg.stop is not None and now >= seg.stop:
                    continue
                cur[c] = last
                still.append(c)
            active = still


def decode_oid_suffix(raw: bytes) -> tuple[int, ...]:
    """Arcs of an encoded row index (no first-byte 40*x+y packing: a suffix is plain base-128 arcs)."""
    arcs = []
    arc = 0
    for byte in raw:
        arc = (arc << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(arc)
            arc = 0
    return tuple(arcs)


_INDEX_TEXT: dict[bytes, str] = {}


def index_text(raw: bytes) -> str:
    """Encoded row index -> dotted text ("3", "1.4.127.0.0.1"), cached: the same few indices recur every cycle."""
    t = _INDEX_TEXT.get(raw)
    if t is None:
        t = ".".join(map(str, decode_oid_suffix(raw)))
        if len(_INDEX_TEXT) < 200_000:
            _INDEX_TEXT[raw] = t
    return t


__all__ = ["Walker", "Columns", "index_text", "decode_oid", "decode_oid_suffix"]
