"""Bench: concurrent SNMP polling of the whole sample lab (how the lab's agents hold up under a poller).

Run as root: .venv/bin/python bench/lab_snmp_load.py  (base 127.141.0.0). Walks ifXTable's HC octet
columns of every v3 device with N snmpbulkwalk processes at once and reports failures and wall time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from netops.inventory import load_inventory  # noqa: E402
from netops.lab import Lab  # noqa: E402
from netops.lab.snmpdata import interface_rows  # noqa: E402


def main() -> None:
    print(f"load average before: {os.getloadavg()}, cpus: {os.cpu_count()}")
    with Lab(ROOT / "inventory", "/tmp/netops-bench-lab-snmp", base="127.141.0.0") as lab:
        st = lab.status()
        snmp = [p for p in st["processes"] if p["name"].startswith("snmp-")]
        print(f"{len(snmp)} snmpsim processes, {sum(p['rss_mb'] for p in snmp):.0f} MB")
        inv = load_inventory(lab.inventory_path)
        s = lab.secrets
        src = load_inventory(ROOT / "inventory")
        # devices whose interfaces carry no link have no IF-MIB rows by design
        targets = [str(d.mgmt) for d in inv.devices.values()
                   if inv.snmp_for(d) and inv.snmp_for(d).version == "3"
                   and (d.platform == "frr" or interface_rows(src, src.devices[d.name]))]

        def walk(addr: str) -> bool:
            out = subprocess.run(["snmpbulkwalk", "-v3", "-l", "authPriv", "-u", "netops", "-a", "SHA",
                                  "-A", s["snmp-v3-netops-auth_key"], "-x", "AES", "-X", s["snmp-v3-netops-priv_key"],
                                  "-t", "5", "-r", "1", addr, "1.3.6.1.2.1.31.1.1.1.6"],
                                 capture_output=True, text=True)
            return out.returncode == 0 and "Counter64" in out.stdout

        for workers in (8, 32, 64):
            t = time.monotonic()
            with ThreadPoolExecutor(workers) as pool:
                ok = sum(pool.map(walk, targets))
            print(f"{workers:>3} concurrent snmpbulkwalk: {ok}/{len(targets)} ok in {time.monotonic() - t:.1f} s")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
