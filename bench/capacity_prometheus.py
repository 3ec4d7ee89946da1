#!/usr/bin/env python3
"""Capacity report over 1,000 links × 30 days from a real Prometheus.

Usage: .venv/bin/python bench/capacity_prometheus.py [N_LINKS] [--days D] [--interval S] [--keep DIR]

Builds a TSDB with promtool (one `create-blocks-from openmetrics` run per day, so no file holds the
whole month): netops_link_in_bps / netops_link_out_bps for N links, one sample per interval (60 s, the
monitor's default) with a daily traffic curve and noise. Starts Prometheus on 127.160.9.1, then times
`build_report(kind="capacity")` (4 queries, each a quantile/max over a [30d:5m] subquery). Goal < 30 s.
Preparation (promtool) is timed apart and is not part of the goal.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from netops.inventory import Inventory, Link, Site  # noqa: E402
from netops.inventory.models import Regency  # noqa: E402
from netops.report import ReportOptions, build_report  # noqa: E402

HOST = "127.160.9.1"


def inventory(n: int) -> Inventory:
    sites = {"dc": Site(id="dc", name="Pusat Data", tier="datacenter", lat=-0.07, lon=109.37)}
    links = {}
    for k in range(n):
        sid = f"desa-{k:04d}"
        sites[sid] = Site(id=sid, name=f"Desa {k}", tier="desa", kecamatan=f"Kec {k % 20}",
                          lat=-0.07 - k / 5000, lon=109.37 + k / 5000)
        vsat = k % 3 == 0
        lid = f"{'vsat' if vsat else 'fo'}-{sid}"
        links[lid] = Link(id=lid, medium="vsat" if vsat else "fiber", provider="X", bandwidth_mbps=4 if vsat else 20,
                          a={"site": "dc"}, b={"site": sid})
    return Inventory(root=Path("<generated>"), regency=Regency(name="Bench", code="99.99", domain="b.go.id"),
                     credentials={}, snmp={}, sites=sites, links=links, devices={})


def day_file(path: Path, inv: Inventory, start: int, interval: int, rng: random.Random) -> None:
    lines = []
    ids = list(inv.links)
    base = {lid: (inv.links[lid].bandwidth_mbps or 4) * 1e6 * rng.uniform(0.2, 0.8) for lid in ids}
    for name, share in (("netops_link_in_bps", 1.0), ("netops_link_out_bps", 0.3)):
        lines.append(f"# TYPE {name} gauge")
        for lid in ids:
            b = base[lid] * share
            for t in range(start, start + 86400, interval):
                day = 0.6 + 0.4 * math.sin((t % 86400) / 86400 * 2 * math.pi)
                lines.append(f'{name}{{link="{lid}"}} {b * day * rng.uniform(0.9, 1.1):.0f} {t}')
    lines.append("# EOF")
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n_links", nargs="?", type=int, default=1000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--interval", type=int, default=60)
    ap.add_argument("--keep", type=Path, default=None, help="reuse/keep the TSDB in this directory")
    args = ap.parse_args()
    promtool, prometheus = shutil.which("promtool"), shutil.which("prometheus")
    if not promtool or not prometheus:
        sys.exit("needs promtool and prometheus (Debian 'prometheus')")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; cpus: {os.cpu_count()}")
    inv = inventory(args.n_links)
    work = args.keep or Path(tempfile.mkdtemp(prefix="netops-capacity-bench-"))
    data = work / "data"
    end = int(time.time() // 86400) * 86400 - 86400  # midnight a day ago: all blocks in the past
    if not data.exists() or not any(data.iterdir()):
        data.mkdir(parents=True, exist_ok=True)
        rng = random.Random(1)
        t0 = time.perf_counter()
        for d in range(args.days):
            src = work / "day.om"
            day_file(src, inv, end - (args.days - d) * 86400, args.interval, rng)
            subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics", str(src), str(data)],
                           check=True, capture_output=True)
            src.unlink()
        samples = args.n_links * 2 * args.days * 86400 // args.interval
        print(f"TSDB: {samples:,} samples ({args.n_links} links × 2 directions × {args.days} d at "
              f"{args.interval} s) built in {time.perf_counter() - t0:.0f} s (not part of the goal)")
    (work / "prometheus.yml").write_text("global:\n  scrape_interval: 1m\n")
    with socket.socket() as s:
        s.bind((HOST, 0))
        port = s.getsockname()[1]
    url = f"http://{HOST}:{port}"
    log = (work / "prometheus.log").open("w")
    proc = subprocess.Popen([prometheus, f"--config.file={work / 'prometheus.yml'}", f"--storage.tsdb.path={data}",
                             "--storage.tsdb.retention.time=3650d", f"--web.listen-address={HOST}:{port}"],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url + "/-/ready", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        t0, c0 = time.perf_counter(), time.process_time()
        report = build_report(inv, "capacity", ReportOptions(period=f"{args.days}d", at=end, prometheus=url,
                                                             timeout=300))
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        rows = report.table("capacity_links").rows
        with_data = sum(1 for r in rows if r["p95_pct"] is not None)
        print(f"capacity report: {wall:.2f} s wall ({cpu:.2f} s CPU in netops) — {len(rows):,} links, {with_data:,} "
              f"with data, {len(report.table('capacity_upgrades').rows):,} upgrade candidates; goal < 30 s")
        for purpose, q, _ in report.queries:
            print(f"  {purpose}: {q}")
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
