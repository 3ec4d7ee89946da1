"""Table walks in few round trips: several columns per GETBULK, parallel segments, remembered sizes.

A cold walk (first time for this device and column set) asks ``max_repetitions``
rows of up to ``max_varbinds // max_repetitions`` columns per request and walks
the column groups concurrently. Afterwards the row indices are remembered, so
the next walk asks for exactly rows + 1 (the extra one proves the end) — one
round trip for an IF-MIB poll — and when that is more than one response should
carry, it starts several segments at remembered row boundaries in parallel.
Every segment keeps walking if the table grew, and stops at the column's end,
so a changed table costs a round trip, never a wrong answer.

Reply sizing: for a target with ``max_reply_bytes`` (a VSAT or other small-MTU,
lossy path) the varbind budget per request comes from the bytes per varbind this
device's replies really took (learnt from every reply, a conservative prior
before the first), so each reply fits one packet: a reply of seven IP fragments
is lost when any one of them is. Once the rows are known, requests keep several columns each; rows
that do not fit one reply are split at remembered row boundaries and fetched
in parallel, so a small packet costs more requests, not more round trips. A
cold walk (rows unknown) asks one column per request with as many rows as fit,
all columns at once: the fewest sequential round trips.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from netops.snmp import ber
from netops.snmp.api import SnmpError, SnmpTarget
from netops.snmp.ber import WalkedColumn, decode_oid
from netops.snmp.engine import Engine, _oid_bytes

Columns = dict[str, WalkedColumn]
"""column OID (dotted) -> {encoded row index -> value} (:class:`netops.snmp.ber.WalkedColumn`: ints for the
number types, ``(tag, value)`` for the others)."""


@dataclass
class _Segment:
    columns: list[bytes]
    start: bytes | None
    """Encoded index to start after (GETBULK is get-next), None = the column itself."""
    stop: tuple[int, ...] | None
    """Done once a column reaches this index (the next segment's start), None = the column's end."""
    reps: int
    cold: bool = False
    """Rows unknown: after each reply of a sized walk, ask as many rows as the bytes seen so far allow."""

PRIOR_VARBIND_BYTES = 80
"""Bytes per varbind assumed before a device has answered (IF-MIB counters take ~30, short strings ~50-80)."""


MARGIN = 1.1
"""Headroom over the learnt bytes per varbind (string values differ from row to row)."""


def header_bytes(target: SnmpTarget) -> tuple[int, int]:
    """(lower, upper) bound of a reply's bytes outside its varbinds, for this target's version and names."""
    if target.version == "3":
        return 60, 200 + len(target.user or "")
    return 20 + len(target.community or ""), 40 + len(target.community or "")


class Walker:
    """Walks tables through an :class:`Engine`, remembering each device's table rows between cycles."""

    def __init__(self, engine: Engine, max_remembered_rows: int = 100_000,
                 prior_varbind_bytes: int = PRIOR_VARBIND_BYTES) -> None:
        self.engine = engine
        self.rows: dict[tuple[str, int, tuple[bytes, ...]], list[bytes]] = {}
        self.max_remembered_rows = max_remembered_rows
        self.round_trips = 0
        self.prior_varbind_bytes = prior_varbind_bytes
        self.varbind_bytes: dict[tuple[str, int], float] = {}
        """Largest bytes per varbind seen in the last walk of each (sized) agent."""

    def budget(self, target: SnmpTarget) -> int:
        """Varbinds per reply: ``max_varbinds``, and for a sized target what fits ``max_reply_bytes``."""
        budget = max(1, target.max_varbinds)
        if target.max_reply_bytes:
            per = self.varbind_bytes.get(target.addr, self.prior_varbind_bytes) * MARGIN
            room = target.max_reply_bytes - header_bytes(target)[1]
            budget = max(1, min(budget, int(room // per)))
        return budget

    def plan(self, target: SnmpTarget, columns: list[bytes], max_repetitions: int) -> list[_Segment]:
        budget = self.budget(target)
        known = self.rows.get((target.host, target.port, tuple(columns)))
        if known is None:
            # rows unknown: as many rows per request as fit (max_repetitions, or all the budget when
            # replies are sized: a column per request), columns in parallel. Round trips are what a
            # satellite path charges for; several columns per request come once the rows are known.
            per = max(1, budget // max(1, min(max_repetitions, budget)))
            reps = max(1, budget // per)
            return [_Segment(columns[i:i + per], None, None, reps, cold=True) for i in range(0, len(columns), per)]
        need = len(known) + 1
        if need <= budget:
            per = max(1, budget // need)
            return [_Segment(columns[i:i + per], None, None, need) for i in range(0, len(columns), per)]
        # the rows do not fit one reply: row ranges at remembered boundaries, all fetched at once. Columns
        # per request: the most that cost at most ~10 % more requests than the fewest possible (columns read
        # in one request are one moment of the agent: a row's in and out octets stay consistent)
        counts = {cand: -(-len(columns) // cand) * -(-need // (budget // cand))
                  for cand in range(1, min(len(columns), budget) + 1)}
        fewest = min(counts.values())
        per = max(cand for cand, n in counts.items() if n <= fewest * 1.1)
        rows = max(1, budget // per)
        segs = []
        for i in range(0, len(columns), per):
            group = columns[i:i + per]
            for lo in range(0, len(known), rows):
                hi = lo + rows
                start = known[lo - 1] if lo else None
                last = hi >= len(known)
                stop = None if last else decode_oid_suffix(known[hi - 1])
                segs.append(_Segment(group, start, stop, min(len(known) - lo + 1, rows) if last else rows))
        return segs

    async def walk(self, target: SnmpTarget, columns: list[str], max_repetitions: int = 25) -> Columns:
        cols = [_oid_bytes(c) for c in columns]
        out: dict[bytes, WalkedColumn] = {c: WalkedColumn() for c in cols}
        segs = self.plan(target, cols, max_repetitions)
        sizing: list[float] | None = [0.0] if target.max_reply_bytes else None
        if len(segs) == 1:
            await self._segment(target, segs[0], out, sizing)
        else:
            await asyncio.gather(*(self._segment(target, s, out, sizing) for s in segs))
        self._remember(target, cols, out)
        if sizing and sizing[0]:
            self.varbind_bytes[target.addr] = sizing[0]
        return {name: out[c] for name, c in zip(columns, cols, strict=True)}

    def _remember(self, target: SnmpTarget, cols: list[bytes], out: dict[bytes, WalkedColumn]) -> None:
        biggest: dict[bytes, object] = max(out.values(), key=len, default={})
        if not biggest or len(biggest) > self.max_remembered_rows:
            return
        self.rows[(target.host, target.port, tuple(cols))] = sorted(biggest, key=decode_oid_suffix)

    async def _segment(self, target: SnmpTarget, seg: _Segment, out: dict[bytes, WalkedColumn],
                       sizing: list[float] | None = None) -> None:
        cur = {c: c + (seg.start or b"") for c in seg.columns}
        active = list(seg.columns)
        reps = seg.reps
        stats = self.engine.stats
        while active:
            pdu = await self.engine.request(target, ber.GETBULK, [cur[c] for c in active], 0, reps, lazy=True)
            self.round_trips += 1
            n = len(active)
            last: list[bytes | None] = [None] * n
            done = [False] * n
            try:
                count = ber.decode_columns(pdu.raw, pdu.at, pdu.end, active, [out[c] for c in active], last, done) \
                    if pdu.raw else 0
            except ber.SnmpDecodeError as exc:
                raise SnmpError("snmp", f"{target.where}: malformed reply: {exc}") from None
            stats.varbinds += count
            if not count:
                return
            if sizing is not None and pdu.size:  # bytes per varbind, header at its least: an upper estimate
                sizing[0] = max(sizing[0], (pdu.size - header_bytes(target)[0]) / count)
                if seg.cold:  # the prior was a guess: the next page of a cold walk is sized from what came
                    fit = int(((target.max_reply_bytes or 0) - header_bytes(target)[1]) // (sizing[0] * MARGIN))
                    reps = max(1, min(target.max_varbinds, fit) // n)
            still = []
            for c, lo, finished in zip(active, last, done, strict=True):
                if finished or lo is None:
                    continue
                size = len(c)
                now = decode_oid_suffix(lo[size:])
                before = cur[c][size:]
                if before and now <= decode_oid_suffix(before):
                    raise SnmpError("snmp", f"{target.where}: agent returned OIDs out of order in "
                                            f"{ber.oid_to_str(c)} (table walk would loop)")
                if seg.stop is not None and now >= seg.stop:
                    continue
                cur[c] = lo
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


__all__ = ["Walker", "WalkedColumn", "Columns", "index_text", "decode_oid", "decode_oid_suffix"]
