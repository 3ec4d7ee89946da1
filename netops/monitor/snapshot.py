"""What one poll cycle saw, and the plain functions that turn replies into it.

The poller fills a :class:`Snapshot` and swaps it in whole; the Prometheus
collector, the ``/snmp`` endpoint and ``netops monitor poll`` only read it.
Everything here is pure (no I/O), so it is tested with recorded replies.
"""

from __future__ import annotations

import gzip
import re
import zlib
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from netops.inventory import Device, Inventory, Link, LinkStatus
from netops.inventory.models import Medium, Role
from netops.monitor.counters import Sample, rate, restarted, utilisation
from netops.monitor.icmp import ProbeResult
from netops.monitor.profiles import SnmpProfile, SnmpTable
from netops.snmp.api import Value
from netops.snmp.shard import jump_shard

MONITORED_LINK_STATUS = (LinkStatus.active, LinkStatus.down)
"""'down' links stay monitored so a repair shows; planned/decommissioned are not probed."""

DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0)


def shard_of(name: str, shards: int) -> int:
    """Stable shard of a name, the same on every machine and run.

    Jump consistent hashing: going from N to N+1 pollers moves only the ~1/(N+1) of the
    devices the new poller takes, so the others keep their counter baselines and
    remembered table sizes.
    """
    return jump_shard(name, shards)


# --- one device's poll ----------------------------------------------------------------------

@dataclass(slots=True)
class Row:
    """One row of a table as plain dicts: a view made on request (``poll --json``, tests), not stored."""

    labels: dict[str, str]
    values: dict[str, float]
    """metric name -> value as exported (scaled)."""
    raw: dict[str, int] = field(default_factory=dict)
    """counter metric name -> raw counter, for deltas."""


_NAN = float("nan")
NO_RAW = 2**64 - 1
"""Raw counter slot of a value no counter can hold (negative: a mis-typed column); never a baseline."""
_SHARED: dict[tuple[str, ...], tuple[str, ...]] = {}


def _shared(index: tuple[str, ...]) -> tuple[str, ...]:
    """One tuple object for every device with the same row indices (most devices of a model have the same)."""
    got = _SHARED.get(index)
    if got is None:
        if len(_SHARED) >= 10_000:
            return index
        got = _SHARED[index] = index
    return got


class PollTable(Mapping[str, Row]):
    """One table of one device's poll, stored compactly: no Python object per value.

    A 5,000-device shard holds ~250,000 interface rows; as a dict of values and one
    of raw counters per row they took ~1.3 KB each (~650 MB while the next cycle
    builds beside the previous one, bench/RESULTS.md). Here a table is its row
    indices (one tuple shared by every device with the same rows), the label values
    per row, and two flat arrays, column by column: ``data``, the scaled values (``NaN`` where
    the agent gave none) and the raw counters (8 bytes each), about 120 bytes a row.
    It still reads as ``{index: Row}`` for the few callers that want dicts.
    """

    __slots__ = ("metrics", "counters", "label_names", "index", "labels", "data", "raw", "_pos")

    def __init__(self, metrics: tuple[str, ...], counters: tuple[str, ...], label_names: tuple[str, ...],
                 index: tuple[str, ...], labels: tuple[tuple[str, ...], ...], data: array[float],
                 raw: array[int]) -> None:
        self.metrics, self.counters, self.label_names = metrics, counters, label_names
        self.index, self.labels, self.data, self.raw = index, labels, data, raw
        self._pos: dict[str, int] | None = None

    def column(self, metric: str) -> array[float] | None:
        """The scaled values of one metric, row by row (NaN: not read), or None if the table lacks it."""
        try:
            k = self.metrics.index(metric)
        except ValueError:
            return None
        n = len(self.index)
        return self.data[k * n:(k + 1) * n]

    def raw_column(self, metric: str) -> array[int] | None:
        try:
            k = self.counters.index(metric)
        except ValueError:
            return None
        n = len(self.index)
        return self.raw[k * n:(k + 1) * n]

    def _row(self, r: int) -> Row:
        n = len(self.index)
        values = {m: v for k, m in enumerate(self.metrics) if (v := self.data[k * n + r]) == v}
        raw = {m: x for j, m in enumerate(self.counters) if m in values and (x := self.raw[j * n + r]) != NO_RAW}
        return Row(dict(zip(self.label_names, self.labels[r], strict=True)), values, raw)

    def __getitem__(self, idx: str) -> Row:
        if self._pos is None:
            self._pos = {x: r for r, x in enumerate(self.index)}
        return self._row(self._pos[idx])

    def __iter__(self) -> Iterator[str]:
        return iter(self.index)

    def __len__(self) -> int:
        return len(self.index)


def build_table(t: SnmpTable, columns: dict[str, dict[str, Value]]) -> PollTable:
    """One table's walked columns -> a :class:`PollTable` (rows in the order the columns first show them)."""
    cols = [columns.get(m.oid) or {} for m in t.metrics]
    pos: dict[str, int] = {}
    for col in cols:  # usually every column has the same rows: the first one sees them all
        if len(col) == len(pos) and col.keys() == pos.keys():
            continue
        for idx, v in col.items():
            if v.__class__ is int and idx not in pos:
                pos[idx] = len(pos)
    n = len(pos)
    index = _shared(tuple(pos))
    order = list(index)
    values = array("d", [_NAN]) * (n * len(cols))
    counters = tuple(m.name for m in t.metrics if m.counter_bits)
    raw = array("Q", bytes(8 * n * len(counters)))
    j = 0
    for k, (m, col) in enumerate(zip(t.metrics, cols, strict=True)):
        base, scale = k * n, float(m.scale)
        rbase = j * n if m.counter_bits else -1
        if m.counter_bits:
            j += 1
        if n and len(col) == n and list(col) == order:  # the usual case: whole column at C speed
            vals = cast(list[int], list(col.values()))  # array() refuses a str (TypeError) or a negative counter
            try:
                got = array("d", vals) if scale == 1.0 else array("d", [v * scale for v in vals])
                if rbase >= 0:
                    raw[rbase:rbase + n] = array("Q", vals)
                values[base:base + n] = got
                continue
            except (TypeError, OverflowError):  # a string or a negative counter in the column: one by one
                pass
        for idx, v in col.items():
            if v.__class__ is not int:
                continue
            r = pos[idx]
            values[base + r] = v * scale
            if rbase >= 0:
                raw[rbase + r] = v if v >= 0 else NO_RAW
    label_names = tuple(t.labels)
    lcols = [columns.get(col) or {} for col in t.labels.values()]
    labels = tuple(tuple(str(lc.get(idx, "")) for lc in lcols) for idx in index) if lcols else ((),) * n
    return PollTable(tuple(m.name for m in t.metrics), counters, label_names, index, labels, values, raw)


@dataclass(slots=True)
class DevicePoll:
    device: str
    ok: bool
    at: float
    """monotonic time the poll finished."""
    wall: float
    duration: float
    reason: str | None = None
    error: str | None = None
    scalars: dict[str, float] = field(default_factory=dict)
    tables: dict[str, PollTable] = field(default_factory=dict)
    uptime: int | None = None
    varbinds: int = 0
    profiles: tuple[str, ...] = ()
    info: dict[str, dict[str, str]] = field(default_factory=dict)
    """info metric name -> label -> text (netops_device_info)."""


def build_device_poll(
    device: str, profiles: list[SnmpProfile], scalars: dict[str, Value], columns: dict[str, dict[str, Value]],
    *, at: float, wall: float, duration: float,
) -> DevicePoll:
    """Raw OID replies -> named metrics and labelled rows, per the profiles."""
    poll = DevicePoll(device, True, at, wall, duration, profiles=tuple(p.name for p in profiles))
    poll.varbinds = len(scalars) + sum(len(c) for c in columns.values())
    for prof in profiles:
        for m in prof.scalars:
            v = scalars.get(m.oid)
            if isinstance(v, int):
                poll.scalars[m.name] = v * m.scale
                if m.name == "sysUpTime":
                    poll.uptime = v
        for t in prof.tables:
            poll.tables[t.name] = build_table(t, columns)
        for im in prof.info:
            got = poll.info.setdefault(im.name, {})
            for label, spec in im.labels.items():
                v = scalars.get(spec.oid)
                if v is None:
                    continue
                text = str(v).strip()
                if spec.regex:
                    found = re.search(spec.regex, text)
                    first = next((g for g in found.groups() if g), None) if found else None
                    if first is None:
                        continue
                    text = first
                got[label] = text
    return poll


def failed_poll(device: str, reason: str, error: str, *, at: float, wall: float, duration: float) -> DevicePoll:
    return DevicePoll(device, False, at, wall, duration, reason=reason, error=error)


# --- rates ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class InterfaceRate:
    name: str
    in_bps: float | None
    out_bps: float | None
    speed_bps: float | None


def interface_rates(prev: DevicePoll | None, cur: DevicePoll, profiles: list[SnmpProfile],
                    only: set[str] | None = None) -> dict[str, InterfaceRate]:
    """Traffic per interface index from two good polls of one device; a restart gives no rate.

    ``only``: interface names to work out (the inventory's link ends) when no per-interface
    series are exported; None = every interface."""
    out: dict[str, InterfaceRate] = {}
    restart = prev is not None and restarted(prev.uptime, cur.uptime)
    for prof in profiles:
        for t in prof.tables:
            if not t.interface:
                continue
            bits = {m.name: m.counter_bits or 64 for m in t.metrics}
            tab = cur.tables.get(t.name)
            if tab is None or not tab.index:
                continue
            before = prev.tables.get(t.name) if prev is not None and not restart else None
            before_pos = {x: r for r, x in enumerate(before.index)} if before is not None else {}
            names = _interface_names(tab)
            speeds = [c for n in t.interface.get("speed_mbps", ()) if (c := tab.column(n)) is not None]
            roles = []
            for role in ("in_octets", "out_octets"):  # per role, the counters in order of preference
                cands = []
                for n in t.interface.get(role, ()):
                    col, raw = tab.column(n), tab.raw_column(n)
                    if col is None or raw is None:
                        continue
                    pcol = before.column(n) if before is not None else None
                    praw = before.raw_column(n) if before is not None else None
                    cands.append((col, raw, pcol, praw, bits[n]))
                roles.append(cands)
            for r, idx in enumerate(tab.index):
                name_ = names[r] or idx
                if only is not None and name_ not in only:
                    continue
                rates: list[float | None] = []
                for cands in roles:
                    # the first counter read (not NaN, not a negative 'counter')
                    got = next((c for c in cands if c[0][r] == c[0][r] and c[1][r] != NO_RAW), None)
                    if got is None:
                        rates.append(None)
                        continue
                    col, raw, pcol, praw, nbits = got
                    pr = before_pos.get(idx)
                    p = (Sample(praw[pr], prev.at, prev.uptime)  # type: ignore[union-attr,index]
                         if pr is not None and pcol is not None and pcol[pr] == pcol[pr]
                         and praw[pr] != NO_RAW else None)  # type: ignore[index]
                    v = rate(p, Sample(raw[r], cur.at, cur.uptime), nbits)
                    rates.append(None if v is None else v * 8)
                speed = next((c[r] for c in speeds if c[r] == c[r]), None)
                out[idx] = InterfaceRate(name_, rates[0], rates[1], speed * 1e6 if speed else None)
    return out


def _interface_names(tab: PollTable) -> list[str]:
    """Each row's interface name: ifName, else ifDescr, else '' (the caller falls back to the index)."""
    cols = [tab.label_names.index(n) for n in ("ifName", "ifDescr") if n in tab.label_names]
    return [next((lv[c] for c in cols if lv[c]), "") for lv in tab.labels]


# --- the inventory's view ---------------------------------------------------------------------

def link_labels(inv: Inventory, link: Link) -> dict[str, str]:
    site = inv.sites.get(link.b.site)
    return {
        "link": link.id,
        "site": link.b.site,
        "kecamatan": (site.kecamatan or "") if site else "",
        "tier": site.tier.value if site else "",
        "medium": link.medium.value,
        "provider": link.provider,
    }


def device_labels(inv: Inventory, dev: Device) -> dict[str, str]:
    site = inv.sites.get(dev.site)
    return {
        "device": dev.name,
        "site": dev.site,
        "kecamatan": (site.kecamatan or "") if site else "",
        "tier": site.tier.value if site else "",
        "platform": dev.platform,
        "role": dev.role.value,
    }


def link_owner(inv: Inventory, link: Link) -> Device | None:
    """The device that answers for a link: its far (b) end device, else a polled device at the b site."""
    if link.b.device and link.b.device in inv.devices:
        return inv.devices[link.b.device]
    candidates = [d for d in inv.devices_by_site.get(link.b.site, []) if d.monitor != "off"]
    return sorted(candidates, key=lambda d: (d.role == Role.modem, d.name))[0] if candidates else None


def link_probe_devices(inv: Inventory, link: Link) -> list[Device]:
    """Far end device first; for VSAT also the modem(s) at the far site."""
    out = []
    owner = link_owner(inv, link)
    if owner is not None and owner.monitor != "off":
        out.append(owner)
    if link.medium == Medium.vsat:
        for d in inv.devices_by_site.get(link.b.site, []):
            if d.role == Role.modem and d.monitor != "off" and d not in out:
                out.append(d)
    return out


def monitored_links(inv: Inventory) -> list[Link]:
    return [link for link in inv.links.values() if link.status in MONITORED_LINK_STATUS]


@dataclass
class LinkState:
    link: str
    labels: dict[str, str]
    up: bool | None
    """None when no device at the far end can be probed."""
    probe: ProbeResult | None
    probe_device: str | None
    sla_target: float | None
    bandwidth_bps: float | None
    in_bps: float | None = None
    out_bps: float | None = None
    utilisation: float | None = None
    interface: str | None = None
    traffic_end: str | None = None
    """'far' (the b end, the site's own router) or 'near' (the a end, when the far end is silent)."""


def link_state(
    inv: Inventory, link: Link, probes: dict[str, ProbeResult], rates: dict[str, dict[str, InterfaceRate]],
) -> LinkState:
    probed = [(d.name, probes[d.name]) for d in link_probe_devices(inv, link) if d.name in probes]
    up: bool | None = any(p.up for _, p in probed) if probed else None
    # RTT and loss from the far end device; a modem's figures only if the router is silent.
    best = next(((n, p) for n, p in probed if p.up), probed[0] if probed else (None, None))
    state = LinkState(
        link.id, link_labels(inv, link), up, best[1], best[0],
        link.sla / 100.0 if link.sla is not None else None,
        link.bandwidth_mbps * 1e6 if link.bandwidth_mbps is not None else None,
    )
    for end, which in ((link.b, "far"), (link.a, "near")):  # traffic at the far end, else the near end
        if not end.device or not end.interface:
            continue
        for r in rates.get(end.device, {}).values():
            if r.name == end.interface:
                state.in_bps, state.out_bps, state.interface = r.in_bps, r.out_bps, f"{end.device}:{end.interface}"
                state.traffic_end = which
                state.utilisation = utilisation(r.in_bps, r.out_bps, state.bandwidth_bps or r.speed_bps)
                break
        if state.interface:
            break
    return state


@dataclass
class Histogram:
    buckets: tuple[float, ...] = DURATION_BUCKETS
    counts: list[int] = field(default_factory=lambda: [0] * (len(DURATION_BUCKETS) + 1))
    total: float = 0.0
    n: int = 0

    def observe(self, value: float) -> None:
        for i, b in enumerate(self.buckets):
            if value <= b:
                self.counts[i] += 1
                break
        else:
            self.counts[-1] += 1
        self.total += value
        self.n += 1

    def cumulative(self) -> list[tuple[str, int]]:
        out, acc = [], 0
        for b, c in zip([*map(str, self.buckets), "+Inf"], self.counts, strict=True):
            acc += c
            out.append((b, acc))
        return out

    def copy(self) -> Histogram:
        return Histogram(self.buckets, list(self.counts), self.total, self.n)


class MetricsBody:
    """One snapshot's ``/metrics`` body, rendered once and served to every scrape of that cycle.

    Only the gzip form is kept (Prometheus asks for gzip): a 5,000-device shard's
    text is ~100 MB, its gzip ~6 MB. The text is compressed as it is written
    (:class:`BodyWriter`), so it is never whole in memory; a client that does not
    accept gzip gets it decompressed on request.
    """

    __slots__ = ("samples", "size", "_gzip")

    GZIP_LEVEL = 1
    """Level 1: about a third of level 6's CPU for a body a little bigger (bench/RESULTS.md)."""

    def __init__(self, gzipped: bytes, samples: int, size: int) -> None:
        self._gzip = gzipped
        self.samples = samples
        self.size = size
        """Bytes of the text."""

    @classmethod
    def of(cls, body: bytes, samples: int) -> MetricsBody:
        w = BodyWriter()
        w.write(body)
        return w.finish(samples)

    @property
    def body(self) -> bytes:
        """The text (decompressed on each call: for clients without gzip, and tests)."""
        return gzip.decompress(self._gzip)

    def gzipped(self) -> bytes:
        return self._gzip


class BodyWriter:
    """Gzip-compresses an exposition while it is written, family by family."""

    def __init__(self) -> None:
        self._z = zlib.compressobj(MetricsBody.GZIP_LEVEL, zlib.DEFLATED, 31)  # 31: gzip header, mtime 0
        self._parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes | bytearray) -> None:
        self.size += len(data)
        out = self._z.compress(data)
        if out:
            self._parts.append(out)

    def finish(self, samples: int) -> MetricsBody:
        self._parts.append(self._z.flush())
        return MetricsBody(b"".join(self._parts), samples, self.size)


@dataclass
class Snapshot:
    """Everything the exporter serves, consistent with one cycle."""

    taken_at: float = 0.0
    cycle_duration: float = 0.0
    cycles: int = 0
    shard: tuple[int, int] = (0, 1)
    devices: dict[str, dict[str, str]] = field(default_factory=dict)
    """device -> inventory labels, for every device this poller owns."""
    addresses: dict[str, str] = field(default_factory=dict)
    polls: dict[str, DevicePoll] = field(default_factory=dict)
    probes: dict[str, ProbeResult] = field(default_factory=dict)
    rates: dict[str, dict[str, InterfaceRate]] = field(default_factory=dict)
    """device -> ifIndex -> rate; only the inventory's link interfaces unless ``rate_series``."""
    links: dict[str, LinkState] = field(default_factory=dict)
    last_success: dict[str, float] = field(default_factory=dict)
    errors: dict[tuple[str, str], int] = field(default_factory=dict)
    durations: Histogram = field(default_factory=Histogram)
    sites: list[dict[str, str]] = field(default_factory=list)
    snmp_devices: set[str] = field(default_factory=set)
    profiles: dict[str, SnmpProfile] = field(default_factory=dict)
    inventory_ok: bool = True
    """False after a reload that failed (the previous inventory is still served)."""
    inventory_loaded_at: float = 0.0
    """Unix time of the last successful inventory load."""
    rate_series: bool = False
    """Export the derived ``netops_interface_*_bps`` series (off by default: Prometheus computes rates)."""
    rendered: MetricsBody | None = field(default=None, compare=False, repr=False)
    """This snapshot's exposition, once rendered (swapped in together with the snapshot)."""

    def device_up(self, name: str) -> bool:
        poll = self.polls.get(name)
        probe = self.probes.get(name)
        return bool((poll and poll.ok) or (probe and probe.up))

    def find_device(self, target: str) -> str | None:
        """A device by name or management address (snmp_exporter's ``target``)."""
        if target in self.devices:
            return target
        host = target.rsplit(":", 1)[0] if target.count(":") == 1 else target
        return next((d for d, a in self.addresses.items() if a in (target, host)), None)


def site_info(inv: Inventory, site_ids: list[str]) -> list[dict[str, str]]:
    out = []
    for sid in site_ids:
        s = inv.sites[sid]
        out.append({
            "site": s.id, "name": s.name, "tier": s.tier.value, "kecamatan": s.kecamatan or "",
            "lat": "" if s.lat is None else f"{s.lat:.6f}", "lon": "" if s.lon is None else f"{s.lon:.6f}",
        })
    return out


def poll_values(snap: Snapshot) -> dict[str, Any]:
    """What each device's SNMP poll read, for ``netops monitor poll --json`` (checkable against the agent)."""
    out: dict[str, Any] = {}
    for name in sorted(snap.polls):
        p = snap.polls[name]
        if not p.ok:
            continue
        out[name] = {
            "varbinds": p.varbinds,
            "scalars": dict(p.scalars),
            "tables": {t: {idx: {"labels": dict(r.labels), "values": dict(r.values)} for idx, r in rows.items()}
                       for t, rows in p.tables.items()},
        }
    return out


def summary_rows(snap: Snapshot) -> list[dict[str, Any]]:
    """One row per link for ``netops monitor poll``: status, RTT, loss, utilisation."""
    rows = []
    for ls in sorted(snap.links.values(), key=lambda s: (s.labels["kecamatan"], s.link)):
        p = ls.probe
        rows.append({
            "link": ls.link, "site": ls.labels["site"], "kecamatan": ls.labels["kecamatan"],
            "medium": ls.labels["medium"], "provider": ls.labels["provider"],
            "status": "unknown" if ls.up is None else ("up" if ls.up else "down"),
            "probed": ls.probe_device,
            "rtt_ms": None if not p or p.rtt_avg is None else round(p.rtt_avg * 1000, 2),
            "jitter_ms": None if not p or p.jitter is None else round(p.jitter * 1000, 2),
            "loss_pct": None if not p else round(p.loss * 100, 1),
            "in_bps": ls.in_bps, "out_bps": ls.out_bps,
            "utilisation_pct": None if ls.utilisation is None else round(ls.utilisation * 100, 1),
            "interface": ls.interface,
        })
    return rows
