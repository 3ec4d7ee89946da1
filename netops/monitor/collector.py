"""Prometheus view of the latest snapshot: ``collect()`` only reads, never polls.

Interface series keep snmp_exporter's if_mib names and labels (``ifHCInOctets``
with ``ifIndex``, ``ifName``, ``ifDescr``, ``ifAlias``) plus a ``device`` label;
netops adds link, device, site and poller health series (docs/monitor.md).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)

from netops.monitor.profiles import SnmpProfile
from netops.monitor.snapshot import BodyWriter, MetricsBody, PollTable, Snapshot

T = TypeVar("T")

LINK_LABELS = ["link", "site", "kecamatan", "tier", "medium", "provider"]
DEVICE_LABELS = ["device", "site", "kecamatan", "tier", "platform", "role"]
SITE_LABELS = ["site", "name", "tier", "kecamatan", "lat", "lon"]


def _gauge(name: str, doc: str, labels: list[str]) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, labels=labels)


def profile_families(
    snap: Snapshot, devices: list[str], profiles: Iterable[SnmpProfile], *, with_device: bool = True,
) -> list[Metric]:
    """The profiles' series (if_mib names) for some devices, from their last good poll this cycle."""
    fams: list[Metric] = []
    for prof in profiles:
        for m in prof.scalars:
            fam = Metric(m.name, m.help, "gauge")
            for dev in devices:
                poll = snap.polls.get(dev)
                if poll and poll.ok and m.name in poll.scalars:
                    fam.add_sample(m.name, {"device": dev} if with_device else {}, poll.scalars[m.name])
            fams.append(fam)
        for t in prof.tables:
            for m in t.metrics:
                fam = Metric(m.name, m.help, "counter" if m.counter_bits else "gauge")
                for dev in devices:
                    poll = snap.polls.get(dev)
                    if not poll or not poll.ok:
                        continue
                    tab = poll.tables.get(t.name)
                    col = tab.column(m.name) if tab is not None else None
                    if tab is None or col is None:
                        continue
                    for idx, lv, v in zip(tab.index, tab.labels, col, strict=True):
                        if v == v:  # NaN: not read
                            labels = {t.index: idx, **dict(zip(tab.label_names, lv, strict=True))}
                            if with_device:
                                labels["device"] = dev
                            fam.add_sample(m.name, labels, v)
                fams.append(fam)
    fams.extend(info_families(snap, devices, profiles, with_device=with_device))
    return fams


def info_families(snap: Snapshot, devices: list[str], profiles: Iterable[SnmpProfile], *,
                  with_device: bool = True) -> list[Metric]:
    """Info series (value 1, text in labels): every label of every profile present, '' when unread."""
    labels: dict[str, list[str]] = {}
    helps: dict[str, str] = {}
    for prof in profiles:
        for im in prof.info:
            names = labels.setdefault(im.name, [])
            names += [k for k in im.labels if k not in names]
            helps.setdefault(im.name, im.help)
    fams: list[Metric] = []
    for name, keys in labels.items():
        fam = Metric(name, helps[name], "gauge")
        for dev in devices:
            poll = snap.polls.get(dev)
            if not poll or not poll.ok or name not in poll.info:
                continue
            got = poll.info[name]
            sample = {k: got.get(k, "") for k in keys}
            if with_device:
                sample["device"] = dev
            fam.add_sample(name, sample, 1.0)
        fams.append(fam)
    return fams


def netops_families(snap: Snapshot) -> list[Metric]:
    """netops's own series; the per-interface rate series only when the snapshot asks for them."""
    fams: list[Metric] = []
    # --- links
    up = _gauge("netops_link_up", "1 when the link's far end answered ICMP this cycle, else 0.", LINK_LABELS)
    rtt = _gauge("netops_link_rtt_seconds", "Mean ICMP round-trip time to the far end this cycle.", LINK_LABELS)
    rmin = _gauge("netops_link_rtt_min_seconds", "Smallest ICMP round-trip time this cycle.", LINK_LABELS)
    rmax = _gauge("netops_link_rtt_max_seconds", "Largest ICMP round-trip time this cycle.", LINK_LABELS)
    jit = _gauge("netops_link_jitter_seconds", "Mean absolute difference of consecutive RTTs this cycle.",
                 LINK_LABELS)
    loss = _gauge("netops_link_loss_ratio", "Share of ICMP probes lost this cycle (0..1).", LINK_LABELS)
    sla = _gauge("netops_link_sla_target_ratio", "Availability the provider committed to (0..1).", LINK_LABELS)
    bw = _gauge("netops_link_bandwidth_bps", "Committed bandwidth of the link in bits per second.", LINK_LABELS)
    lin = _gauge("netops_link_in_bps", "Traffic into the far end's link interface, bits per second.", LINK_LABELS)
    lout = _gauge("netops_link_out_bps", "Traffic out of the far end's link interface, bits per second.",
                  LINK_LABELS)
    util = _gauge("netops_link_utilisation_ratio",
                  "Busier direction over the committed bandwidth (interface speed if none).", LINK_LABELS)
    src = _gauge("netops_link_traffic_source_info",
                  "Where a link's traffic figures come from (value 1): end 'far' (the site's router) or 'near' "
                  "(the upstream interface, used while the far end is silent).", [*LINK_LABELS, "end", "interface"])
    for ls in snap.links.values():
        lv = [ls.labels[k] for k in LINK_LABELS]
        if ls.traffic_end and ls.interface:
            src.add_metric([*lv, ls.traffic_end, ls.interface], 1.0)
        if ls.sla_target is not None:
            sla.add_metric(lv, ls.sla_target)
        if ls.bandwidth_bps is not None:
            bw.add_metric(lv, ls.bandwidth_bps)
        if ls.up is not None:
            up.add_metric(lv, 1.0 if ls.up else 0.0)
        p = ls.probe
        if p is not None:
            loss.add_metric(lv, p.loss)
            if p.rtt_avg is not None:
                rtt.add_metric(lv, p.rtt_avg)
                rmin.add_metric(lv, p.rtt_min or 0.0)
                rmax.add_metric(lv, p.rtt_max or 0.0)
                jit.add_metric(lv, p.jitter or 0.0)
        if ls.in_bps is not None:
            lin.add_metric(lv, ls.in_bps)
        if ls.out_bps is not None:
            lout.add_metric(lv, ls.out_bps)
        if ls.utilisation is not None:
            util.add_metric(lv, ls.utilisation)
    fams += [up, rtt, rmin, rmax, jit, loss, sla, bw, lin, lout, util, src]

    # --- devices
    dup = _gauge("netops_device_up", "1 when the device answered SNMP or ICMP this cycle, else 0.", DEVICE_LABELS)
    snmp_up = _gauge("netops_device_snmp_up", "1 when the device's SNMP poll succeeded this cycle.", DEVICE_LABELS)
    last = _gauge("netops_device_last_success_timestamp_seconds",
                  "Unix time of the device's last successful poll (SNMP, or ICMP for ping-only devices).",
                  DEVICE_LABELS)
    drtt = _gauge("netops_device_rtt_seconds", "Mean ICMP round-trip time to the device this cycle.", DEVICE_LABELS)
    dloss = _gauge("netops_device_loss_ratio", "Share of ICMP probes to the device lost this cycle.", DEVICE_LABELS)
    for name, labels in snap.devices.items():
        lv = [labels[k] for k in DEVICE_LABELS]
        dup.add_metric(lv, 1.0 if snap.device_up(name) else 0.0)
        if name in snap.snmp_devices:
            poll = snap.polls.get(name)
            snmp_up.add_metric(lv, 1.0 if poll and poll.ok else 0.0)
        if name in snap.last_success:
            last.add_metric(lv, snap.last_success[name])
        p = snap.probes.get(name)
        if p is not None:
            dloss.add_metric(lv, p.loss)
            if p.rtt_avg is not None:
                drtt.add_metric(lv, p.rtt_avg)
    fams += [dup, snmp_up, last, drtt, dloss]

    # --- interfaces: rates the poller computed (wraps unwrapped, restarts reset); off unless chosen,
    # Prometheus computes rates from the if_mib counters itself
    if snap.rate_series:
        fams += _rate_families(snap)

    # --- sites (for the map)
    info = _gauge("netops_site_info", "Inventory facts of a site as labels (value 1); lat/lon feed map panels.",
                  SITE_LABELS)
    for s in snap.sites:
        info.add_metric([s[k] for k in SITE_LABELS], 1.0)
    fams.append(info)
    fams += _health_families(snap)
    return fams


def _rate_families(snap: Snapshot) -> list[Metric]:
    iin = _gauge("netops_interface_in_bps", "Inbound traffic from counter deltas, bits per second.",
                 ["device", "ifIndex", "ifName"])
    iout = _gauge("netops_interface_out_bps", "Outbound traffic from counter deltas, bits per second.",
                  ["device", "ifIndex", "ifName"])
    for dev, rates in snap.rates.items():
        for idx, r in rates.items():
            if r.in_bps is not None:
                iin.add_metric([dev, idx, r.name], r.in_bps)
            if r.out_bps is not None:
                iout.add_metric([dev, idx, r.name], r.out_bps)
    return [iin, iout]


def _health_families(snap: Snapshot) -> list[Metric]:
    fams: list[Metric] = []
    shard = f"{snap.shard[0]}/{snap.shard[1]}"
    hist = HistogramMetricFamily("netops_poll_duration_seconds", "Time to SNMP-poll one device.", labels=["shard"])
    hist.add_metric([shard], snap.durations.cumulative(), snap.durations.total)
    errs = CounterMetricFamily("netops_poll_errors", "Failed device polls by reason (timeout, auth, ...).",
                               labels=["device", "reason"])
    for (dev, reason), n in sorted(snap.errors.items()):
        errs.add_metric([dev, reason], n)
    cycles = CounterMetricFamily("netops_poll_cycles", "Completed poll cycles.", labels=["shard"])
    cycles.add_metric([shard], snap.cycles)
    cyc = _gauge("netops_poll_cycle_duration_seconds", "Wall time of the last complete poll cycle.", ["shard"])
    last_cycle = _gauge("netops_poll_last_cycle_timestamp_seconds", "Unix time the last poll cycle finished.",
                        ["shard"])
    ndev = _gauge("netops_poll_devices", "Devices this poller owns.", ["shard"])
    vb = _gauge("netops_poll_varbinds", "Varbinds received in the last cycle.", ["shard"])
    if snap.cycles:
        cyc.add_metric([shard], snap.cycle_duration)
        last_cycle.add_metric([shard], snap.taken_at)
    ndev.add_metric([shard], len(snap.devices))
    vb.add_metric([shard], sum(p.varbinds for p in snap.polls.values()))
    reload_ok = _gauge("netops_inventory_reload_success",
                       "1 when the last inventory (re)load succeeded; 0 while a broken edit is refused (SIGHUP).",
                       ["shard"])
    reload_ok.add_metric([shard], 1.0 if snap.inventory_ok else 0.0)
    loaded = _gauge("netops_inventory_last_reload_success_timestamp_seconds",
                    "Unix time the inventory in service was loaded.", ["shard"])
    if snap.inventory_loaded_at:
        loaded.add_metric([shard], snap.inventory_loaded_at)
    fams += [hist, errs, cycles, cyc, last_cycle, ndev, vb, reload_ok, loaded]
    return fams


class Exposition(Protocol):
    """Families in the text format that follow the exporter's cached body."""

    def exposition(self) -> bytes: ...


class FileState(Generic[T]):
    """What ``read`` makes of a local file, read again only when the file changed (its mtime
    or size); ``empty`` while the file does not exist. The exporter serves such state on every
    scrape without touching the network or re-reading an unchanged file."""

    def __init__(self, file: Path, read: Callable[[], T], empty: T):
        self.file, self.read, self.empty = file, read, empty
        self._seen: tuple[float, int] | None = None
        self._value = empty

    def get(self) -> T:
        try:
            st = self.file.stat()
        except OSError:
            return self.empty
        key = (st.st_mtime, st.st_size)
        if key != self._seen:
            self._value, self._seen = self.read(), key
        return self._value


class _LocalFamilies:
    """Families from local state, rendered on each scrape after the body rendered once per cycle."""

    def collect(self) -> Iterator[Metric]:
        raise NotImplementedError

    def exposition(self) -> bytes:
        reg = CollectorRegistry(auto_describe=False)
        reg.register(self)
        return generate_latest(reg)


class PendingRecoveryCollector(_LocalFamilies):
    """``netops_config_pending_recovery``: devices whose config change the journal holds
    open (a crash, ``kill -9`` or a lost device in the middle of a push).

    ``read`` lists the open devices from the journal ``file``: the journal's format is the
    config package's, which the monitor does not import (whoever starts the exporter wires it)."""

    def __init__(self, file: Path, read: Callable[[], list[str]]):
        self._state: FileState[list[str]] = FileState(file, read, [])

    def pending(self) -> list[str]:
        return self._state.get()

    def collect(self) -> Iterator[Metric]:
        fam = _gauge("netops_config_pending_recovery",
                     "1 for a device whose config change netops left unfinished (crash, kill, lost device); "
                     "run 'netops config recover'.", ["device"])
        for device in self.pending():
            fam.add_metric([device], 1.0)
        yield fam


class AuditCollector(_LocalFamilies):
    """The last ``netops config audit`` and each device's backup age.

    ``read_audit`` runs when ``audit_file`` changed, ``read_backup_times`` when
    ``backups_index`` (the backup repository's git index, rewritten by every backup run)
    changed. The files' formats are the config package's, which the monitor does not import
    (whoever starts the exporter wires them)."""

    def __init__(self, audit_file: Path, read_audit: Callable[[], dict | None],
                 backups_index: Path, read_backup_times: Callable[[], dict[str, float]]):
        self._audit: FileState[dict | None] = FileState(audit_file, read_audit, None)
        self._times: FileState[dict[str, float]] = FileState(backups_index, read_backup_times, {})

    def collect(self) -> Iterator[Metric]:
        data = self._audit.get()
        labels = ["device", "platform", "kecamatan"]
        compliant = _gauge("netops_config_compliant",
                           "1 if the device matched its templates and every security rule at the last "
                           "'netops config audit', 0 if not; absent if it could not be read.", labels)
        drift = _gauge("netops_config_drift_lines", "Lines that differed from the templates at the last audit.",
                       labels)
        viol = _gauge("netops_config_rule_violations",
                      "Security rules (compliance/*.yaml) the device broke at the last audit: 1 per rule broken.",
                      ["device", "kecamatan", "rule", "severity"])
        unreachable = _gauge("netops_config_audit_unreachable",
                             "1 if the last audit could not read the device.", ["device"])
        when = _gauge("netops_config_audit_timestamp_seconds", "Unix time of the last 'netops config audit'.", [])
        if data is not None:
            when.add_metric([], float(data.get("time") or 0))
            for d in data.get("devices") or []:
                lv = [str(d.get("device")), str(d.get("platform")), str(d.get("kecamatan"))]
                if d.get("state") == "unreachable":
                    unreachable.add_metric([lv[0]], 1.0)
                    continue
                compliant.add_metric(lv, 1.0 if d.get("state") == "compliant" else 0.0)
                drift.add_metric(lv, float(d.get("drift_lines") or 0))
                rules = {(f.get("rule"), f.get("severity")) for f in d.get("findings") or []
                         if f.get("rule") != "template"}
                for rule, sev in sorted(rules):
                    viol.add_metric([lv[0], lv[2], str(rule), str(sev)], 1.0)
        age = _gauge("netops_config_backup_age_seconds",
                     "Seconds since the device's config was last backed up (last commit of its file, or a later "
                     "backup run that read it unchanged).", ["device"])
        now = time.time()
        for name, stamp in sorted(self._times.get().items()):
            age.add_metric([name], max(0.0, now - stamp))
        yield from (compliant, drift, viol, unreachable, when, age)


class ChangesOutsideCollector(_LocalFamilies):
    """``netops_config_changes_outside_total`` and ``netops_config_change_outside_last_timestamp_seconds``
    per device, from the record every backup run writes (``changes_file``): ``read`` gives each
    device's (count, time of the last one). The record's format is the config package's
    (whoever starts the exporter wires it)."""

    def __init__(self, changes_file: Path, read: Callable[[], dict[str, tuple[int, float]]]):
        self._state: FileState[dict[str, tuple[int, float]]] = FileState(changes_file, read, {})

    def current(self) -> dict[str, tuple[int, float]]:
        return self._state.get()

    def collect(self) -> Iterator[Metric]:
        now = self.current()
        total = CounterMetricFamily("netops_config_changes_outside",
                                    "Config changes found by a backup that netops did not make, per device.",
                                    labels=["device"])
        last = _gauge("netops_config_change_outside_last_timestamp_seconds",
                      "When a backup last found a change outside netops on the device (Unix time).", ["device"])
        for device, (count, when) in sorted(now.items()):
            total.add_metric([device], float(count))
            last.add_metric([device], when)
        yield total
        yield last


class SnapshotCollector:
    """A custom collector over whatever snapshot ``get`` returns right now."""

    def __init__(self, get: Callable[[], Snapshot]):
        self._get = get

    def collect(self) -> Iterator[Metric]:
        snap = self._get()
        yield from profile_families(snap, sorted(snap.polls), snap.profiles.values())
        yield from netops_families(snap)


def _fix_counter_names(text: bytes, profiles: Iterable[SnmpProfile]) -> bytes:
    """prometheus-client names counter families ``X_total``; snmp_exporter's if_mib series are ``X``."""
    out = text.decode("utf-8")
    for prof in profiles:
        for t in prof.tables:
            for m in t.metrics:
                if m.counter_bits:
                    out = out.replace(f"# HELP {m.name}_total ", f"# HELP {m.name} ")
                    out = out.replace(f"# TYPE {m.name}_total counter", f"# TYPE {m.name} counter")
    return out.encode("utf-8")


def render_metrics(registry: CollectorRegistry, profiles: Iterable[SnmpProfile]) -> bytes:
    return _fix_counter_names(generate_latest(registry), profiles)


class _Fixed:
    def __init__(self, fams: list[Metric]):
        self._fams = fams

    def collect(self) -> Iterator[Metric]:
        yield from self._fams


def render_target(snap: Snapshot, device: str, modules: list[str]) -> bytes:
    """snmp_exporter's ``/snmp?target=&module=`` answer for one device, from the snapshot."""
    profiles = [snap.profiles[m] for m in modules]
    fams = profile_families(snap, [device], profiles, with_device=False)
    poll = snap.polls.get(device)
    dur = GaugeMetricFamily("snmp_scrape_duration_seconds", "Total SNMP time scrape took (walk and processing).")
    pdus = GaugeMetricFamily("snmp_scrape_pdus_returned", "PDUs returned from walk.")
    up = GaugeMetricFamily("netops_snmp_up", "1 when the device's last SNMP poll succeeded.")
    if poll is not None:
        dur.add_metric([], poll.duration)
        pdus.add_metric([], poll.varbinds)
    up.add_metric([], 1.0 if poll and poll.ok else 0.0)
    reg = CollectorRegistry(auto_describe=False)
    reg.register(_Fixed([*fams, dur, pdus, up]))
    return render_metrics(reg, profiles)


# --- the /metrics hot path --------------------------------------------------------------------
#
# prometheus-client renders every sample through a Sample tuple, a label dict it sorts and
# escapes, and a value formatter: ~10 µs per sample, once per scrape. The profile series are
# almost all of a shard's samples (one per interface column per device), so they are written
# here, once per snapshot, with each row's label text built once and reused across cycles
# while its labels stay the same. netops's own families (a few per device) still go through
# prometheus-client. The output is byte-identical to generate_latest() over
# SnapshotCollector (tests/monitor/test_collector.py checks it, sample by sample).

_SPECIAL = {"inf": "+Inf", "-inf": "-Inf", "nan": "NaN"}


def go_float(v: float) -> str:
    """A sample value as prometheus-client writes it (Go's formatting: exponent from 1e6 up)."""
    d = float(v)
    s = repr(d)
    if s in _SPECIAL:
        return _SPECIAL[s]
    dot = s.find(".")
    if d > 0 and dot > 6:
        mantissa = f"{s[0]}.{s[1:dot]}{s[dot + 1:]}".rstrip("0.")
        return f"{mantissa}e+{dot - 1:02d}"
    return s


def _escape(v: str) -> str:
    return v.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")


def label_text(labels: dict[str, str]) -> str:
    """``{a="1",b="2"}``: names sorted and values escaped as prometheus-client does."""
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items())) + "}"


def _head(name: str, doc: str, kind: str) -> str:
    return f"# HELP {name} {doc.replace(chr(92), chr(92) * 2).replace(chr(10), chr(92) + 'n')}\n# TYPE {name} {kind}\n"


_EXACT = 2.0**53
"""Below this a whole float is an exact int, and repr() prints its digits."""

_TableKey = tuple[str, str]
"""(device, table)."""

_Texts = tuple[tuple[str, ...], tuple[tuple[str, ...], ...], tuple[str, ...]]
"""(row indices, label values per row, label text per row) of one device's table."""


def _value_text(v: float) -> str:
    """go_float, quicker for the whole numbers most samples are (counters, speeds, states)."""
    if v.__class__ is float and 0.0 <= v < _EXACT and v.is_integer():
        if v < 1e6:
            return repr(v)
        d = str(int(v))
        m = d.rstrip("0")
        return f"{d[0]}.{m[1:]}e+{len(d) - 1:02d}" if len(m) > 1 else f"{d[0]}e+{len(d) - 1:02d}"
    return go_float(v)


class Renderer:
    """Renders a snapshot's ``/metrics`` body once; keeps each row's label text between cycles."""

    def __init__(self) -> None:
        self._texts: dict[_TableKey, _Texts] = {}

    def render(self, snap: Snapshot) -> MetricsBody:
        old = self._texts
        new: dict[_TableKey, _Texts] = {}
        devices = sorted(snap.polls)
        polls = [snap.polls[d] for d in devices]
        out = BodyWriter()  # compressed one family at a time: the text is never whole in memory
        samples = 0
        for prof in snap.profiles.values():
            for m in prof.scalars:
                lines = [_head(m.name, m.help, "gauge")]
                for dev, poll in zip(devices, polls, strict=True):
                    if poll.ok and m.name in poll.scalars:
                        lines.append(f'{m.name}{{device="{_escape(dev)}"}} {go_float(poll.scalars[m.name])}\n')
                samples += len(lines) - 1
                out.write("".join(lines).encode("utf-8"))
            for t in prof.tables:
                texted: list[tuple[PollTable, tuple[str, ...]]] = []
                for dev, poll in zip(devices, polls, strict=True):
                    tab = poll.tables.get(t.name) if poll.ok else None
                    if not tab:
                        continue
                    key = (dev, t.name)
                    hit = old.get(key)
                    if hit is None or hit[0] != tab.index or hit[1] != tab.labels:
                        names = (t.index, *tab.label_names, "device")
                        hit = (tab.index, tab.labels, tuple(
                            label_text(dict(zip(names, (idx, *lv, dev), strict=True)))
                            for idx, lv in zip(tab.index, tab.labels, strict=True)))
                    new[key] = hit
                    texted.append((tab, hit[2]))
                for m in t.metrics:
                    name = m.name
                    lines = [_head(name, m.help, "counter" if m.counter_bits else "gauge")]
                    append = lines.append
                    for tab, texts in texted:
                        col = tab.column(name)
                        if col is None:
                            continue
                        for text, v in zip(texts, col, strict=True):
                            if v != v:  # NaN: the agent gave no value for this row
                                continue
                            # counters and gauges are whole numbers: Go's form from int digits (go_float's rule)
                            if 0.0 <= v < 1e6 and v.is_integer():
                                append(f"{name}{text} {v!r}\n")
                            else:
                                append(f"{name}{text} {_value_text(v)}\n")
                    samples += len(lines) - 1
                    out.write("".join(lines).encode("utf-8"))
                    del lines
        self._texts = new
        # a few series per device: info (identity as labels) and netops's own, through prometheus-client
        own = info_families(snap, devices, snap.profiles.values()) + netops_families(snap)
        samples += sum(len(f.samples) for f in own)
        reg = CollectorRegistry(auto_describe=False)
        reg.register(_Fixed(own))
        out.write(generate_latest(reg))
        return out.finish(samples)


def rendered(snap: Snapshot, renderer: Renderer, lock: threading.Lock) -> MetricsBody:
    """The snapshot's body: the one rendered with it (``PollerConfig.render``), else rendered now, once."""
    out = snap.rendered
    if out is None:
        with lock:
            out = snap.rendered
            if out is None:
                out = snap.rendered = renderer.render(snap)
    return out
