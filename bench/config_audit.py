#!/usr/bin/env python3
"""Audit every router of the sample inventory on the lab: templates and security rules.

Usage: sudo .venv/bin/python bench/config_audit.py [--workers 40] [--where ...] [--no-push]

Starts a lab of the whole sample (base 127.151.0.0, VSAT 300 ms one way + 1 % loss), then
times one `netops config audit` (the jobs code: render, read every router in parallel over
Nornir + netmiko, diff against the templates, check compliance/*.yaml, write audit.json) on the
factory configs (every router drifted), then pushes the baseline and times a second audit,
which must be clean. Prints the figures and the conditions (load average, cores, device counts).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.config_push import fleet  # noqa: E402
from netops.config import jobs  # noqa: E402
from netops.config.audit import audit, write_state  # noqa: E402
from netops.config.backup import BackupRepo  # noqa: E402
from netops.config.compliance import load_rules  # noqa: E402
from netops.inventory import load_inventory  # noqa: E402
from netops.lab import Lab  # noqa: E402


def timed_audit(inv, names, rules, workers: int, repo: Path, label: str) -> None:  # type: ignore[no-untyped-def]
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    t = time.monotonic()
    result = audit(inv, names, rules, workers=workers)
    write_state(result, repo)
    wall = time.monotonic() - t
    r2 = resource.getrusage(resource.RUSAGE_SELF)
    total = result.total()
    print(f"{label}: {wall:.1f} s wall for {total.devices} routers; {total.compliant} compliant, "
          f"{total.drifted} drifted, {total.noncompliant} non-compliant, {total.unreachable} unreachable; "
          f"{len(result.findings)} findings; netops CPU {r2.ru_utime - r1.ru_utime:.1f} s user + "
          f"{r2.ru_stime - r1.ru_stime:.1f} s sys")
    for d in result.devices:
        if d.error:
            print(f"  {d.device}: {d.error}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=40)
    ap.add_argument("--where", action="append", default=[])
    ap.add_argument("--vsat-delay", type=float, default=300)
    ap.add_argument("--vsat-loss", type=float, default=1.0)
    ap.add_argument("--no-push", action="store_true", help="only the first audit (factory configs)")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average before: {os.getloadavg()}")
    rules = load_rules(ROOT / "compliance")
    with tempfile.TemporaryDirectory(prefix="netops-bench-audit-") as tmp:
        t0 = time.monotonic()
        lab = Lab(ROOT / "inventory", Path(tmp) / "lab", where=args.where or None, base="127.151.0.0",
                  vsat_delay_ms=args.vsat_delay, vsat_loss_pct=args.vsat_loss)
        with lab:
            inv = load_inventory(lab.inventory_path)
            names, plat, vsat = fleet(inv)
            print(f"lab up: {time.monotonic() - t0:.1f} s; routers: {len(names)} {plat}; behind VSAT: {vsat}; "
                  f"{len(rules)} rules; workers {args.workers}")
            repo = Path(tmp) / "backups"
            timed_audit(inv, names, rules, args.workers, repo, "audit, factory configs")
            if not args.no_push:
                t = time.monotonic()
                report = jobs.push(inv, names, BackupRepo(repo), jobs.PushOptions(commit=True, canary=1, batch=200,
                                                                                  max_fail_pct=5,
                                                                                  workers=args.workers))
                print(f"push --commit: {time.monotonic() - t:.1f} s; {report.by_status()}")
                timed_audit(inv, names, rules, args.workers, repo, "audit after the push")
            print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
