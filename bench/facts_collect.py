"""Bench: `netops facts collect` over the whole Kubu Raya sample lab (VSAT delay and loss included).

Run as root, under the lab lock: flock /tmp/netops-lab.lock .venv/bin/python bench/facts_collect.py
(base 127.146.0.0, workdir /tmp/netops-bench-facts). Prints wall time, results per status and
per driver, and the time of the slowest devices; the lab is torn down afterwards.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from netops.facts.collect import collect  # noqa: E402
from netops.facts.store import FactsRepo  # noqa: E402
from netops.inventory import load_inventory  # noqa: E402
from netops.lab import Lab  # noqa: E402
from netops.progress import ProgressEvent  # noqa: E402


def main() -> None:
    workers = int(os.environ.get("WORKERS", "30"))
    print(f"load average before: {os.getloadavg()}, cpus: {os.cpu_count()}, workers: {workers}")
    lab = Lab(ROOT / "inventory", "/tmp/netops-bench-facts", base="127.146.0.0")
    lab.up()
    try:
        inv = load_inventory(lab.inventory_path)
        stamps: dict[str, float] = {}
        t0 = time.monotonic()

        def progress(event: ProgressEvent) -> None:
            stamps[event.device] = time.monotonic() - t0

        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        results = collect(inv, list(inv.devices), workers=workers, progress=progress)
        wall = time.monotonic() - t0
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        with tempfile.TemporaryDirectory() as tmp:
            t1 = time.monotonic()
            commit = FactsRepo(Path(tmp) / "facts").store(results)
            store_s = time.monotonic() - t1
        print(f"facts collect: {len(results)} devices in {wall:.1f} s "
              f"(CPU {cpu1.ru_utime - cpu0.ru_utime:.1f} s user + {cpu1.ru_stime - cpu0.ru_stime:.1f} s sys); "
              f"store + commit {store_s:.1f} s ({commit})")
        print("status:", dict(Counter(r.status.value for r in results)))
        print("via:", dict(Counter(r.via or "-" for r in results)))
        vsat = [r.name for r in results if "vsat" in (inv.links_by_device and [
            link.medium.value for link in inv.uplinks(inv.devices[r.name].site)])]
        print(f"devices behind VSAT: {len(vsat)}")
        for r in results:
            if r.status.value == "failed":
                print(f"  FAILED {r.name}: {r.reason}")
        print(f"load average after: {os.getloadavg()}")
    finally:
        lab.down()


if __name__ == "__main__":
    main()
