#!/usr/bin/env python3
"""One VSAT router's login and read, timed per step on the wire (what the simulator's
round-trip counter cannot see: a client message held back by Nagle's algorithm).

Usage (root, under the lab lock):
  flock /tmp/netops-lab.lock .venv/bin/python bench/config_login_wire.py [--code DIR] [--loss 0]

A lab of the sample inventory (base 127.164.0.0, VSAT 300 ms each way, no loss by default);
three VSAT routers are logged into one after the other through netops.config.device, and the
TCP connection, paramiko's key exchange, authentication and shell, and the read of the running
config are timed. ``--code DIR``: import netops from DIR (a 'git archive' of another revision).
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--code", default="", help="import netops from this directory")
    ap.add_argument("--loss", type=float, default=0.0)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.code:
        sys.path.insert(0, args.code)
    import paramiko

    from netops.config import device as dev
    from netops.inventory import load_inventory
    from netops.lab import Lab
    from netops.platforms import get_platform

    print(f"netops from {dev.__file__}")
    marks: list[tuple[str, float]] = []

    def timed(owner: Any, name: str) -> None:
        f = getattr(owner, name)

        def wrapper(*a: Any, **k: Any) -> Any:
            out = f(*a, **k)
            marks.append((name, time.monotonic()))
            return out
        setattr(owner, name, wrapper)

    timed(socket, "create_connection")
    timed(paramiko.Transport, "start_client")
    timed(paramiko.Transport, "auth_password")
    with tempfile.TemporaryDirectory(prefix="netops-bench-wire-") as tmp:
        lab = Lab(ROOT / "inventory", Path(tmp) / "lab", base="127.164.0.0", vsat_delay_ms=300,
                  vsat_loss_pct=args.loss)
        with lab:
            inv = load_inventory(lab.inventory_path)
            vsat = [n for n, d in inv.devices.items() if get_platform(d.platform).managed
                    and any(lk.medium.value == "vsat" for lk in inv.uplinks(d.site)[:1])][:3]
            nr = dev.nornir_for(inv, vsat)
            for name in vsat:
                host = nr.inventory.hosts[name]
                marks.clear()
                t0 = time.monotonic()
                conn = dev.connection(host, nr.config)
                t1 = time.monotonic()
                dev.show_config(conn, get_platform(inv.devices[name].platform))
                t2 = time.monotonic()
                dev.drop(host)
                steps = ", ".join(f"{n} {t - t0:.2f}" for n, t in marks)
                print(f"  {name}: logged in {t1 - t0:.2f} s ({steps}; shell and prompt after), "
                      f"read {t2 - t1:.2f} s")


if __name__ == "__main__":
    main()
