"""CPU per varbind and wall time: netops.snmp vs snmp_exporter on the same snmpd agents, same run.

    sudo .venv/bin/python bench/snmp_poll.py --devices 1000 --agents 2 [--version 3] [--processes 2]

Creates a private namespace (bench/snmp_lab.py) with ``--agents`` snmpd
processes, then, one after the other:
  1. snmp_exporter 0.21 (Debian) with a minimal if_mib module, every device
     scraped once concurrently (128 HTTP threads), exporter CPU from /proc;
  2. netops.snmp in ``--processes`` poller processes (devices split by the
     monitor's shard hash), ``--cycles`` cycles; the first is cold (no
     remembered table sizes), the rest warm.
Agent CPU is measured around each phase and reported separately. Prints a
Markdown table plus the conditions (machine, load average).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from snmp_lab import AgentLab, cpu_seconds, exporter_config, loadavg, machine, wait_http  # noqa: E402

PY = sys.executable
BENCH = Path(__file__).resolve().parent


def run_exporter(lab: AgentLab, a: argparse.Namespace) -> dict[str, float]:
    conf = lab.work / f"snmp-{a.version}.yml"
    exporter_config(conf, a.version, a.exporter_reps)
    listen = "127.0.0.1:19116"
    proc = lab.popen(["/usr/bin/prometheus-snmp-exporter", f"--config.file={conf}", f"--web.listen-address={listen}",
                      "--log.level=error"], stdout=subprocess.DEVNULL, stderr=open(lab.work / "exporter.log", "w"))
    try:
        wait_http(lab, f"http://{listen}/metrics")
        out = {}
        for rnd in range(a.exporter_rounds):
            c0, a0 = cpu_seconds(proc.pid), lab.agent_cpu()
            r = lab.run([PY, str(BENCH / "snmp_scrape.py"), f"--exporter={listen}", f"--devices={a.devices}",
                         f"--agents={a.agents}", f"--port-base={lab.port_base}"], check=True)
            res = json.loads(r.stdout)
            res["cpu"] = round(cpu_seconds(proc.pid) - c0, 3)
            res["agent_cpu"] = round(lab.agent_cpu() - a0, 3)
            res["rss_mb"] = round(int(open(f"/proc/{proc.pid}/statm").read().split()[1]) * 4096 / 1e6)
            print(f"# snmp_exporter round {rnd}: {res}", file=sys.stderr)
            out = res
        return out
    finally:
        proc.terminate()
        proc.wait(10)


def run_netops(lab: AgentLab, a: argparse.Namespace) -> list[dict[str, float]]:
    """Per cycle: wall = slowest process, cpu and varbinds summed over processes."""
    a0 = lab.agent_cpu()
    procs = [lab.popen([PY, str(BENCH / "snmp_worker.py"), f"--devices={a.devices}", f"--agents={a.agents}",
                        f"--port-base={lab.port_base}", f"--shard={i}/{a.processes}", f"--cycles={a.cycles}",
                        f"--version={a.version}", f"--max-varbinds={a.max_varbinds}", f"--in-flight={a.in_flight}",
                        f"--interval={a.interval}", f"--timeout={a.timeout}"],
                       stdout=subprocess.PIPE) for i in range(a.processes)]
    outs = [p.communicate()[0] for p in procs]
    agent = lab.agent_cpu() - a0
    per_proc = [[json.loads(ln) for ln in o.splitlines() if ln.startswith("{")] for o in outs]
    cycles = []
    for c in range(a.cycles):
        rows = [pp[c] for pp in per_proc]
        cycles.append({"cycle": c, "wall": max(r["wall"] for r in rows), "cpu": round(sum(r["cpu"] for r in rows), 3),
                       "varbinds": sum(r["varbinds"] for r in rows), "failed": sum(r["failed"] for r in rows),
                       "devices": sum(r["devices"] for r in rows),
                       "round_trips": sum(r["walk_round_trips"] for r in rows),
                       "retransmits": sum(r["retransmits"] for r in rows)})
        print(f"# netops cycle {c}: {cycles[-1]}", file=sys.stderr)
    cycles.append({"agent_cpu_all_cycles": round(agent, 3)})
    return cycles


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--devices", type=int, default=1000)
    p.add_argument("--agents", type=int, default=2)
    p.add_argument("--version", default="2c", choices=["2c", "3"])
    p.add_argument("--processes", type=int, default=1)
    p.add_argument("--cycles", type=int, default=3)
    p.add_argument("--interval", type=float, default=0.0, help="start-to-start seconds between netops cycles")
    p.add_argument("--max-varbinds", type=int, default=250)
    p.add_argument("--in-flight", type=int, default=256)
    p.add_argument("--timeout", type=float, default=5.0)
    p.add_argument("--exporter-reps", type=int, default=25)
    p.add_argument("--exporter-rounds", type=int, default=2)
    p.add_argument("--no-exporter", action="store_true")
    a = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("needs root (creates a network namespace)")
    print(f"# machine: {machine()}; load average before: {loadavg()}", file=sys.stderr)
    t0 = time.time()
    with AgentLab(agents=a.agents) as lab:
        exp = None if a.no_exporter else run_exporter(lab, a)
        ours = run_netops(lab, a)
    print(f"# load average after: {loadavg()}; bench took {time.time() - t0:.0f} s", file=sys.stderr)
    print(f"\nv{a.version}, {a.devices} devices x (sysUpTime + 8 IF-MIB columns x 49 rows), {a.agents} snmpd agents\n")
    print("| poller | cycle | devices ok | varbinds | wall s | poller CPU s | µs CPU / varbind | agent CPU s |")
    print("|---|---|---|---|---|---|---|---|")
    if exp:
        print(f"| snmp_exporter 0.21 (max_repetitions {a.exporter_reps}) | one scrape each | "
              f"{exp['devices'] - exp['failed']} | {exp['varbinds']} | {exp['wall']} | {exp['cpu']} | "
              f"{exp['cpu'] / max(1, exp['varbinds']) * 1e6:.1f} | {exp['agent_cpu']} |")
    agent_total = ours[-1]["agent_cpu_all_cycles"]
    for c in ours[:-1]:
        kind = "cold" if c["cycle"] == 0 else "warm"
        print(f"| netops.snmp, {a.processes} proc, max_varbinds {a.max_varbinds} | {c['cycle']} ({kind}) | "
              f"{c['devices'] - c['failed']} | {c['varbinds']} | {c['wall']} | {c['cpu']} | "
              f"{c['cpu'] / max(1, c['varbinds']) * 1e6:.1f} | {agent_total / len(ours[:-1]):.2f} (avg) |")


if __name__ == "__main__":
    main()
