"""End to end through the monitor: ``Poller.poll_once()`` with ``engine: fast`` vs ``engine: pysnmp``.

    sudo .venv/bin/python bench/snmp_monitor.py [--devices 200] [--cycles 3]

A generated inventory of ``linux`` devices (profiles system + if_mib: 12 IF-MIB
columns incl. the three label columns, sysUpTime) points at snmpd agents in the
bench namespace (49 interfaces each). The poller runs inside the namespace with
an ICMP prober that answers at once (ICMP is not what is measured). CPU covers
everything a cycle does: SNMP, counter deltas, the snapshot.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from snmp_lab import COMMUNITY, AgentLab, device, loadavg, machine  # noqa: E402


def write_inventory(root: Path, n: int, port_base: int, agents: int) -> Path:
    sec = root / "secrets"
    sec.mkdir(parents=True, exist_ok=True)
    (sec / "community").write_text(COMMUNITY)
    (sec / "pw").write_text("unused")
    snmp = {f"a{k}": {"version": "2c", "community": f"file:{sec / 'community'}", "port": port_base + k,
                      "timeout": 5.0, "retries": 2} for k in range(agents)}
    devices = []
    for i in range(n):
        name, host, port = device(i, port_base, agents)
        devices.append({"name": name, "site": "dc", "platform": "linux", "role": "server", "mgmt": host,
                        "snmp": f"a{port - port_base}"})
    inv = {"regency": {"name": "Bench", "code": "99.99", "domain": "bench.example", "default_credentials": "c",
                       "default_snmp": "a0"},
           "credentials": {"c": {"username": "u", "password": f"file:{sec / 'pw'}"}},
           "snmp": snmp,
           "sites": [{"id": "dc", "name": "Data center", "tier": "datacenter", "kecamatan": "K", "lat": 0.0,
                      "lon": 110.0}],
           "devices": devices, "links": []}
    d = root / "inventory"
    d.mkdir(parents=True, exist_ok=True)
    (d / "inventory.yaml").write_text(yaml.safe_dump(inv, sort_keys=False))
    return d


class InstantProber:
    async def probe(self, addresses, count, interval, timeout):  # type: ignore[no-untyped-def]
        from netops.monitor.icmp import summarise

        return {a: summarise(a, count, [0.001] * count) for a in addresses}


def inside(a: argparse.Namespace) -> None:
    from netops.inventory import load_inventory
    from netops.monitor import Poller, PollerConfig

    inv = load_inventory(Path(a.inventory))
    poller = Poller(inv, PollerConfig(engine=a.engine, concurrency=a.concurrency, interval=60), prober=InstantProber())

    async def go() -> None:
        for c in range(a.cycles):
            c0, w0 = time.process_time(), time.monotonic()
            snap = await poller.poll_once()
            cpu, wall = time.process_time() - c0, time.monotonic() - w0
            vbs = sum(p.varbinds for p in snap.polls.values())
            ok = sum(1 for p in snap.polls.values() if p.ok)
            print(json.dumps({"engine": a.engine, "cycle": c, "devices_ok": ok, "varbinds": vbs, "cpu": round(cpu, 3),
                              "wall": round(wall, 3), "us": round(cpu / max(1, vbs) * 1e6, 1)}), flush=True)
    try:
        asyncio.run(go())
    finally:
        poller.close()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--devices", type=int, default=200)
    p.add_argument("--agents", type=int, default=2)
    p.add_argument("--cycles", type=int, default=3)
    p.add_argument("--concurrency", type=int, default=64)
    p.add_argument("--engines", default="fast,pysnmp")
    p.add_argument("--inside", action="store_true")
    p.add_argument("--engine", default="fast")
    p.add_argument("--inventory", default="")
    a = p.parse_args()
    if a.inside:
        inside(a)
        return
    if os.geteuid() != 0:
        sys.exit("needs root (creates a network namespace)")
    print(f"# machine: {machine()}; load average before: {loadavg()}")
    with AgentLab(agents=a.agents) as lab:
        inv = write_inventory(lab.work, a.devices, lab.port_base, a.agents)
        print("\n| engine | cycle | devices ok | varbinds | wall s | CPU s | µs CPU / varbind |\n|---|---|---|---|---|---|---|")
        for engine in a.engines.split(","):
            r = lab.run([sys.executable, __file__, "--inside", f"--engine={engine}", f"--inventory={inv}",
                         f"--cycles={a.cycles}", f"--concurrency={a.concurrency}"])
            if r.returncode:
                print(r.stderr[-3000:], file=sys.stderr)
                continue
            for ln in r.stdout.splitlines():
                c = json.loads(ln)
                print(f"| {engine} | {c['cycle']} | {c['devices_ok']} | {c['varbinds']} | {c['wall']} | {c['cpu']} | "
                      f"{c['us']} |")
    print(f"\n# load average after: {loadavg()}")


if __name__ == "__main__":
    main()
