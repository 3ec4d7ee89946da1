"""The monitoring path end to end, the way Prometheus uses it: poll + one ``/metrics`` scrape per cycle.

    sudo flock /tmp/netops-lab.lock .venv/bin/python bench/monitor_end_to_end.py \\
        [--devices 1000] [--reps 3] [--versions 2c,3] [--shard 5000] [--baseline DIR --baseline-name NAME]

Same snmpd agents for both (bench/snmp_lab.py: 2 snmpd processes in a private
namespace, 49 IF-MIB rows each), same run, alternating:

* snmp_exporter 0.21 (Debian): every device scraped once, 128 at a time
  (bench/snmp_scrape.py); its CPU from /proc covers SNMP, exposition and HTTP;
* netops: one process as ``monitor serve`` runs it (bench/monitor_serve_worker.py:
  Poller with the fast engine and ``render=True``, Exporter); per cycle its CPU
  is read from /proc before the poll, after it, and after one gzip ``/metrics``
  scrape (``curl --compressed``, as Prometheus asks), so the figure is poll +
  render + scrape.

Varbinds are counted from what was served (samples of the walked metrics in the
bodies), never from a poller's own counter; the bench exits 1, loudly, if any
device was served fewer values than the agent holds (1 + 8 x the agent's rows).

``--shard N``: one netops process with N devices; after a cold and a warm
cycle, three scrapes of its ``/metrics``: wall (curl), CPU per sample, body size,
RSS before and after (steady or growing). The load average is printed with every figure.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from monitor_vs_snmp_exporter import exporter_round  # noqa: E402
from snmp_lab import COMMUNITY, IF_BASICS, AgentLab, address, cpu_seconds, device, loadavg, machine  # noqa: E402

PY = sys.executable
WANTED = {"sysUpTime", *IF_BASICS}


def rss_mb(pid: int) -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def agent_rows(lab: AgentLab) -> int:
    """Rows of the agent's ifTable, asked with net-snmp's own tool (not with netops)."""
    r = lab.run(["snmpbulkwalk", "-v2c", "-c", COMMUNITY, "-Oqn", "-Cr25", f"{address(0)}:{lab.port_base}",
                 IF_BASICS["ifOperStatus"]], check=True)
    return sum(1 for ln in r.stdout.splitlines() if ln.strip())


class Worker:
    """bench/monitor_serve_worker.py in the namespace; ``cycle()`` polls once and returns its CPU."""

    def __init__(self, lab: AgentLab, devices: int, version: str, listen: str, extra: list[str] | None = None,
                 tree: Path = BENCH.parent):
        self.lab, self.listen = lab, listen
        self.proc = lab.popen([PY, str(tree / "bench" / "monitor_serve_worker.py"), f"--devices={devices}",
                               f"--agents={len(lab.procs)}", f"--port-base={lab.port_base}", f"--version={version}",
                               f"--listen={listen}", *(extra or [])],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert json.loads(self._line()).get("ready")

    def _line(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"serve worker exited {self.proc.wait()}")
        return line

    def cpu(self) -> float:
        return cpu_seconds(self.proc.pid)

    def cycle(self) -> dict:
        assert self.proc.stdin is not None
        c0 = self.cpu()
        self.proc.stdin.write("poll\n")
        self.proc.stdin.flush()
        out = json.loads(self._line())
        out["cpu"] = self.cpu() - c0
        return out

    def scrape(self, path: Path) -> dict:
        c0 = self.cpu()
        r = self.lab.run(["curl", "-sf", "--compressed", "-o", str(path), "-w", "%{time_total} %{size_download}",
                          f"http://{self.listen}/metrics"], check=True)
        wall, size = r.stdout.split()
        return {"cpu": self.cpu() - c0, "wall": float(wall), "gzip_bytes": int(size), "bytes": path.stat().st_size}

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def served_per_device(path: Path) -> tuple[dict[str, int], int]:
    """Samples of the walked metrics per device in a /metrics body, and all samples."""
    per: dict[str, int] = {}
    total = 0
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            total += 1
            brace = line.find("{")
            if brace < 0 or line[:brace] not in WANTED:
                continue
            i = line.find('device="', brace) + 8
            dev = line[i:line.index('"', i)]
            per[dev] = per.get(dev, 0) + 1
    return per, total


def short(values: list[float], fmt: str = "{:.2f}") -> str:
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--devices", type=int, default=1000)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--versions", default="2c,3")
    p.add_argument("--shard", type=int, default=5000, help="devices of the /metrics scrape bench (0: skip)")
    p.add_argument("--agents", type=int, default=2)
    p.add_argument("--baseline", default="", help="another source tree (an earlier commit's export), measured too")
    p.add_argument("--baseline-name", default="the baseline")
    a = p.parse_args()
    problems: list[str] = []
    rows: list[str] = []
    shard_rows: list[str] = []
    t0 = time.time()
    print(f"# {machine()}; load average at start {loadavg()}", file=sys.stderr)
    with AgentLab(agents=a.agents, port_base=16500) as lab:
        per_agent = agent_rows(lab)
        expected = 1 + len(IF_BASICS) * per_agent
        print(f"# agent ifTable rows {per_agent}: {expected} values per device", file=sys.stderr)
        for version in a.versions.split(","):
            trees = [("netops (fast, render once)", BENCH.parent)]
            if a.baseline:
                trees.append((f"netops of {a.baseline_name}", Path(a.baseline)))
            workers = [Worker(lab, a.devices, version, f"127.0.0.1:{19750 + k}", tree=tree)
                       for k, (_, tree) in enumerate(trees)]
            try:
                for (label, _), worker in zip(trees, workers, strict=True):
                    cold = worker.cycle()
                    print(f"# {version} {label} cold cycle: {cold}", file=sys.stderr)
                exp_us, exp_wall = [], []
                figs: list[dict[str, list[float]]] = [{"all": [], "poll": [], "scrape": [], "wall": []} for _ in trees]
                for rep in range(a.reps):
                    la = loadavg()
                    ex = exporter_round_v(lab, a.devices, version)
                    if ex["min_served"] < expected or ex["failed"]:
                        problems.append(f"snmp_exporter {version} rep {rep}: {ex['failed']} failed scrapes, "
                                        f"fewest values served for one device {ex['min_served']} < {expected}")
                    exp_us.append(ex["cpu"] / max(1, ex["served"]) * 1e6)
                    exp_wall.append(ex["wall"])
                    print(f"# {version} rep {rep} snmp_exporter (load {la}): {ex}", file=sys.stderr)
                    for (label, _), worker, fig in zip(trees, workers, figs, strict=True):
                        la = loadavg()
                        cyc = worker.cycle()
                        body = lab.work / "metrics.txt"
                        sc = worker.scrape(body)
                        per, total = served_per_device(body)
                        short_devs = [d for i in range(a.devices) if per.get((d := device(i, 0, 1)[0]), 0) < expected]
                        if short_devs:
                            problems.append(f"{label} {version} rep {rep}: {len(short_devs)} devices served fewer "
                                            f"than {expected} values, e.g. {short_devs[:5]}")
                        served = sum(per.values())
                        fig["all"].append((cyc["cpu"] + sc["cpu"]) / max(1, served) * 1e6)
                        fig["poll"].append(cyc["cpu"] / max(1, served) * 1e6)
                        fig["scrape"].append(sc["cpu"] / max(1, served) * 1e6)
                        fig["wall"].append(cyc["wall"])
                        print(f"# {version} rep {rep} {label} (load {la}): cycle {cyc} scrape {sc} served {served} "
                              f"of {total} samples", file=sys.stderr)
                rows.append(f"| SNMPv{version} | {a.devices} | snmp_exporter 0.21 | {short(exp_us, '{:.1f}')} | – | – "
                            f"| {short(exp_wall)} | |")
                for (label, _), fig in zip(trees, figs, strict=True):
                    ratio = [n / e for n, e in zip(fig["all"], exp_us, strict=True)]
                    rows.append(f"| SNMPv{version} | {a.devices} | {label} | {short(fig['all'], '{:.1f}')} "
                                f"| {short(fig['poll'], '{:.1f}')} | {short(fig['scrape'], '{:.2f}')} "
                                f"| {short(fig['wall'])} | {short(ratio)} |")
            finally:
                for worker in workers:
                    worker.close()
        if a.shard:
            worker = Worker(lab, a.shard, "2c", "127.0.0.1:19751", ["--concurrency=256"])
            try:
                for c in range(2):
                    la = loadavg()
                    cyc = worker.cycle()
                    shard_rows.append(f"| cycle {c} ({'cold' if c == 0 else 'warm'}) | {cyc['wall']:.1f} s wall "
                                      f"| {cyc['cpu']:.1f} s CPU (poll + render) | {cyc['samples']} samples | "
                                      f"RSS {rss_mb(worker.proc.pid)} MB | load {la} |")
                for k in range(3):
                    la = loadavg()
                    before = rss_mb(worker.proc.pid)
                    body = lab.work / "shard.txt"
                    sc = worker.scrape(body)
                    per, total = served_per_device(body)
                    short_devs = [d for d, n in per.items() if n < expected]
                    if len(per) < a.shard or short_devs:
                        problems.append(f"shard scrape {k}: {len(per)} of {a.shard} devices served, "
                                        f"{len(short_devs)} with fewer than {expected} values")
                    shard_rows.append(
                        f"| scrape {k} ({'first of the cycle' if k == 0 else 'again'}) | {sc['wall']:.3f} s wall "
                        f"| {sc['cpu']:.3f} s CPU, {sc['cpu'] / total * 1e6:.3f} µs/sample | {total} samples, "
                        f"{sc['bytes'] / 1e6:.1f} MB ({sc['gzip_bytes'] / 1e6:.1f} MB gzip) "
                        f"| RSS {before} → {rss_mb(worker.proc.pid)} MB | load {la} |")
                la = loadavg()
                cyc = worker.cycle()
                sc = worker.scrape(lab.work / "shard.txt")
                shard_rows.append(f"| cycle 2 + its first scrape | {cyc['wall']:.1f} s + {sc['wall']:.3f} s wall "
                                  f"| {cyc['cpu']:.1f} s + {sc['cpu']:.3f} s CPU | {cyc['samples']} samples "
                                  f"| RSS {rss_mb(worker.proc.pid)} MB | load {la} |")
            finally:
                worker.close()
    print(f"# bench took {time.time() - t0:.0f} s; load average at the end {loadavg()}", file=sys.stderr)
    print(f"\n{machine()}; {a.agents} snmpd agents, {per_agent} IF-MIB rows; {expected} values per device; "
          f"{a.reps} alternating repetitions, median (range)\n")
    print("| version | devices | poller | µs CPU / varbind, poll + scrape | of which poll + render | of which "
          "scrape | cycle wall s | netops ÷ exporter |")
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    if shard_rows:
        print(f"\n/metrics of one {a.shard}-device shard (v2c)\n")
        print("| step | wall | CPU | samples / size | memory | load average |")
        print("|---|---|---|---|---|---|")
        print("\n".join(shard_rows))
    if problems:
        print("\nINCOMPLETE:\n" + "\n".join(problems), file=sys.stderr)
        sys.exit(1)


def exporter_round_v(lab: AgentLab, devices: int, version: str) -> dict:
    return exporter_round(lab, devices, version=version)


if __name__ == "__main__":
    main()
