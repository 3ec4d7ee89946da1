"""``netops monitor serve`` as one process for bench/monitor_end_to_end.py (runs inside the bench namespace).

The Poller (fast engine, ``render=True`` as ``monitor serve`` runs it) and the
Exporter on ``--listen``. It polls one cycle each time a line arrives on stdin
and answers ``{"cycle": N, ...}`` on stdout when the snapshot is in service, so
the driver can read this process's CPU from /proc before and after the poll and
around its own scrape. ICMP is left out (the comparison with snmp_exporter is
about SNMP).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from monitor_worker import NoProbes, bench_inventory, bench_options, bench_profiles  # noqa: E402

from netops.inventory import load_inventory  # noqa: E402
from netops.monitor.poller import Poller, PollerConfig, parse_shard  # noqa: E402
from netops.monitor.server import Exporter, parse_listen  # noqa: E402


def main() -> None:
    p = bench_options()
    p.add_argument("--listen", default="127.0.0.1:19750")
    p.add_argument("--rate-series", action="store_true")
    p.add_argument("--shard", default="0/1", help="I/N: poll only this shard of the --devices (monitor serve --shard)")
    a = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="netops-servebench-"))
    try:
        inv = load_inventory(bench_inventory(work, a))
        cfg = PollerConfig(interval=600, concurrency=a.concurrency, max_repetitions=a.max_repetitions,
                           device_deadline=300, render=True, rate_series=a.rate_series, shard=parse_shard(a.shard))
        poller = Poller(inv, cfg, profiles_dir=bench_profiles(work, a.full), prober=NoProbes())
        exporter = Exporter(lambda: poller.snapshot, parse_listen(a.listen)).start()
        print(json.dumps({"ready": True}), flush=True)

        async def run() -> None:
            loop = asyncio.get_running_loop()
            n = 0
            while (await loop.run_in_executor(None, sys.stdin.readline)).strip() == "poll":
                snap = await poller.poll_once()
                print(json.dumps({"cycle": n, "wall": round(snap.cycle_duration, 3), "devices": len(snap.polls),
                                  "ok": sum(1 for pl in snap.polls.values() if pl.ok),
                                  "samples": snap.rendered.samples if snap.rendered else 0}), flush=True)
                n += 1

        asyncio.run(run())
        exporter.stop()
        poller.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
