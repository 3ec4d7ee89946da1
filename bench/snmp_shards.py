"""Horizontal scale: do N pollers split the devices evenly, never poll one twice, and reshard cleanly?

    sudo .venv/bin/python bench/snmp_shards.py [--devices 1000] [--inventory-desa 10000]

1. The monitor's own selection: ``netops.monitor.Poller(inv, PollerConfig(shard=(i, N))).devices`` on a
   generated inventory (bench/gen_inventory.py), for N = 4 and N = 5: sizes, overlap, coverage, and how
   many devices change owner from N=4 to N=5 with the monitor's selection, checked against jump
   consistent hashing (``netops.snmp.shard.jump_shard``, which the monitor uses), ideally ~1/5.
2. Live, on loopback: 4 netops.snmp poller processes (``--shard i/4``, same hash) poll ``--devices``
   snmpd-backed devices in the bench namespace; each reports the devices it polled and its varbinds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from snmp_lab import AgentLab, loadavg, machine  # noqa: E402

from netops.snmp.shard import jump_shard  # noqa: E402

PY = sys.executable
BENCH = Path(__file__).resolve().parent


def monitor_selection(desa: int) -> None:
    from netops.inventory import load_inventory
    from netops.monitor import Poller, PollerConfig, shard_of

    out = Path(tempfile.mkdtemp(prefix="netops-shardinv-"))
    subprocess.run([PY, str(BENCH / "gen_inventory.py"), str(out / "inv"), str(desa)], check=True,
                   capture_output=True)
    inv = load_inventory(out / "inv")
    owners: dict[int, dict[str, int]] = {}
    for n in (4, 5):
        owner: dict[str, int] = {}
        sizes = []
        for i in range(n):
            poller = Poller(inv, PollerConfig(shard=(i, n)))
            names = [d.name for d in poller.devices]
            sizes.append(len(names))
            for name in names:
                assert name not in owner, f"{name} in two shards"
                owner[name] = i
        monitored = [d for d in inv.devices.values() if d.monitor != "off"]
        assert len(owner) == len(monitored), "a monitored device is in no shard"
        owners[n] = owner
        mean = statistics.mean(sizes)
        print(f"| monitor Poller, N={n} | {len(owner)} | {' / '.join(map(str, sizes))} | "
              f"{(max(sizes) - mean) / mean * 100:.1f}% | 0 |")
    moved = sum(1 for name in owners[4] if owners[4][name] != owners[5][name])
    jmoved = sum(1 for name in owners[4] if jump_shard(name, 4) != jump_shard(name, 5))
    jsizes = Counter(jump_shard(name, 5) for name in owners[4])
    total = len(owners[4])
    print(f"\nN=4 -> N=5 on {total} monitored devices: the monitor's selection moves {moved} "
          f"({moved / total * 100:.1f}%); jump consistent hashing alone moves {jmoved} ({jmoved / total * 100:.1f}%, "
          f"ideal 20%), N=5 sizes {' / '.join(str(jsizes[i]) for i in range(5))}. Same check on the names: "
          f"{sum(1 for nm in owners[4] if shard_of(nm, 4) != owners[4][nm])} mismatches between shard_of and "
          "the Poller's selection.")


def live(devices: int) -> None:
    with AgentLab(agents=2) as lab:
        procs = [lab.popen([PY, str(BENCH / "snmp_worker.py"), f"--devices={devices}", f"--shard={i}/4",
                            "--cycles=2", "--list-devices", f"--port-base={lab.port_base}"], stdout=subprocess.PIPE)
                 for i in range(4)]
        outs = [p.communicate()[0] for p in procs]
    seen: Counter[str] = Counter()
    rows = []
    for i, o in enumerate(outs):
        cycles = [json.loads(ln) for ln in o.splitlines() if ln.startswith("{")]
        last = cycles[-1]
        seen.update(last["polled"])
        rows.append((i, last["devices"], last["varbinds"], last["failed"], last["wall"], last["cpu"]))
    print("\n| shard | devices | varbinds (warm cycle) | failed | wall s | CPU s |\n|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(str(x) for x in r) + " |")
    twice = [d for d, c in seen.items() if c > 1]
    print(f"\n{len(seen)} of {devices} devices polled, {len(twice)} polled by more than one shard, "
          f"total varbinds {sum(r[2] for r in rows)} (= {devices} x 393: {sum(r[2] for r in rows) == devices * 393}).")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--devices", type=int, default=1000)
    p.add_argument("--inventory-desa", type=int, default=10000)
    a = p.parse_args()
    print(f"# machine: {machine()}; load average: {loadavg()}", file=sys.stderr)
    print("| selection | devices | per shard | largest above mean | in two shards |\n|---|---|---|---|---|")
    monitor_selection(a.inventory_desa)
    if os.geteuid() == 0:
        live(a.devices)
    else:
        print("(live part skipped: needs root for the namespace)")


if __name__ == "__main__":
    main()
