"""One ``netops monitor`` poller process for bench/monitor_vs_snmp_exporter.py (runs inside the bench namespace).

Builds an inventory of ``--devices`` devices pointing at the bench's snmpd agents
(bench/snmp_lab.py addresses and ports, or every device on ``--port`` for the
VSAT relay), then runs ``netops.monitor.Poller.poll_once`` ``--cycles`` times with
pysnmp (``PysnmpClient``, default) or, with ``--engine fast``, the lean codec of
``netops.snmp`` behind the same ``SnmpClient`` seam. ICMP is left out (a prober that probes nothing): the
comparison with snmp_exporter is about SNMP. Prints one JSON line per cycle:
wall and CPU seconds of this process for the cycle, varbinds, failed devices.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from snmp_lab import COMMUNITY, IF_BASICS, SYSUPTIME, V3, device  # noqa: E402

from netops.inventory import load_inventory  # noqa: E402
from netops.monitor.poller import Poller, PollerConfig  # noqa: E402
from netops.snmp.pysnmp_client import PysnmpClient  # noqa: E402


class NoProbes:
    async def probe(self, addresses, count, interval, timeout):  # noqa: ANN001, ANN201
        return {}


def bench_profiles(where: Path, full: bool) -> Path:
    """``basics``: the same sysUpTime + 8 IF-MIB columns snmp_exporter walks; ``full``: the shipped profiles."""
    d = where / "profiles"
    d.mkdir()
    if full:
        for name in ("system", "if_mib", "device_info"):
            shutil.copy(ROOT / "monitors" / "profiles" / f"{name}.yaml", d / f"{name}.yaml")
        return d
    (d / "system.yaml").write_text(yaml.safe_dump({"name": "system", "scalars": [
        {"name": "sysUpTime", "oid": SYSUPTIME, "type": "timeticks"}]}))
    metrics = [{"name": n, "oid": o, "type": "counter64" if "HC" in n else
                ("counter32" if ("Errors" in n or "Discards" in n) else "gauge")} for n, o in IF_BASICS.items()]
    # the platform table names device_info too; here it reads nothing (snmp_exporter's module has no sysDescr)
    (d / "device_info.yaml").write_text(yaml.safe_dump({"name": "device_info"}))
    (d / "if_mib.yaml").write_text(yaml.safe_dump({"name": "if_mib", "tables": [
        {"name": "ifTable", "index": "ifIndex", "metrics": metrics}]}))
    return d


def bench_inventory(where: Path, a: argparse.Namespace) -> Path:
    sec = where / "secrets"
    sec.mkdir()
    (sec / "community").write_text(COMMUNITY)
    (sec / "auth").write_text(V3[2])
    (sec / "priv").write_text(V3[4])
    devices, ports = [], set()
    for i in range(a.devices):
        name, host, port = device(i, a.port_base, a.agents)
        if getattr(a, "net", ""):
            host = f"{a.net}.{i // 250}.{i % 250 + 1}"
        port = a.port or port
        ports.add(port)
        devices.append({"name": name, "site": "remote" if getattr(a, "medium", "") else "dc", "platform": "linux",
                        "role": "server", "mgmt": host, "snmp": f"p{port}"})
    snmp = {}
    for port in sorted(ports):
        if a.version == "2c":
            snmp[f"p{port}"] = {"version": "2c", "community": f"file:{sec / 'community'}", "port": port,
                                "timeout": a.timeout, "retries": a.retries}
            if getattr(a, "max_reply_bytes", 0):
                snmp[f"p{port}"]["max_reply_bytes"] = a.max_reply_bytes
        else:
            snmp[f"p{port}"] = {"version": "3", "user": V3[0], "auth_key": f"file:{sec / 'auth'}",
                                "priv_key": f"file:{sec / 'priv'}", "port": port, "timeout": a.timeout,
                                "retries": a.retries}
    inv = {"regency": {"name": "Bench", "code": "61.12", "domain": "bench.invalid"}, "snmp": snmp,
           "sites": [{"id": "dc", "name": "DC", "tier": "datacenter"}], "devices": devices, "links": []}
    if getattr(a, "medium", ""):  # every device behind one uplink of this medium: sizing and RTT prior from it
        inv["sites"].append({"id": "remote", "name": "Remote", "tier": "opd", "parent": "dc"})
        inv["links"].append({"id": "uplink-remote", "medium": a.medium, "provider": "bench",
                             "a": {"site": "dc"}, "b": {"site": "remote"}})
    d = where / "inventory"
    d.mkdir()
    (d / "inventory.yaml").write_text(yaml.safe_dump(inv))
    return d


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def bench_options() -> argparse.ArgumentParser:
    """The options of the bench inventory and the poller, shared by the monitor bench workers."""
    p = argparse.ArgumentParser()
    p.add_argument("--devices", type=int, default=100)
    p.add_argument("--agents", type=int, default=2)
    p.add_argument("--port-base", type=int, default=16100)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--version", default="2c")
    p.add_argument("--concurrency", type=int, default=128)
    p.add_argument("--timeout", type=float, default=5.0)
    p.add_argument("--retries", type=int, default=1)
    p.add_argument("--max-repetitions", type=int, default=25)
    p.add_argument("--full", action="store_true", help="shipped if_mib profile (14 columns) instead of the 8 basics")
    p.add_argument("--net", default="", help="device i at NET.(i//250).(i%%250+1) instead of 127.x (e.g. 10.77)")
    p.add_argument("--max-reply-bytes", type=int, default=0, help="SNMP reply size bound (0: none)")
    p.add_argument("--medium", default="", help="put every device behind an uplink of this medium (vsat, lte, ...)")
    return p


def main() -> None:
    p = bench_options()
    p.add_argument("--cycles", type=int, default=2)
    p.add_argument("--engine", default="pysnmp", choices=["pysnmp", "fast"],
                   help="SnmpClient: pysnmp 7 (netops.snmp.pysnmp_client) or the lean codec (netops.snmp.client)")
    a = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="netops-monbench-"))
    try:
        inv = load_inventory(bench_inventory(work, a))
        cfg = PollerConfig(interval=600, concurrency=a.concurrency, max_repetitions=a.max_repetitions,
                           device_deadline=300)
        if a.engine == "fast":
            from netops.snmp.client import FastSnmpClient

            client = FastSnmpClient()
        else:
            client = PysnmpClient()
        poller = Poller(inv, cfg, profiles_dir=bench_profiles(work, a.full), prober=NoProbes(), client=client)

        async def run() -> None:
            for c in range(a.cycles):
                c0, t0 = cpu(), time.monotonic()
                snap = await poller.poll_once()
                wall, used = time.monotonic() - t0, cpu() - c0
                reasons = Counter(pl.reason for pl in snap.polls.values() if not pl.ok)
                complete = sum(1 for pl in snap.polls.values() if pl.ok)
                stats = getattr(poller.client, "engine", None)
                print(json.dumps({"cycle": c, "wall": round(wall, 3), "cpu": round(used, 3),
                                  "retransmits": stats.stats.retransmits if stats else None,
                                  "varbinds": sum(pl.varbinds for pl in snap.polls.values()),
                                  "devices": len(snap.polls), "ok": complete, "failed": dict(reasons),
                                  "max_device_s": round(max(pl.duration for pl in snap.polls.values()), 3)}),
                      flush=True)

        asyncio.run(run())
        poller.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
