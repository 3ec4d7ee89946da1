"""Bench: `lab up` on the full Kubu Raya sample; start time, memory, and netmiko/Nornir/snmpbulkwalk against it.

Run as root: .venv/bin/python bench/lab_up.py   (base 127.140.0.0, workdir /tmp/netops-bench-lab)
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from netmiko import ConnectHandler  # noqa: E402
from nornir import InitNornir  # noqa: E402
from nornir_netmiko.tasks import netmiko_send_command  # noqa: E402

from netops.inventory import load_inventory  # noqa: E402
from netops.lab import Lab  # noqa: E402
from netops.platforms import get_platform  # noqa: E402

WHERE: list[str] = []  # every device of the sample, FRR included


def main() -> None:
    print(f"load average before: {os.getloadavg()}, cpus: {os.cpu_count()}")
    lab = Lab(ROOT / "inventory", "/tmp/netops-bench-lab", where=WHERE, base="127.140.0.0")
    t0 = time.monotonic()
    lab.up()
    try:
        up_s = time.monotonic() - t0
        st = lab.status()
        print(f"lab up: {len(st['devices'])} devices in {up_s:.1f} s; RSS total {st['rss_mb_total']} MB")
        for p in st["processes"]:
            print(f"  {p['name']:<12} {p['rss_mb']:>7} MB")
        inv = load_inventory(lab.inventory_path)
        s = lab.secrets
        snmp_devs = [d for d in inv.devices.values() if inv.snmp_for(d) and inv.snmp_for(d).version == "3"]
        t = time.monotonic()
        ok = 0
        for d in snmp_devs[:40]:
            out = subprocess.run(["snmpbulkwalk", "-v3", "-l", "authPriv", "-u", "netops", "-a", "SHA",
                                  "-A", s["snmp-v3-netops-auth_key"], "-x", "AES", "-X", s["snmp-v3-netops-priv_key"],
                                  "-t", "5", str(d.mgmt), "1.3.6.1.2.1.31.1.1.1.6"], capture_output=True, text=True)
            ok += out.returncode == 0 and "Counter64" in out.stdout
        print(f"snmpbulkwalk ifHCInOctets: {ok}/{min(40, len(snmp_devs))} devices ok in {time.monotonic() - t:.1f} s")
        core = inv.devices["core-01"]
        cred = inv.credentials_for(core)
        t = time.monotonic()
        with ConnectHandler(device_type=get_platform(core.platform).netmiko, host=str(core.mgmt), port=core.port,
                            username=cred.username, password=cred.password.resolve()) as c:
            lines = len(c.send_command("show running-config").splitlines())
        print(f"netmiko core-01 show running-config: {lines} lines in {time.monotonic() - t:.1f} s")
        frr = inv.devices["core-02"]
        fcred = inv.credentials_for(frr)
        t = time.monotonic()
        with ConnectHandler(device_type=get_platform(frr.platform).netmiko, host=str(frr.mgmt), port=frr.port,
                            username=fcred.username, password=fcred.password.resolve()) as c:
            out = c.send_config_set(["ip route 10.99.0.0/24 Null0"])
            ok = "ip route 10.99.0.0/24 Null0" in c.send_command("show running-config")
        print(f"netmiko FRR core-02 push + verify: {'ok' if ok else 'FAILED ' + out} in {time.monotonic() - t:.1f} s")
        devs = st["devices"].values()
        for label, group in (("vsat", [d for d in devs if d["medium"] == "vsat"]),
                             ("fiber", [d for d in devs if d["medium"] == "fiber" and not d["netns"]])):
            if not group:
                continue
            out = subprocess.run(["fping", "-C", "3", "-q", "-p", "200", "-t", "2000", *[d["address"] for d in group]],
                                 capture_output=True, text=True)
            if not out.stderr.strip():
                print("fping gave no output:", out.returncode, out.stdout[:200])
                continue
            rtts = sorted(float(x) for line in out.stderr.splitlines() for x in line.split(":")[1].split()
                          if x != "-")
            lost = sum(x == "-" for line in out.stderr.splitlines() for x in line.split(":")[1].split())
            print(f"fping {label}: {len(group)} devices, median RTT {rtts[len(rtts) // 2]:.1f} ms, "
                  f"min {rtts[0]:.1f} ms, {lost}/{3 * len(group)} lost")
        nr = InitNornir(runner={"plugin": "threaded", "options": {"num_workers": 20}},
                        inventory={"plugin": "NetopsInventory",
                                   "options": {"path": str(lab.inventory_path), "where": ["platform=mikrotik_routeros"]}},
                        logging={"enabled": False})
        t = time.monotonic()
        res = nr.run(task=netmiko_send_command, command_string="/export terse")
        print(f"Nornir /export terse on {len(nr.inventory.hosts)} RouterOS devices (20 workers): "
              f"{len(res) - len(res.failed_hosts)} ok, {len(res.failed_hosts)} failed in {time.monotonic() - t:.1f} s")
    finally:
        t = time.monotonic()
        lab.down()
        print(f"lab down in {time.monotonic() - t:.1f} s; load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
