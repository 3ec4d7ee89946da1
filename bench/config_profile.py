#!/usr/bin/env python3
"""Where a config job's CPU goes: netops's client side vs the lab's SSH simulator.

Usage (no root; under the lab lock):
  flock /tmp/netops-lab.lock .venv/bin/python bench/config_profile.py [--sessions 150]

Only the SSH simulator of the sample inventory runs (base 127.164.0.0, loopback, no delay):
- one login (TCP, SSH key exchange, authentication, shell) and one read of the running
  config: CPU of the netops process and of the simulator process, wall time;
- N logins started at once, then N reads: the same, and how long the slowest login took;
- N open sessions each waiting 3 s for output that does not come (what every session does
  while a VSAT round trip is in flight): netops CPU spent waiting.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if "--code" in sys.argv:  # netops from another tree (a 'git archive' of another revision)
    sys.path.insert(0, sys.argv[sys.argv.index("--code") + 1])

from netops.config import device as dev  # noqa: E402
from netops.inventory import load_inventory  # noqa: E402
from netops.lab.procs import LabState  # noqa: E402
from netops.platforms import get_platform  # noqa: E402
from tests.support import sshsim  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def self_cpu() -> float:
    t = os.times()
    return t.user + t.system


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=150)
    ap.add_argument("--code", default="", help="import netops from this directory")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()}; netops from {dev.__file__}")
    with tempfile.TemporaryDirectory(prefix="netops-bench-profile-") as tmp:
        work = Path(tmp)
        path = sshsim.start(ROOT / "inventory", work, "127.164.0.0", where=["platform=mikrotik_routeros"])
        try:
            sim = [p["pid"] for p in LabState(work).data["procs"]][0]
            inv = load_inventory(path)
            names = sorted(inv.devices)[: args.sessions]
            nr = dev.nornir_for(inv, names)
            hosts = [nr.inventory.hosts[n] for n in names]
            platform = get_platform(inv.devices[names[0]].platform)

            def measure(label: str, fn: object, n: int) -> None:
                c0, s0, t0 = self_cpu(), proc_cpu(sim), time.monotonic()
                fn()  # type: ignore[operator]
                c1, s1, t1 = self_cpu(), proc_cpu(sim), time.monotonic()
                print(f"  {label}: wall {t1 - t0:.2f} s; netops CPU {c1 - c0:.2f} s ({(c1 - c0) * 1000 / n:.1f} ms "
                      f"each); simulator CPU {s1 - s0:.2f} s ({(s1 - s0) * 1000 / n:.1f} ms each)")

            conns: dict[str, object] = {}

            def login(h: object) -> None:
                conns[h.name] = dev.connection(h, nr.config)  # type: ignore[attr-defined]

            def read(h: object) -> None:
                dev.show_config(conns[h.name], platform)  # type: ignore[attr-defined]

            def all_at_once(fn: object) -> object:
                def run() -> None:
                    ts = [threading.Thread(target=fn, args=(h,)) for h in hosts]  # type: ignore[arg-type]
                    for t in ts:
                        t.start()
                    for t in ts:
                        t.join()
                return run

            def wait(h: object) -> None:
                try:
                    conns[h.name].read_until_pattern(pattern="never-printed", read_timeout=3)  # type: ignore[attr-defined]
                except Exception:  # noqa: BLE001 - the timeout is the point
                    pass

            measure("1 login", lambda: login(hosts[0]), 1)
            measure("1 read", lambda: read(hosts[0]), 1)
            dev.drop(hosts[0])
            measure(f"{len(hosts)} logins at once", all_at_once(login), len(hosts))
            measure(f"{len(hosts)} reads at once", all_at_once(read), len(hosts))
            measure(f"{len(hosts)} sessions waiting 3 s", all_at_once(wait), len(hosts))
            for h in hosts:
                dev.drop(h)
        finally:
            sshsim.stop(work)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
