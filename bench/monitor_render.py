"""Rendering ``/metrics`` for one shard: netops's Renderer beside prometheus-client, same snapshot.

    .venv/bin/python bench/monitor_render.py [--devices 5000] [--rows 49] [--library-devices 500]

A synthetic snapshot (no agents needed: this is pure CPU) built with the poller's own
``build_device_poll`` from the shipped profiles (system + if_mib: 14 columns, ifName /
ifDescr / ifAlias labels) for ``--devices`` devices of ``--rows`` interfaces. Prints CPU
per sample of: the first render (label text built), a later render (label text reused),
both with the gzip (level 1) made as the text is written, gzip level 1 and 6 of the whole
text alone, and prometheus-client's generate_latest over the same
families (``--library-devices`` of them: it is slow), plus the process's RSS.
"""

from __future__ import annotations

import argparse
import gzip
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from prometheus_client import CollectorRegistry  # noqa: E402

from netops.monitor.collector import Renderer, SnapshotCollector, render_metrics  # noqa: E402
from netops.monitor.profiles import load_profiles  # noqa: E402
from netops.monitor.snapshot import Snapshot, build_device_poll  # noqa: E402


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def rss_mb() -> float:
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def snapshot(devices: int, rows: int, cycle: int) -> Snapshot:
    profiles = load_profiles(ROOT / "monitors" / "profiles")
    use = [profiles["system"], profiles["if_mib"]]
    polls = {}
    for d in range(devices):
        scalars = {m.oid: 100 * d + cycle for p in use for m in p.scalars}
        columns: dict[str, dict[str, int | str]] = {}
        for t in use[1].tables:
            for m in t.metrics:
                columns[m.oid] = {str(i): (d * 1_000_003 + i * 7919 + cycle * 13) % 2**40 for i in range(1, rows + 1)}
            for label, col in t.labels.items():
                columns[col] = {str(i): f"ether{i}" if label != "ifAlias" else f"uplink {d}-{i} Icon Plus"
                                for i in range(1, rows + 1)}
        name = f"dev{d:05d}"
        polls[name] = build_device_poll(name, use, scalars, columns, at=float(cycle), wall=0.0, duration=0.1)  # type: ignore[arg-type]
    return Snapshot(polls=polls, profiles={p.name: p for p in use}, cycles=cycle,
                    devices={n: {"device": n, "site": "s", "kecamatan": "k", "tier": "desa", "platform": "p",
                                 "role": "access"} for n in polls}, snmp_devices=set(polls))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--devices", type=int, default=5000)
    p.add_argument("--rows", type=int, default=49)
    p.add_argument("--library-devices", type=int, default=500)
    a = p.parse_args()
    print(f"load average {open('/proc/loadavg').read().split()[:3]}")
    r = Renderer()
    snaps = [snapshot(a.devices, a.rows, c) for c in (1, 2)]
    print(f"snapshots built, RSS {rss_mb():.0f} MB")
    for k, snap in enumerate(snaps):
        c0, t0 = cpu(), time.monotonic()
        out = r.render(snap)
        used, wall = cpu() - c0, time.monotonic() - t0
        print(f"render {'first (label text built)' if k == 0 else 'next cycle (label text reused)'}: "
              f"{out.samples} samples, {out.size / 1e6:.1f} MB ({len(out.gzipped()) / 1e6:.1f} MB gzip), "
              f"{wall:.2f} s wall, {used:.2f} s CPU, "
              f"{used / out.samples * 1e6:.3f} µs/sample; RSS {rss_mb():.0f} MB")
    text = out.body
    for level in (1, 6):
        c0 = cpu()
        z = gzip.compress(text, compresslevel=level, mtime=0)
        used = cpu() - c0
        print(f"gzip level {level}: {len(z) / 1e6:.1f} MB, {used:.2f} s CPU, {used / out.samples * 1e6:.3f} µs/sample")
    del text
    small = snapshot(a.library_devices, a.rows, 1)
    reg = CollectorRegistry(auto_describe=False)
    reg.register(SnapshotCollector(lambda: small))
    c0 = cpu()
    body = render_metrics(reg, small.profiles.values())
    used = cpu() - c0
    ours = Renderer().render(small)
    assert ours.body == body, "Renderer and prometheus-client differ"
    print(f"prometheus-client generate_latest, {a.library_devices} devices: {ours.samples} samples, {used:.2f} s CPU, "
          f"{used / ours.samples * 1e6:.3f} µs/sample (identical bytes)")
    print(f"load average {open('/proc/loadavg').read().split()[:3]}; RSS {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
