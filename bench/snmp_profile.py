"""Where the CPU goes: pyinstrument over pysnmp 7 (the monitor's PysnmpClient) and over netops.snmp.

    sudo .venv/bin/python bench/snmp_profile.py [--devices 200]

Both poll the same snmpd agents in the bench namespace (sysUpTime + 8 IF-MIB
columns x 49 rows per device, two cycles). Prints CPU per varbind and the
profiler's self time grouped by library, then the hottest functions.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from snmp_lab import COMMUNITY, IF_BASICS, SYSUPTIME, AgentLab, device, loadavg, machine  # noqa: E402

GROUPS = ("pyasn1", "pysnmp", "asyncio", "netops/snmp", "netops/monitor", "cryptography")


def group_of(path: str) -> str:
    return next((g for g in GROUPS if f"/{g}/" in path), "other")


def summarise(session: object) -> dict[str, object]:
    """Exclusive time per frame, grouped by library (pyinstrument's "[self]" frames count for their parent)."""
    by_group: Counter[str] = Counter()
    by_func: Counter[str] = Counter()
    stack = [(session.root_frame(), "", "")]  # type: ignore[attr-defined]
    while stack:
        f, ppath, pfunc = stack.pop()
        if f is None:
            continue
        path = f.file_path or ppath
        func = pfunc if f.function in (None, "[self]") or str(f.function).startswith("[") else f.function
        own = f.time - sum(c.time for c in f.children)
        stack.extend((c, path, func) for c in f.children)
        by_group[group_of(path)] += own
        by_func[f"{func} ({group_of(path)})"] += own
    total = sum(by_group.values()) or 1
    return {"groups": {g: round(t / total * 100, 1) for g, t in by_group.most_common()},
            "top": [(fn, round(t / total * 100, 1)) for fn, t in by_func.most_common(12)]}


async def poll_pysnmp(n: int, port_base: int, agents: int) -> int:
    from netops.snmp.api import SnmpTarget
    from netops.snmp.pysnmp_client import PysnmpClient

    client = PysnmpClient()
    ts = [SnmpTarget(host, port, "2c", timeout=10.0, retries=1, name=name, community=COMMUNITY)
          for name, host, port in (device(i, port_base, agents) for i in range(n))]
    sem = asyncio.Semaphore(256)

    async def one(t: SnmpTarget) -> int:
        async with sem:
            s = await client.get(t, [SYSUPTIME])
            w = await client.walk(t, list(IF_BASICS.values()), 25)
            return len(s) + sum(len(v) for v in w.values())
    try:
        return sum(await asyncio.gather(*(one(t) for t in ts)))
    finally:
        client.close()


async def poll_fast(n: int, port_base: int, agents: int) -> int:
    from netops.snmp import usm
    from netops.snmp.api import SnmpTarget
    from netops.snmp.engine import Engine
    from netops.snmp.walk import Walker

    async with Engine(v3=usm) as eng:
        w = Walker(eng)
        total = 0
        for _ in range(2):  # second cycle warm, like a running poller
            ts = [SnmpTarget(host, port, community=COMMUNITY, name=name, timeout=10.0)
                  for name, host, port in (device(i, port_base, agents) for i in range(n))]

            async def one(t: SnmpTarget) -> int:
                s, tab = await asyncio.gather(eng.get(t, [SYSUPTIME]), w.walk(t, list(IF_BASICS.values()), 25))
                return len(s) + sum(len(v) for v in tab.values())
            total += sum(await asyncio.gather(*(one(t) for t in ts)))
        return total


def inside(a: argparse.Namespace) -> None:
    from pyinstrument import Profiler

    func = poll_pysnmp if a.engine == "pysnmp" else poll_fast
    if a.plain:  # no profiler: the honest CPU figure
        c0 = time.process_time()
        varbinds = asyncio.run(func(a.devices, a.port_base, a.agents))
        cpu = time.process_time() - c0
        print(json.dumps({"varbinds": varbinds, "cpu": round(cpu, 3), "us": round(cpu / max(1, varbinds) * 1e6, 1)}))
        return
    prof = Profiler(interval=0.0005)
    c0, w0 = time.process_time(), time.monotonic()
    prof.start()
    varbinds = asyncio.run(func(a.devices, a.port_base, a.agents))
    prof.stop()
    cpu, wall = time.process_time() - c0, time.monotonic() - w0
    out = {"engine": a.engine, "varbinds": varbinds, "cpu": round(cpu, 3), "wall": round(wall, 3),
           "us_per_varbind_profiled": round(cpu / max(1, varbinds) * 1e6, 1)}
    out.update(summarise(prof.last_session))
    print(json.dumps(out))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--devices", type=int, default=200)
    p.add_argument("--agents", type=int, default=2)
    p.add_argument("--port-base", type=int, default=16100)
    p.add_argument("--engine", default="")
    p.add_argument("--inside", action="store_true")
    p.add_argument("--plain", action="store_true")
    a = p.parse_args()
    if a.inside:
        inside(a)
        return
    if os.geteuid() != 0:
        sys.exit("needs root (creates a network namespace)")
    print(f"# machine: {machine()}; load average: {loadavg()}")
    with AgentLab(agents=a.agents) as lab:
        for engine in ("pysnmp", "fast"):
            r = lab.run([sys.executable, __file__, "--inside", f"--engine={engine}", f"--devices={a.devices}",
                         f"--port-base={lab.port_base}", f"--agents={a.agents}"], check=True)
            res = json.loads(r.stdout)
            print(f"\n## {engine}: {res['varbinds']} varbinds, {res['cpu']} s CPU under the profiler "
                  f"({res['us_per_varbind_profiled']} µs/varbind, profiler overhead included), wall {res['wall']} s")
            print("self time by library: " + ", ".join(f"{g} {v}%" for g, v in res["groups"].items()))
            print("hottest functions (self time): " + "; ".join(f"{f} {v}%" for f, v in res["top"]))
            r = lab.run([sys.executable, __file__, "--inside", "--plain", f"--engine={engine}",
                         f"--devices={a.devices}", f"--port-base={lab.port_base}", f"--agents={a.agents}"], check=True)
            plain = json.loads(r.stdout)
            print(f"without the profiler: {plain['varbinds']} varbinds, {plain['cpu']} s CPU, {plain['us']} µs/varbind")


if __name__ == "__main__":
    main()
