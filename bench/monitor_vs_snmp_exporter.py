"""``netops monitor`` (Poller + pysnmp) vs Prometheus snmp_exporter on the same snmpd agents, same run.

    sudo .venv/bin/python bench/monitor_vs_snmp_exporter.py [--sizes 100,1000] [--vsat 120] [--cycles 2]

Agents: net-snmp snmpd processes in a private network namespace, 49 IF-MIB rows
each (bench/snmp_lab.py). Work per device: sysUpTime + the 8 IF-MIB columns
snmp_exporter's bench module walks (393 varbinds); one extra netops row with the
shipped if_mib profile (14 columns incl. ifName/ifDescr/ifAlias labels, 687
varbinds). snmp_exporter 0.21 (Debian) gets every device scraped once,
concurrently (bench/snmp_scrape.py, 128 threads); its CPU comes from /proc.
netops runs bench/monitor_worker.py (one process, ``--cycles`` cycles: the first
registers every target, "cold") with pysnmp 7 and, where netops/snmp/client.py
exists, once more with that lean codec behind the same SnmpClient seam. VSAT: bench/snmp_relay.py holds each
direction 300 ms and drops 1% each way (the lab's NFQUEUE delayer serves only the
lab's snmpsim devices, which cannot carry load). ICMP is not part of this bench.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from snmp_lab import AgentLab, cpu_seconds, exporter_config, loadavg, machine, wait_http  # noqa: E402

PY = sys.executable
RELAY_PORT = 17171
ENGINES = {"pysnmp": "pysnmp 7", "fast": "netops.snmp codec"}


def fast_available() -> bool:
    """The lean codec of issue #7 behind the same SnmpClient seam, when present in this tree."""
    return (BENCH.parent / "netops" / "snmp" / "client.py").exists()


def exporter_round(lab: AgentLab, devices: int, *, port: int = 0, timeout: str = "10s", retries: int = 3,
                   listen: str = "127.0.0.1:19126", version: str = "2c") -> dict:
    conf = lab.work / f"snmp-{devices}-{port}-{version}.yml"
    exporter_config(conf, version, 25, timeout=timeout, retries=retries)
    proc = lab.popen(["/usr/bin/prometheus-snmp-exporter", f"--config.file={conf}", f"--web.listen-address={listen}",
                      "--log.level=error"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http(lab, f"http://{listen}/metrics")
        c0, a0 = cpu_seconds(proc.pid), lab.agent_cpu()
        args = [PY, str(BENCH / "snmp_scrape.py"), f"--exporter={listen}", f"--devices={devices}",
                f"--agents={len(lab.procs)}", f"--port-base={lab.port_base}", "--threads=200" if port else "--threads=128"]
        if port:
            args.append(f"--port={port}")
        res = json.loads(lab.run(args, check=True).stdout)
        res["cpu"] = round(cpu_seconds(proc.pid) - c0, 3)
        res["agent_cpu"] = round(lab.agent_cpu() - a0, 3)
        res["rss_mb"] = round(int(open(f"/proc/{proc.pid}/statm").read().split()[1]) * 4096 / 1e6)
        return res
    finally:
        proc.terminate()
        proc.wait(10)


def netops_rounds(lab: AgentLab, devices: int, cycles: int, *, port: int = 0, full: bool = False,
                  timeout: float = 5.0, retries: int = 1, concurrency: int = 128, engine: str = "pysnmp"
                  ) -> list[dict]:
    args = [PY, str(BENCH / "monitor_worker.py"), f"--devices={devices}", f"--agents={len(lab.procs)}", f"--engine={engine}",
            f"--port-base={lab.port_base}", f"--cycles={cycles}", f"--timeout={timeout}", f"--retries={retries}",
            f"--concurrency={concurrency}"]
    if port:
        args.append(f"--port={port}")
    if full:
        args.append("--full")
    a0 = lab.agent_cpu()
    out = lab.run(args, check=True).stdout
    rows = [json.loads(ln) for ln in out.splitlines() if ln.startswith("{")]
    for r in rows:
        r["agent_cpu_avg"] = round((lab.agent_cpu() - a0) / len(rows), 3)
    return rows


def us_per_vb(cpu: float, vb: int) -> str:
    return f"{cpu / vb * 1e6:.1f}" if vb else "-"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="100,1000")
    p.add_argument("--vsat", type=int, default=120, help="devices behind the VSAT relay (0: skip)")
    p.add_argument("--cycles", type=int, default=2)
    p.add_argument("--agents", type=int, default=2)
    p.add_argument("--vsat-concurrency", type=lambda t: [int(x) for x in t.split(",")], default=[16, 120],
                   help="devices polled at once by the pysnmp poller behind VSAT (comma list)")
    a = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("needs root (creates a network namespace)")
    print(f"# machine: {machine()}; load average before: {loadavg()}", file=sys.stderr)
    t0 = time.time()
    lan: list[tuple] = []
    vsat: list[tuple] = []
    with AgentLab(agents=a.agents, port_base=16300) as lab:
        for n in [int(x) for x in a.sizes.split(",") if x]:
            exp = exporter_round(lab, n)
            print(f"# {n} snmp_exporter: {exp}", file=sys.stderr)
            lan.append((n, "snmp_exporter 0.21, max_repetitions 25", "one scrape each", n - exp["failed"],
                        exp["varbinds"], exp["wall"], exp["cpu"], us_per_vb(exp["cpu"], exp["varbinds"]),
                        exp["agent_cpu"]))
            runs = [("pysnmp", False), ("pysnmp", True)] + ([("fast", False)] if fast_available() else [])
            for engine, full in runs:
                if full and n > 100:
                    continue  # the full profile once, at 100 devices: CPU per varbind is what it shows
                for r in netops_rounds(lab, n, a.cycles, full=full, engine=engine):
                    print(f"# {n} netops monitor {engine}{' full' if full else ''}: {r}", file=sys.stderr)
                    lan.append((n, f"netops monitor ({ENGINES[engine]}), concurrency 128"
                                + (", full if_mib profile" if full else ""),
                                f"{r['cycle']} ({'cold' if r['cycle'] == 0 else 'warm'})", r["ok"], r["varbinds"],
                                r["wall"], r["cpu"], us_per_vb(r["cpu"], r["varbinds"]), r["agent_cpu_avg"]))
        if a.vsat:
            relay = lab.popen([PY, str(BENCH / "snmp_relay.py"), f"--devices={a.vsat}", f"--agents={a.agents}",
                               f"--listen-port={RELAY_PORT}", "--delay-ms=300", "--loss-pct=1",
                               f"--port-base={lab.port_base}"], stdout=subprocess.PIPE)
            try:
                assert relay.stdout is not None and relay.stdout.readline().strip() == "ready"
                exp = exporter_round(lab, a.vsat, port=RELAY_PORT, timeout="2s", retries=3, listen="127.0.0.1:19127")
                print(f"# vsat snmp_exporter: {exp}", file=sys.stderr)
                vsat.append(("snmp_exporter 0.21, max_repetitions 25, timeout 2 s, retries 3", "one scrape each",
                             exp["wall"], f"median {exp['median_scrape']} s, max {exp['max_scrape']} s",
                             a.vsat - exp["failed"], exp["varbinds"], exp["cpu"]))
                # pysnmp spends ~40 ms of CPU per 200-varbind reply: more than timeout / that in flight and
                # replies wait past their timeout, retransmissions snowball (measured: 120 at once -> all fail)
                runs = [("pysnmp", n) for n in a.vsat_concurrency] + ([("fast", a.vsat)] if fast_available() else [])
                for engine, conc in runs:
                    for r in netops_rounds(lab, a.vsat, a.cycles, port=RELAY_PORT, timeout=2.0, retries=3,
                                           concurrency=conc, engine=engine):
                        print(f"# vsat netops {engine} concurrency {conc}: {r}", file=sys.stderr)
                        vsat.append((f"netops monitor ({ENGINES[engine]}), timeout 2 s, retries 3, concurrency {conc}",
                                     f"{r['cycle']} ({'cold' if r['cycle'] == 0 else 'warm'})", r["wall"],
                                     f"slowest device {r['max_device_s']} s; failed {r['failed'] or 0}", r["ok"],
                                     r["varbinds"], r["cpu"]))
            finally:
                relay.terminate()
                relay.wait(10)
    print(f"# load average after: {loadavg()}; bench took {time.time() - t0:.0f} s", file=sys.stderr)
    print(f"\n{machine()}; load average at the end {loadavg()}; v2c, {a.agents} snmpd agents, 49 IF-MIB rows each; "
          "basics = sysUpTime + 8 IF-MIB columns (393 varbinds/device)\n")
    print("| devices | poller | cycle | devices ok | varbinds | wall s | poller CPU s | µs CPU / varbind "
          "| agent CPU s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in lan:
        print("| " + " | ".join(str(x) for x in row) + " |")
    if vsat:
        print(f"\n{a.vsat} devices behind 600 ms RTT, 1% loss each way (complete = {a.vsat * 393} varbinds)\n")
        print("| poller | cycle | wall s | notes | devices ok | varbinds | poller CPU s |")
        print("|---|---|---|---|---|---|---|")
        for row in vsat:
            print("| " + " | ".join(str(x) for x in row) + " |")


if __name__ == "__main__":
    main()
