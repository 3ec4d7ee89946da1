"""VSAT with packet-level loss: 120 devices, 300 ms each way, 1 % and 5 % loss per IP packet (fragments too).

    sudo flock /tmp/netops-lab.lock .venv/bin/python bench/monitor_vsat_packets.py \\
        [--devices 120] [--loss 1,5] [--reps 3] [--mtu 1500]

Two private namespaces joined by a veth of ``--mtu``: the agents' (2 snmpd on
wildcard ports; every 10.77.x.y is local there; 49 IF-MIB rows) and the
pollers'. Replies bigger than the MTU cross the veth as IP fragments. Loss is
an nft ``netdev ingress`` rule on each veth end (``numgen random``), which sees
every packet and fragment before reassembly, as a satellite path loses them;
delay is the lab's NFQUEUE delayer (netops.lab.delayer) on each side's INPUT
hook, 300 ms per direction. Per loss level, alternating: snmp_exporter 0.21 (one
scrape per device), netops with replies sized for the link (max_reply_bytes
1350), netops unsized (250-varbind replies, ~10 KB). "complete" = every device
returned every value the agent holds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
from snmp_lab import COMMUNITY, V3, cpu_seconds, exporter_config, machine  # noqa: E402

from tests.support.snmpd import Snmpd, create_netns, delete_netns  # noqa: E402

PY = sys.executable
NET = "10.77"
PORT_BASE = 16700
EXPECTED = 1 + 8 * 49
"""sysUpTime + 8 columns x the agent's IF-MIB rows; set from the agent itself at start (main)."""


def loadavg() -> list[str]:
    return open("/proc/loadavg").read().split()[:3]


def sh(ns: str, cmd: str, stdin: str | None = None) -> None:
    subprocess.run(["ip", "netns", "exec", ns, *cmd.split()], check=True, input=stdin, text=True,
                   capture_output=True)


class Path2:
    """The two namespaces, the veth between them, loss and delay."""

    def __init__(self, devices: int, agents: int, mtu: int) -> None:
        pid = os.getpid()
        self.a, self.p = f"netops-vsa-{pid}", f"netops-vsp-{pid}"
        self.work = Path(tempfile.mkdtemp(prefix="netops-vsatpk-"))
        self.devices, self.agents, self.mtu = devices, agents, mtu
        self.procs: list[subprocess.Popen[str]] = []
        self.snmpd: list[Snmpd] = []

    def __enter__(self) -> Path2:
        create_netns(self.a, 24)
        subprocess.run(["ip", "netns", "add", self.p], check=True)
        try:
            subprocess.run(["ip", "link", "add", "vsA", "netns", self.a, "type", "veth", "peer", "name", "vsP",
                            "netns", self.p], check=True)
            sh(self.a, f"ip link set vsA mtu {self.mtu} up")
            sh(self.a, "ip addr add 10.78.0.1/30 dev vsA")
            sh(self.a, f"ip route add local {NET}.0.0/16 dev lo")
            sh(self.p, "ip link set lo up")
            sh(self.p, f"ip link set vsP mtu {self.mtu} up")
            sh(self.p, "ip addr add 10.78.0.2/30 dev vsP")
            sh(self.p, f"ip route add {NET}.0.0/16 via 10.78.0.1")
            for k in range(self.agents):
                port = PORT_BASE + k
                a = Snmpd(self.work / f"agent{k}", [(f"{NET}.0.1", port)], community=COMMUNITY, netns=self.a,
                          wildcard_port=port, v3_users=[V3], extra=[f"rocommunity {COMMUNITY} 10.0.0.0/8"])
                self.snmpd.append(a)  # before start: a start that times out still leaves a process to stop
                a.start(timeout=20)
            cfg = self.work / "delay.json"
            addrs = {f"{NET}.{i // 250}.{i % 250 + 1}": [0.3, 0.0] for i in range(self.devices)}
            cfg.write_text(json.dumps({"queue": 4242, "addresses": addrs}))
            for ns, dev in ((self.a, "vsA"), (self.p, "vsP")):
                sh(ns, f"iptables -A INPUT -i {dev} -j NFQUEUE --queue-num 4242")
                proc = subprocess.Popen(["ip", "netns", "exec", ns, PY, "-m", "netops.lab.delayer", str(cfg)],
                                        stdout=subprocess.PIPE, text=True, cwd=ROOT)
                self.procs.append(proc)
                assert proc.stdout is not None and "bound" in proc.stdout.readline()
        except BaseException:
            self.__exit__()
            raise
        return self

    def loss(self, pct: int) -> None:
        for ns, dev in ((self.a, "vsA"), (self.p, "vsP")):
            subprocess.run(["ip", "netns", "exec", ns, "nft", "delete", "table", "netdev", "vsatloss"],
                           capture_output=True)
            sh(ns, "nft -f -", stdin=f"table netdev vsatloss {{\n chain lossy {{\n  type filter hook ingress device "
                                      f"{dev} priority 0;\n  numgen random mod 100 < {pct} drop\n }}\n}}\n")

    def run(self, cmd: list[str]) -> str:
        done = subprocess.run(["ip", "netns", "exec", self.p, *cmd], capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
        return done.stdout

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs:
            proc.terminate()
            proc.wait(10)
        for a in self.snmpd:
            a.stop()
        delete_netns(self.a)
        delete_netns(self.p)
        shutil.rmtree(self.work, ignore_errors=True)


def exporter(path: Path2, timeout: str = "2s", retries: int = 3) -> dict:
    conf = path.work / "snmp.yml"
    exporter_config(conf, "2c", 25, timeout=timeout, retries=retries)
    listen = "127.0.0.1:19128"
    proc = subprocess.Popen(["ip", "netns", "exec", path.p, "/usr/bin/prometheus-snmp-exporter",
                             f"--config.file={conf}", f"--web.listen-address={listen}", "--log.level=error"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while subprocess.run(["ip", "netns", "exec", path.p, "curl", "-sf", "-o", "/dev/null",
                              f"http://{listen}/metrics"]).returncode and time.monotonic() < deadline:
            time.sleep(0.2)
        c0 = cpu_seconds(proc.pid)
        res = json.loads(path.run([PY, str(BENCH / "snmp_scrape.py"), f"--exporter={listen}",
                                   f"--devices={path.devices}", f"--agents={path.agents}", f"--port-base={PORT_BASE}",
                                   f"--net={NET}", "--threads=200"]))
        res["cpu"] = round(cpu_seconds(proc.pid) - c0, 3)
        return res
    finally:
        proc.terminate()
        proc.wait(10)


def netops(path: Path2, reply_bytes: int, medium: str = "", tree: Path = ROOT) -> list[dict]:
    out = path.run([PY, str(tree / "bench" / "monitor_worker.py"), f"--devices={path.devices}",
                    f"--agents={path.agents}", f"--port-base={PORT_BASE}", f"--net={NET}", "--engine=fast", "--cycles=2",
                    "--timeout=2", "--retries=3", f"--concurrency={path.devices}", f"--max-reply-bytes={reply_bytes}",
                    *([f"--medium={medium}"] if medium else [])])
    return [json.loads(ln) for ln in out.splitlines() if ln.startswith("{")]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--devices", type=int, default=120)
    p.add_argument("--loss", default="1,5")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--mtu", type=int, default=1500)
    p.add_argument("--medium", action="store_true",
                   help="netops sized and timed from a VSAT uplink in the inventory (instead of the two fixed variants)")
    p.add_argument("--baseline", default="", help="another source tree (e.g. an earlier commit's export) to run too")
    p.add_argument("--baseline-name", default="the baseline")
    p.add_argument("--baseline-medium", action="store_true", help="the baseline tree also knows --medium")
    a = p.parse_args()
    print(f"# {machine()}; load average {loadavg()}", file=sys.stderr)
    rows: list[str] = []
    short: list[str] = []
    with Path2(a.devices, 2, a.mtu) as path:
        rtt = path.run(["snmpget", "-v2c", "-c", COMMUNITY, "-t", "3", f"{NET}.0.1:{PORT_BASE}", "1.3.6.1.2.1.1.3.0"])
        assert rtt, "agent not reachable through the VSAT path"
        global EXPECTED
        agent_rows = path.run(["snmpbulkwalk", "-v2c", "-c", COMMUNITY, "-t", "3", "-On", f"{NET}.0.1:{PORT_BASE}",
                               "1.3.6.1.2.1.31.1.1.1.6"]).strip().splitlines()
        EXPECTED = 1 + 8 * len(agent_rows)
        print(f"# the agent holds {len(agent_rows)} IF-MIB rows: {EXPECTED} values per device", file=sys.stderr)
        for loss in [int(x) for x in a.loss.split(",")]:
            path.loss(loss)
            walls: dict[str, list[float]] = {}
            notes: dict[str, list[str]] = {}
            for rep in range(a.reps):
                la = loadavg()
                ex = exporter(path)
                walls.setdefault("snmp_exporter 0.21 (max_repetitions 25, timeout 2 s, retries 3)", []).append(
                    ex["wall"])
                notes.setdefault("snmp_exporter 0.21 (max_repetitions 25, timeout 2 s, retries 3)", []).append(
                    f"{a.devices - ex['failed']} ok, fewest {ex['min_served']}, load {la[0]}")
                print(f"# loss {loss}% rep {rep} exporter (load {la}): {ex}", file=sys.stderr)
                if ex["failed"] or ex["min_served"] < EXPECTED:
                    short.append(f"exporter loss {loss}% rep {rep}: {ex['failed']} failed, fewest {ex['min_served']}")
                variants = [("netops, replies sized for the link (1350 bytes)", 1350, "", ROOT),
                            ("netops, unsized (250-varbind replies)", 0, "", ROOT)]
                if a.medium:
                    variants = [("netops, behind a VSAT uplink in the inventory (sized 1350 bytes, RTT prior 0.65 s)",
                                 0, "vsat", ROOT)]
                if a.baseline and a.baseline_medium:
                    variants.append((f"netops of {a.baseline_name}, behind a VSAT uplink in the inventory", 0, "vsat",
                                     Path(a.baseline)))
                elif a.baseline:
                    variants.append((f"netops of {a.baseline_name}, replies sized for the link (1350 bytes)", 1350, "",
                                     Path(a.baseline)))
                for label, rb, medium, tree in variants:
                    la = loadavg()
                    res = netops(path, rb, medium, tree)
                    print(f"# loss {loss}% rep {rep} {label} (load {la}): {res}", file=sys.stderr)
                    for r in res:
                        key = f"{label}, cycle {r['cycle']} ({'cold' if r['cycle'] == 0 else 'warm'})"
                        walls.setdefault(key, []).append(r["wall"])
                        complete = r["ok"] == a.devices and r["varbinds"] == a.devices * EXPECTED
                        notes.setdefault(key, []).append(
                            f"{r['ok']} ok{'' if complete else ' INCOMPLETE'}, {r['retransmits']} retx, load {la[0]}")
                        if not complete:
                            short.append(f"{key} loss {loss}% rep {rep}: {r['ok']} ok, {r['varbinds']} varbinds")
            for key, w in walls.items():
                rows.append(f"| {loss} % | {key} | {statistics.median(w):.1f} ({min(w):.1f}–{max(w):.1f}) "
                            f"| {'; '.join(notes[key])} |")
    print(f"\n{machine()}; {a.devices} devices, 300 ms each way, MTU {a.mtu}, loss per packet each way; "
          f"{a.reps} alternating repetitions, wall s median (range)\n")
    print("| loss | poller | wall s | per repetition |")
    print("|---|---|---|---|")
    print("\n".join(rows))
    if short:
        print("\nINCOMPLETE:\n" + "\n".join(short), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
