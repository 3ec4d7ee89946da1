#!/usr/bin/env python3
"""Coverage + plan reports for a generated national-scale inventory (80,000 desa by default).

Usage: .venv/bin/python bench/report_national.py [N_DESA] [--seed S] [--out DIR] [--formats csv,geojson,md,png]

The inventory is built in memory as validated pydantic models (YAML loading is the inventory
bench's business): ~514 kabupaten data centers spread over the main island groups inside
Indonesia's bounding box, ~7,300 kecamatan, N desa around them; desa ~55% fiber, ~35% VSAT,
~3% radio, ~2% down, ~2% planned, ~3% with no link; one router per site, a modem per VSAT desa.
Prints the time of each step; the goal is coverage + plan (figures and report model) < 10 s.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from netops.inventory import Device, Inventory, Link, Site  # noqa: E402
from netops.inventory.models import Regency  # noqa: E402
from netops.report import ReportOptions, build_report, write_report  # noqa: E402
from netops.report.coverage import coverage  # noqa: E402
from netops.report.plan import plan  # noqa: E402

# (lat_min, lat_max, lon_min, lon_max, weight): rough boxes of the main island groups
ISLANDS = [
    (-5.9, 5.6, 95.2, 106.0, 0.22),    # Sumatra
    (-8.7, -5.9, 105.2, 114.6, 0.30),  # Java, Bali
    (-4.2, 4.3, 108.8, 118.9, 0.12),   # Kalimantan
    (-5.6, 1.6, 119.0, 125.2, 0.14),   # Sulawesi
    (-10.9, -8.0, 115.8, 125.0, 0.08), # Nusa Tenggara
    (-8.3, 2.6, 125.9, 135.0, 0.05),   # Maluku
    (-9.1, -0.3, 134.3, 141.0, 0.09),  # Papua
]


def _island(rng: random.Random) -> tuple[float, float, float, float, float]:
    return rng.choices(ISLANDS, weights=[i[4] for i in ISLANDS])[0]


def _clamp(v: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, v))


def generate(n_desa: int, seed: int = 1) -> Inventory:
    rng = random.Random(seed)
    n_kab = max(1, round(n_desa / 156))
    n_kec = max(1, round(n_desa / 11))
    sites: dict[str, Site] = {}
    links: dict[str, Link] = {}
    devices: dict[str, Device] = {}
    dev_n = 0

    def router(site: str, role: str) -> str:
        nonlocal dev_n
        dev_n += 1
        name = f"{site}-r1"
        devices[name] = Device(name=name, site=site, platform="mikrotik_routeros", role=role,
                               mgmt=f"10.{(dev_n >> 16) & 255}.{(dev_n >> 8) & 255}.{dev_n & 255}",
                               interfaces=["ether1", "ether2"])
        return name

    kabs = []
    for k in range(n_kab):
        box = _island(rng)
        lat, lon = rng.uniform(box[0], box[1]), rng.uniform(box[2], box[3])
        sid = f"dc-{k:04d}"
        sites[sid] = Site(id=sid, name=f"Pusat Data Kabupaten {k}", tier="datacenter", lat=lat, lon=lon,
                          kecamatan=f"Kab{k:04d} Kota")
        router(sid, "core")
        kabs.append((sid, lat, lon, box))
    kecs = []
    for c in range(n_kec):
        dc, dlat, dlon, box = kabs[c % n_kab]
        lat = _clamp(dlat + rng.gauss(0, 0.35), box[0], box[1])
        lon = _clamp(dlon + rng.gauss(0, 0.35), box[2], box[3])
        sid = f"kec-{c:05d}"
        name = f"Kecamatan {c:05d}"
        sites[sid] = Site(id=sid, name=f"Kantor Camat {c:05d}", tier="kecamatan", kecamatan=name, lat=lat, lon=lon,
                          parent=dc)
        r = router(sid, "distribution")
        links[f"fo-{sid}"] = Link(id=f"fo-{sid}", medium="fiber", provider="Icon Plus", bandwidth_mbps=100,
                                  sla=99.5, a={"site": dc, "device": f"{dc}-r1"}, b={"site": sid, "device": r})
        kecs.append((sid, name, lat, lon, box))
    for d in range(n_desa):
        kec, kname, klat, klon, box = kecs[d % n_kec]
        lat = _clamp(klat + rng.gauss(0, 0.08), -11.0, 6.0)
        lon = _clamp(klon + rng.gauss(0, 0.08), 95.0, 141.0)
        sid = f"desa-{d:06d}"
        sites[sid] = Site(id=sid, name=f"Kantor Desa {d:06d}", tier="desa", kecamatan=kname,
                          lat=round(lat, 6), lon=round(lon, 6), parent=kec)
        r = router(sid, "access")
        u = rng.random()
        if u < 0.55:
            kind = ("fiber", "Icon Plus", "active", 20, 99.5)
        elif u < 0.90:
            kind = ("vsat", "Telkom Mangoesky", "active", 4, 98.0)
        elif u < 0.93:
            kind = ("radio", "Diskominfo", "active", 50, 99.0)
        elif u < 0.95:
            kind = ("fiber", "Icon Plus", "down", 20, 99.5)
        elif u < 0.97:
            kind = ("fiber", "Icon Plus", "planned", 20, 99.5)
        else:
            continue  # not connected
        medium, provider, status, bw, sla = kind
        lid = f"{'fo' if medium == 'fiber' else medium}-{sid}"
        links[lid] = Link(id=lid, medium=medium, provider=provider, bandwidth_mbps=bw, sla=sla, status=status,
                          a={"site": kec, "device": f"{kec}-r1"} if medium != "vsat" else {"site": kabs[0][0]},
                          b={"site": sid, "device": r})
        if medium == "vsat":
            name = f"{sid}-vsat"
            devices[name] = Device(name=name, site=sid, platform="vsat_modem", role="modem", monitor="icmp",
                                   mgmt=f"10.200.{(d >> 8) & 255}.{d & 255}")
        if medium == "vsat" and rng.random() < 0.1:  # some VSAT desa already have fiber planned
            links[f"fo-{sid}"] = Link(id=f"fo-{sid}", medium="fiber", provider="Icon Plus", bandwidth_mbps=20,
                                      status="planned", a={"site": kec}, b={"site": sid})
    regency = Regency(name="Indonesia (synthetic)", code="99.99", domain="example.go.id")
    return Inventory(root=Path("<generated>"), regency=regency, credentials={}, snmp={}, sites=sites, links=links,
                     devices=devices)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n_desa", nargs="?", type=int, default=80_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--formats", default="csv,geojson,md,png")
    args = ap.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; cpus: {os.cpu_count()}")
    t0 = time.perf_counter()
    inv = generate(args.n_desa, args.seed)
    t_gen = time.perf_counter() - t0
    print(f"generated {len(inv.sites):,} sites / {len(inv.links):,} links / {len(inv.devices):,} devices "
          f"in {t_gen:.2f} s (not part of the goal)")

    gc.collect()
    t0, c0 = time.perf_counter(), time.process_time()
    cov = coverage(inv)
    t_cov, c_cov = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    pl = plan(inv, before=cov)
    t_plan, c_plan = time.perf_counter() - t0, time.process_time() - c0
    r = cov.regency
    print(f"coverage figures: {t_cov:.2f} s wall, {c_cov:.2f} s CPU — {r.desa:,} desa, {r.covered:,} covered "
          f"({r.pct(r.covered):.1f} %), {len(cov.kecamatan):,} kecamatan rows")
    print(f"plan figures:     {t_plan:.2f} s wall, {c_plan:.2f} s CPU — {len(pl.candidates):,} candidates vs "
          f"{pl.fiber_points:,} fiber points, "
          f"{len(pl.planned):,} planned links; median distance "
          f"{sorted(c.distance_km for c in pl.ranked)[len(pl.ranked) // 2]:.2f} km")

    timings = {}
    out = args.out or Path(tempfile.mkdtemp(prefix="netops-report-bench-"))
    formats = [f for f in args.formats.split(",") if f]
    for kind in ("coverage", "plan"):
        t0, c0 = time.perf_counter(), time.process_time()
        report = build_report(inv, kind, ReportOptions(lang="id"))
        t_build, c_build = time.perf_counter() - t0, time.process_time() - c0
        per_fmt = []
        t_write = 0.0
        for fmt in formats:
            t0 = time.perf_counter()
            files = write_report(report, [fmt], out)
            dt_ = time.perf_counter() - t0
            t_write += dt_
            size = sum(p.stat().st_size for p in files) / 1e6
            per_fmt.append(f"{fmt} {dt_:.2f} s ({size:.1f} MB)")
        timings[kind] = (t_build, c_build, t_write)
        print(f"{kind:8s} report: build {t_build:.2f} s wall / {c_build:.2f} s CPU (figures, tables, map layers); "
              f"write: {', '.join(per_fmt)}")
    total_build = sum(b for b, _, _ in timings.values())
    total_cpu = sum(c for _, c, _ in timings.values())
    total_all = sum(b + w for b, _, w in timings.values())
    print(f"coverage + plan reports built: {total_build:.2f} s wall, {total_cpu:.2f} s CPU (goal < 10 s); "
          f"with files ({','.join(formats)}) {total_all:.2f} s wall; files in {out}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
