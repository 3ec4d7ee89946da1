"""120 VSAT devices behind 600 ms RTT and 1% loss each way: netops.snmp vs snmp_exporter, same agents, same run.

    sudo .venv/bin/python bench/snmp_vsat.py [--devices 120] [--delay-ms 300] [--loss-pct 1]

snmpd agents in a private namespace (bench/snmp_lab.py), reached through
bench/snmp_relay.py (delay each way, independent loss each way). Each device:
sysUpTime + 8 IF-MIB columns x 49 rows (393 varbinds). netops.snmp runs
``--cycles`` cycles: the first is cold (no remembered table sizes), the rest
warm; "complete" means every device returned all of its varbinds.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from snmp_lab import AgentLab, cpu_seconds, exporter_config, loadavg, machine, wait_http  # noqa: E402

PY = sys.executable
BENCH = Path(__file__).resolve().parent
RELAY_PORT = 17161


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--devices", type=int, default=120)
    p.add_argument("--delay-ms", type=float, default=300.0, help="each way; the round trip is twice this")
    p.add_argument("--loss-pct", type=float, default=1.0, help="each way")
    p.add_argument("--cycles", type=int, default=4)
    p.add_argument("--timeout", type=float, default=1.0)
    p.add_argument("--retries", type=int, default=4)
    p.add_argument("--max-varbinds", type=int, default=250)
    p.add_argument("--in-flight", type=int, default=256)
    p.add_argument("--exporter-timeout", default="2s")
    p.add_argument("--no-exporter", action="store_true")
    a = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("needs root (creates a network namespace)")
    print(f"# machine: {machine()}; load average before: {loadavg()}", file=sys.stderr)
    rows = []
    with AgentLab(agents=2) as lab:
        relay = lab.popen([PY, str(BENCH / "snmp_relay.py"), f"--devices={a.devices}", f"--listen-port={RELAY_PORT}",
                           f"--delay-ms={a.delay_ms}", f"--loss-pct={a.loss_pct}", f"--port-base={lab.port_base}"],
                          stdout=subprocess.PIPE)
        try:
            assert relay.stdout is not None and relay.stdout.readline().strip() == "ready"
            if not a.no_exporter:
                conf = lab.work / "snmp-vsat.yml"
                exporter_config(conf, "2c", 25, timeout=a.exporter_timeout, retries=a.retries)
                listen = "127.0.0.1:19117"
                exp = lab.popen(["/usr/bin/prometheus-snmp-exporter", f"--config.file={conf}",
                                 f"--web.listen-address={listen}", "--log.level=error"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                try:
                    wait_http(lab, f"http://{listen}/metrics")
                    c0 = cpu_seconds(exp.pid)
                    r = lab.run([PY, str(BENCH / "snmp_scrape.py"), f"--exporter={listen}", f"--devices={a.devices}",
                                 f"--port={RELAY_PORT}", "--threads=200"], check=True)
                    res = json.loads(r.stdout)
                    res["cpu"] = round(cpu_seconds(exp.pid) - c0, 3)
                    print(f"# snmp_exporter: {res}", file=sys.stderr)
                    rows.append(("snmp_exporter 0.21, max_repetitions 25, timeout "
                                 f"{a.exporter_timeout}, retries {a.retries}", "one scrape each", res["wall"],
                                 f"median {res['median_scrape']} s, max {res['max_scrape']} s",
                                 a.devices - res["failed"], res["varbinds"], "-"))
                finally:
                    exp.terminate()
                    exp.wait(10)
            r = lab.run([PY, str(BENCH / "snmp_worker.py"), f"--devices={a.devices}", f"--port={RELAY_PORT}",
                         f"--cycles={a.cycles}", f"--timeout={a.timeout}", f"--retries={a.retries}",
                         f"--max-varbinds={a.max_varbinds}", f"--in-flight={a.in_flight}", "--interval=0"],
                        check=True)
            for ln in r.stdout.splitlines():
                c = json.loads(ln)
                print(f"# netops: {c}", file=sys.stderr)
                rows.append((f"netops.snmp, timeout {a.timeout:g} s, retries {a.retries}, max_varbinds "
                             f"{a.max_varbinds}, in flight {a.in_flight}",
                             f"{c['cycle']} ({'cold' if c['cycle'] == 0 else 'warm'})",
                             c["wall"], f"{c['walk_round_trips']} walk round trips", c["devices"] - c["failed"],
                             c["varbinds"], c["retransmits"]))
        finally:
            relay.terminate()
            relay.wait(10)
    print(f"# load average after: {loadavg()}", file=sys.stderr)
    print(f"\n{a.devices} devices, RTT {2 * a.delay_ms:g} ms, loss {a.loss_pct:g}% each way, "
          f"393 varbinds per device (complete = {a.devices * 393})\n")
    print("| poller | cycle | wall s | notes | devices ok | varbinds | retransmits |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(str(x) for x in row) + " |")



if __name__ == "__main__":
    main()
