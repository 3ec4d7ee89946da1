#!/usr/bin/env python3
"""Push + verify the baseline to every router of the sample inventory on the lab.

Usage: .venv/bin/python bench/config_push.py [--workers 40] [--batch 200] [--where ...]

Starts a lab (base 127.140.0.0, VSAT 300 ms one way + 1 % loss), then times one
`netops config push --commit` (backup, canary, batches, verify on a fresh SSH
session, after-push backup) and a following diff, which must be empty. Prints the
figures and the conditions (load average, cores, device counts).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from netops.config import jobs  # noqa: E402
from netops.config.backup import BackupRepo  # noqa: E402
from netops.inventory import Inventory, load_inventory  # noqa: E402
from netops.lab import Lab  # noqa: E402


def fleet(inv: Inventory) -> tuple[list[str], dict[str, int], int]:
    """The managed routers, how many of each platform, and how many sit behind VSAT."""
    names = jobs.targets(inv, list(inv.devices))
    plat = dict(Counter(inv.devices[n].platform for n in names))
    vsat = sum(1 for n in names if "vsat" in [lk.medium.value for lk in inv.uplinks(inv.devices[n].site)][:1])
    return names, plat, vsat


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=40)
    ap.add_argument("--batch", type=int, default=200, help="devices per batch after the canary (200: all)")
    ap.add_argument("--where", action="append", default=[])
    ap.add_argument("--vsat-delay", type=float, default=300)
    ap.add_argument("--vsat-loss", type=float, default=1.0)
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="netops-bench-config-") as tmp:
        t0 = time.monotonic()
        lab = Lab(ROOT / "inventory", Path(tmp) / "lab", where=args.where or None, base="127.140.0.0",
                  vsat_delay_ms=args.vsat_delay, vsat_loss_pct=args.vsat_loss)
        with lab:
            t_lab = time.monotonic() - t0
            inv = load_inventory(lab.inventory_path)
            names, plat, vsat = fleet(inv)
            print(f"lab up: {t_lab:.1f} s; routers: {len(names)} {plat}; behind VSAT: {vsat}")
            repo = BackupRepo(Path(tmp) / "backups")
            opts = jobs.PushOptions(commit=True, canary=1, batch=args.batch, max_fail_pct=5,
                                    workers=args.workers)
            t1 = time.monotonic()
            r1 = resource.getrusage(resource.RUSAGE_SELF)
            report = jobs.push(inv, names, repo, opts)
            t_push = time.monotonic() - t1
            r2 = resource.getrusage(resource.RUSAGE_SELF)
            print(f"settings: canary 1, batch {args.batch}, workers {args.workers}; netops CPU during push: "
                  f"{r2.ru_utime - r1.ru_utime:.1f} s user + {r2.ru_stime - r1.ru_stime:.1f} s sys")
            counts = report.by_status()
            print(f"push + verify (baseline, uplink) --commit: {t_push:.1f} s wall; results {counts}"
                  + (f"; stopped: {report.stopped}" if report.stopped else ""))
            for r in report.results:
                if not r.ok:
                    print(f"  {r.device}: {r.status}: {r.message} {r.rollback}")
            slow = sorted(report.results, key=lambda r: r.seconds, reverse=True)[:3]
            print("slowest devices: " + ", ".join(f"{r.device} {r.seconds:.1f} s" for r in slow))
            t2 = time.monotonic()
            after, _ = jobs.diff(inv, names, workers=args.workers)
            t_diff = time.monotonic() - t2
            left = [r.device for r in after.results if r.status != "unchanged"]
            print(f"diff after push: {t_diff:.1f} s wall; devices still differing: {len(left)} {left[:5]}")
            print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
