"""One poller process for the SNMP benches (run inside the bench namespace by bench/snmp_poll.py).

Polls its shard of N devices (sysUpTime GET + 8 IF-MIB columns walked) for a
few cycles and prints one JSON line per cycle: wall, CPU of this process,
varbinds, failures, round trips. Values are converted to the plain Python
values a snapshot holds (index text, int/str), so CPU includes that work.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from snmp_lab import COMMUNITY, IF_BASICS, SYSUPTIME, V3, device, shard_of  # noqa: E402

from netops.snmp import usm  # noqa: E402
from netops.snmp.api import SnmpError, SnmpTarget  # noqa: E402
from netops.snmp.engine import Engine  # noqa: E402
from netops.snmp.walk import Walker, index_text  # noqa: E402


def targets(a: argparse.Namespace) -> list[SnmpTarget]:
    out = []
    i_shard, n_shard = a.shard
    for i in range(a.devices):
        name, host, port = device(i, a.port_base, a.agents)
        port = a.port or port
        if n_shard > 1 and shard_of(name, n_shard) != i_shard:
            continue
        common = {"name": name, "timeout": a.timeout, "retries": a.retries, "max_varbinds": a.max_varbinds}
        if a.version == "3":
            t = SnmpTarget(host, port, version="3", user=V3[0], auth_key=V3[2], priv_key=V3[4],
                           auth_protocol="sha", priv_protocol="aes", **common)
        else:
            t = SnmpTarget(host, port, community=COMMUNITY, **common)
        out.append(t)
    return out


async def poll(engine: Engine, walker: Walker, t: SnmpTarget, cols: list[str], reps: int) -> tuple[int, str | None]:
    try:
        scalars, table = await asyncio.gather(engine.get(t, [SYSUPTIME]), walker.walk(t, cols, reps))
    except SnmpError as exc:
        return 0, exc.reason
    n = len(scalars)
    snapshot: dict[str, dict[str, int | str]] = {}
    for col, rows in table.items():
        snapshot[col] = {index_text(k): vb[2] for k, vb in rows.items()}  # type: ignore[misc]
        n += len(rows)
    return n, None


async def main(a: argparse.Namespace) -> None:
    ts = targets(a)
    cols = list(IF_BASICS.values())
    async with Engine(max_in_flight=a.in_flight, v3=usm) as engine:
        walker = Walker(engine)
        for cycle in range(a.cycles):
            c0, w0, rt0, st0 = time.process_time(), time.monotonic(), walker.round_trips, engine.stats.retransmits
            sem = asyncio.Semaphore(a.concurrency)

            async def one(t: SnmpTarget, sem: asyncio.Semaphore = sem) -> tuple[int, str | None]:
                async with sem:
                    return await poll(engine, walker, t, cols, a.max_repetitions)
            results = await asyncio.gather(*(one(t) for t in ts))
            wall, cpu = time.monotonic() - w0, time.process_time() - c0
            errors: dict[str, int] = {}
            for _, reason in results:
                if reason:
                    errors[reason] = errors.get(reason, 0) + 1
            print(json.dumps({
                "cycle": cycle, "devices": len(ts), "wall": round(wall, 3), "cpu": round(cpu, 3),
                "varbinds": sum(n for n, _ in results), "failed": sum(errors.values()), "errors": errors,
                "walk_round_trips": walker.round_trips - rt0, "retransmits": engine.stats.retransmits - st0,
                "malformed": engine.stats.malformed,
                "polled": [t.name for t in ts] if a.list_devices else None,
            }), flush=True)
            if a.interval and cycle + 1 < a.cycles:
                await asyncio.sleep(max(0.0, a.interval - wall))


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--devices", type=int, default=100)
    p.add_argument("--agents", type=int, default=2)
    p.add_argument("--port-base", type=int, default=16100)
    p.add_argument("--port", type=int, default=0, help="every device on this port (the VSAT relay)")
    p.add_argument("--shard", type=lambda s: tuple(int(x) for x in s.split("/")), default=(0, 1))
    p.add_argument("--cycles", type=int, default=2)
    p.add_argument("--interval", type=float, default=0.0)
    p.add_argument("--version", default="2c")
    p.add_argument("--timeout", type=float, default=5.0)
    p.add_argument("--retries", type=int, default=2)
    p.add_argument("--in-flight", type=int, default=256)
    p.add_argument("--concurrency", type=int, default=2000, help="devices polled at once")
    p.add_argument("--max-varbinds", type=int, default=250)
    p.add_argument("--max-repetitions", type=int, default=25)
    p.add_argument("--list-devices", action="store_true")
    asyncio.run(main(p.parse_args()))
