#!/usr/bin/env python3
"""Time and memory of `netops inventory validate` on the sample and on generated inventories.

Usage: .venv/bin/python bench/inventory_validate.py [N_DESA ...]   (default: 10000)

Each run is a fresh `netops` process (what a user waits for): wall time from start
to exit, and the child's peak RSS.
"""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from gen_inventory import generate  # noqa: E402

NETOPS = [sys.executable, "-m", "netops"]


def measure(inventory: Path, repeat: int = 3) -> tuple[float, float, str]:
    best = float("inf")
    out = ""
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = subprocess.run([*NETOPS, "--inventory", str(inventory), "inventory", "validate"],
                           capture_output=True, text=True)
        best = min(best, time.perf_counter() - t0)
        if r.returncode != 0:
            raise SystemExit(f"validate failed on {inventory}:\n{r.stderr[-2000:]}")
        out = r.stdout.strip()
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return best, rss_mb, out


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [10000]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.2f}")
    wall, rss, out = measure(HERE.parent / "inventory")
    print(f"sample (Kubu Raya): {wall:.2f} s wall, peak RSS {rss:.0f} MB  [{out}]")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            inv = Path(tmp) / "inventory"
            generate(inv, n)
            wall, rss, out = measure(inv, repeat=1)
            print(f"generated {n} desa: {wall:.2f} s wall, peak RSS {rss:.0f} MB  [{out}]")


if __name__ == "__main__":
    main()
