"""Prometheus really ingests it: 10,000 devices on 2 shards, a real Prometheus scraping both.

    sudo .venv/bin/python bench/monitor_prometheus_shards.py [--devices 10000] [--shards 2] [--cycles 3]

Agents: bench/snmp_lab.py (snmpd processes in a private network namespace, 49
IF-MIB rows each, sysUpTime + 8 columns polled). Pollers: one
bench/monitor_serve_worker.py per shard (``monitor serve`` as one process: the
Poller with ``render=True`` and the Exporter), each with the whole inventory and
its ``--shard i/N``. Prometheus 2.42 (Debian) in the same namespace runs the
``prometheus.yml`` that ``netops.monitor.generate.generate`` writes for this
inventory (``--shards N`` with the workers' addresses; the rules files beside
it; interval ``--interval``). Per cycle: both shards poll at once; then the
bench waits until Prometheus has scraped both targets after the cycle ended and
asks the TSDB, per shard: devices with a sysUpTime sample, ifHCInOctets
samples, the ``netops_poll_cycles_total`` value it stored (the snapshot is swapped in
whole, so the right cycle number means every sample is from that cycle), and
``scrape_duration_seconds`` against the generated ``scrape_timeout``. Exits 1
if any device is missing in any cycle.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))
from monitor_end_to_end import Worker, agent_rows, rss_mb  # noqa: E402
from monitor_worker import bench_inventory  # noqa: E402
from snmp_lab import AgentLab, cpu_seconds, loadavg, machine  # noqa: E402

from netops.inventory import load_inventory  # noqa: E402
from netops.monitor.generate import Thresholds, generate  # noqa: E402

PROM_LISTEN = "127.0.0.1:19090"


def query(lab: AgentLab, expr: str) -> list[dict]:
    r = lab.run(["curl", "-sf", f"http://{PROM_LISTEN}/api/v1/query?query={urllib.parse.quote(expr)}"], check=True)
    return json.loads(r.stdout)["data"]["result"]


def by_shard(lab: AgentLab, expr: str) -> dict[str, float]:
    return {x["metric"].get("shard", ""): float(x["value"][1]) for x in query(lab, expr)}


def targets(lab: AgentLab) -> list[dict]:
    r = lab.run(["curl", "-sf", f"http://{PROM_LISTEN}/api/v1/targets"], check=True)
    return [t for t in json.loads(r.stdout)["data"]["activeTargets"] if t["labels"].get("job") == "netops"]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--devices", type=int, default=10000)
    p.add_argument("--shards", type=int, default=2)
    p.add_argument("--agents", type=int, default=4)
    p.add_argument("--cycles", type=int, default=3)
    p.add_argument("--interval", type=int, default=60, help="scrape interval of the generated config, seconds")
    p.add_argument("--max-prometheus-mb", type=int, default=12000)
    a = p.parse_args()
    print(f"# {machine()}; load average {loadavg()}", file=sys.stderr)
    work = Path(tempfile.mkdtemp(prefix="netops-promshards-"))
    listens = [f"127.0.0.1:{19750 + i}" for i in range(a.shards)]
    ns = argparse.Namespace(devices=a.devices, agents=a.agents, port_base=16100, port=0, version="2c",
                            timeout=5.0, retries=1, net="", max_reply_bytes=0)
    inv = load_inventory(bench_inventory(work, ns))
    th = Thresholds(interval_s=a.interval)
    generate(inv, work / "gen", shards=a.shards, exporters=listens, th=th, alertmanagers=[])
    conf = work / "gen" / "prometheus" / "prometheus.yml"
    cfg = yaml.safe_load(conf.read_text())
    job = next(j for j in cfg["scrape_configs"] if j["job_name"] == "netops")
    timeout = job.get("scrape_timeout") or cfg["global"]["scrape_timeout"]
    print(f"# generated: scrape_interval {cfg['global']['scrape_interval']}, scrape_timeout {timeout}", file=sys.stderr)
    failed: list[str] = []
    rows_out: list[str] = []
    with AgentLab(agents=a.agents) as lab:
        rows = agent_rows(lab)
        print(f"# agents hold {rows} IF-MIB rows: {1 + 8 * rows} values per device", file=sys.stderr)
        workers = [Worker(lab, a.devices, "2c", listen, [f"--shard={i}/{a.shards}", "--concurrency=256"])
                   for i, listen in enumerate(listens)]
        prom = lab.popen(["prometheus", f"--config.file={conf}", f"--storage.tsdb.path={work / 'tsdb'}",
                          f"--web.listen-address={PROM_LISTEN}", "--log.level=warn"],
                         stdout=(work / "prometheus.log").open("w"), stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while lab.run(["curl", "-sf", f"http://{PROM_LISTEN}/-/ready"]).returncode:
                if time.monotonic() > deadline:
                    raise SystemExit("prometheus did not become ready")
                time.sleep(0.5)
            for cycle in range(a.cycles):
                la = loadavg()
                t0 = time.monotonic()
                assert all(w.proc.stdin for w in workers)
                for w in workers:
                    w.proc.stdin.write("poll\n")  # type: ignore[union-attr]
                    w.proc.stdin.flush()  # type: ignore[union-attr]
                done = [json.loads(w._line()) for w in workers]
                ended = time.time()
                prom_cpu0 = cpu_seconds(prom.pid)
                poll_wall = time.monotonic() - t0
                # wait for a scrape of every target that started after the cycle ended
                deadline = time.monotonic() + 3 * a.interval + 60
                while True:
                    ts = targets(lab)
                    fresh = [t for t in ts if t["lastScrape"] and _epoch(t["lastScrape"]) > ended
                             and t["health"] != "unknown"]
                    if len(fresh) == a.shards:
                        break
                    if time.monotonic() > deadline:
                        raise SystemExit(f"cycle {cycle}: Prometheus did not scrape every shard: {ts}")
                    if rss_mb(prom.pid) > a.max_prometheus_mb:  # a shared machine: stop before it starves
                        raise SystemExit(f"cycle {cycle}: Prometheus RSS {rss_mb(prom.pid)} MB > "
                                         f"--max-prometheus-mb {a.max_prometheus_mb}")
                    time.sleep(1)
                prom_cpu = cpu_seconds(prom.pid) - prom_cpu0  # Prometheus's CPU from the cycle's end to both stored
                # what scrape_timeout bounds: the HTTP request and the body (Prometheus's scrape loop runs the
                # request and the body read under the timeout and appends to the TSDB after it; its
                # scrape_duration_seconds covers both). The same gzip GET, timed from this namespace:
                transfer = {f"{i}/{a.shards}": w.scrape(work / "body.txt")["wall"] for i, w in enumerate(workers)}
                # Prometheus marks the target scraped (health, lastScrape) before it commits the samples
                # (scrape.go: the report is deferred after the commit, so it runs first), and the commit of
                # a first scrape's ~2 M new series takes seconds: ask until every device is there, or 120 s
                reported = time.monotonic()
                while True:
                    devs = by_shard(lab, "count by (shard) (sysUpTime)")
                    octets = by_shard(lab, "count by (shard) (ifHCInOctets)")
                    cycles = by_shard(lab, "netops_poll_cycles_total")
                    if all(devs.get(f"{i}/{a.shards}") == d["devices"] and cycles.get(f"{i}/{a.shards}") == cycle + 1
                           and octets.get(f"{i}/{a.shards}") == d["devices"] * rows for i, d in enumerate(done)) \
                            or time.monotonic() - reported > 120:
                        break
                    time.sleep(1)
                visible = time.monotonic() - reported
                dur = by_shard(lab, 'scrape_duration_seconds{job="netops"}')
                samples = by_shard(lab, 'scrape_samples_scraped{job="netops"}')
                added = by_shard(lab, 'scrape_series_added{job="netops"}')
                health = {t["labels"]["shard"]: (t["health"], t["lastError"]) for t in fresh}
                prss = rss_mb(prom.pid)
                for i, d in enumerate(done):
                    sh = f"{i}/{a.shards}"
                    want = d["devices"]
                    ok = (devs.get(sh) == want and octets.get(sh) == want * rows and cycles.get(sh) == cycle + 1
                          and health[sh][0] == "up" and d["ok"] == want)
                    if not ok:
                        failed.append(f"cycle {cycle} shard {sh}: devices {devs.get(sh)}/{want}, ifHCInOctets "
                                      f"{octets.get(sh)}/{want * rows}, netops_poll_cycles_total {cycles.get(sh)}, "
                                      f"target {health[sh]}")
                    rows_out.append(
                        f"| {cycle} | {sh} | {want} | {d['ok']} | {d['wall']:.1f} | {int(devs.get(sh, 0))} | "
                        f"{int(octets.get(sh, 0))} | {int(samples.get(sh, 0))} | {int(added.get(sh, 0))} | "
                        f"{dur.get(sh, 0):.2f} | {transfer[sh]:.2f} | {prom_cpu:.1f} | {timeout} | "
                        f"{health[sh][0]} | {visible:.1f} | {rss_mb(workers[i].proc.pid):.0f} | {prss:.0f} | {la} |")
                print(f"# cycle {cycle}: polls {poll_wall:.1f} s, {done}, devices {devs}, ifHCInOctets {octets}, "
                      f"cycles {cycles}, scrape_duration {dur}, series added {added}, transfer {transfer}, "
                      f"prometheus CPU {prom_cpu:.1f} s, health {health}, prometheus RSS {prss} MB",
                      file=sys.stderr)
        finally:
            for w in workers:
                w.close()
            prom.terminate()
            try:
                prom.wait(30)
            except subprocess.TimeoutExpired:
                prom.kill()
                prom.wait()
    print(f"\n{machine()}; {a.devices} devices on {a.shards} shards, {rows} IF-MIB rows each; Prometheus 2.42 with the "
          f"generated config (scrape_interval {cfg['global']['scrape_interval']}, scrape_timeout {timeout})\n")
    print("| cycle | shard | devices | polled ok | poll wall s | devices in TSDB | ifHCInOctets in TSDB | "
          "samples scraped | series added | scrape_duration_seconds | HTTP transfer s (curl, gzip) | Prometheus CPU s "
          "(both scrapes) | scrape_timeout | target | all stored, s after both scrapes were reported | poller RSS MB | "
          "Prometheus RSS MB | load |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows_out))
    subprocess.run(["rm", "-rf", str(work)], check=False)
    if failed:
        print("\nMISSING:\n" + "\n".join(failed), file=sys.stderr)
        sys.exit(1)


def _epoch(rfc3339: str) -> float:
    from datetime import datetime
    return datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp()


if __name__ == "__main__":
    main()
