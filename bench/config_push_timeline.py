#!/usr/bin/env python3
"""Where a config job's seconds go: the timeline of a backup and a push over the sample lab, in process.

Usage (root, under the lab lock):
  flock /tmp/netops-lab.lock .venv/bin/python bench/config_push_timeline.py [--base 127.155.0.0]

A fresh lab of the sample inventory (VSAT 300 ms each way + 1 % loss) takes ``jobs.backup`` and
then ``jobs.push(commit=True)`` with the default options, called in this process (no CLI start).
Printed per job: when the backup commits and the plans were made (the job's own steps), and per
progress stage the time of its first, median, 90th-percentile and last device, then the five
slowest devices. The gap between a stage's p90 and its last device is what packet loss adds to
the slowest of the VSAT routers; a push pays it twice, once for the reads (all backups are
committed before the canary) and once for the changes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from netops.config import jobs  # noqa: E402
from netops.config.backup import BackupRepo  # noqa: E402
from netops.inventory import load_inventory  # noqa: E402
from netops.lab import Lab  # noqa: E402
from netops.progress import ProgressEvent  # noqa: E402

steps: list[tuple[float, str]] = []


def timed(name: str, fn: Any) -> Any:
    def wrapper(*a: Any, **k: Any) -> Any:
        steps.append((time.monotonic(), f"{name} starts"))
        try:
            return fn(*a, **k)
        finally:
            steps.append((time.monotonic(), f"{name} ends"))
    return wrapper


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="127.155.0.0")
    ap.add_argument("--vsat-delay", type=float, default=300)
    ap.add_argument("--vsat-loss", type=float, default=1.0)
    a = ap.parse_args()
    BackupRepo.store = timed("backup commit", BackupRepo.store)  # type: ignore[method-assign]
    jobs.plans_for = timed("plans", jobs.plans_for)  # type: ignore[assignment]
    work = Path(tempfile.mkdtemp(prefix="netops-pushtl-"))
    lab = Lab(ROOT / "inventory", work / "lab", base=a.base, vsat_delay_ms=a.vsat_delay, vsat_loss_pct=a.vsat_loss,
              owner_pid=os.getpid())
    with lab:
        inv = load_inventory(lab.inventory_path)
        names = list(inv.devices)
        repo = BackupRepo(work / "backups")
        print(f"lab {a.base}: VSAT {a.vsat_delay:g} ms each way, {a.vsat_loss:g} % loss; "
              f"load average {os.getloadavg()}")
        for job in ("backup", "push"):
            steps.clear()
            seen: list[tuple[float, str, str]] = []
            lock = threading.Lock()

            def progress(e: ProgressEvent, seen: list[tuple[float, str, str]] = seen,
                         lock: threading.Lock = lock) -> None:
                with lock:
                    seen.append((time.monotonic(), e.device, str(e.stage)))
            t0 = time.monotonic()
            if job == "backup":
                report, _ = jobs.backup(inv, names, repo, progress=progress)
            else:
                report = jobs.push(inv, names, repo, jobs.PushOptions(commit=True), progress=progress)
            wall = time.monotonic() - t0
            print(f"== {job}: {wall:.2f} s; {dict(report.by_status())} {report.stopped}")
            for t, what in steps:
                print(f"   {t - t0:6.2f} s  {what}")
            stages: dict[str, list[float]] = {}
            for t, _, stage in seen:
                stages.setdefault(stage, []).append(t - t0)
            for stage, ts in stages.items():
                ts.sort()
                print(f"   {stage:22s} {len(ts):4d} events: first {ts[0]:6.2f}  median {statistics.median(ts):6.2f}"
                      f"  p90 {ts[int(len(ts) * 0.9)]:6.2f}  last {ts[-1]:6.2f}")
            ends = sorted(((t - t0, d) for t, d, s in seen if s in ("read", "done")), reverse=True)[:5]
            print("   slowest devices:", ", ".join(f"{d} {t:.2f}" for t, d in ends))
        print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
