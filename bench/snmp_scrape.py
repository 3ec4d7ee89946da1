"""Scrape snmp_exporter for N devices at once, as Prometheus would (run inside the bench namespace).

Prints one JSON line: wall, varbinds (sum of snmp_scrape_pdus_returned), served
(samples of walked metrics in the bodies, i.e. what Prometheus would store),
the fewest served by one device, failed scrapes, and per-scrape durations
(median, max). Its own CPU is not the exporter's and is not counted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from snmp_lab import device  # noqa: E402


def scrape(url: str) -> tuple[int, float, bool, int]:
    t0 = time.monotonic()
    try:
        body = urllib.request.urlopen(url, timeout=120).read().decode()
    except Exception:  # noqa: BLE001
        return 0, time.monotonic() - t0, False, 0
    pdus = 0
    served = 0
    for line in body.splitlines():
        if line.startswith("snmp_scrape_pdus_returned"):
            pdus = int(float(line.split()[-1]))
        elif line and not line.startswith(("#", "snmp_")):
            served += 1
    return pdus, time.monotonic() - t0, pdus > 0, served


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--exporter", required=True)
    p.add_argument("--devices", type=int, default=100)
    p.add_argument("--agents", type=int, default=2)
    p.add_argument("--port-base", type=int, default=16100)
    p.add_argument("--port", type=int, default=0, help="every device on this port (the VSAT relay)")
    p.add_argument("--module", default="if_mib_bench")
    p.add_argument("--threads", type=int, default=128)
    p.add_argument("--first", type=int, default=0, help="first device number")
    p.add_argument("--net", default="", help="device i at NET.(i//250).(i%%250+1) instead of 127.x")
    a = p.parse_args()
    urls = []
    for i in range(a.first, a.first + a.devices):
        _, host, port = device(i, a.port_base, a.agents)
        if a.net:
            host = f"{a.net}.{i // 250}.{i % 250 + 1}"
        port = a.port or port
        urls.append(f"http://{a.exporter}/snmp?target={host}:{port}&module={a.module}")
    t0 = time.monotonic()
    with ThreadPoolExecutor(a.threads) as pool:
        res = list(pool.map(scrape, urls))
    wall = time.monotonic() - t0
    durs = [d for _, d, _, _ in res]
    print(json.dumps({"devices": a.devices, "wall": round(wall, 3), "varbinds": sum(r[0] for r in res),
                      "served": sum(r[3] for r in res), "min_served": min(r[3] for r in res),
                      "failed": sum(1 for r in res if not r[2]), "median_scrape": round(statistics.median(durs), 3),
                      "max_scrape": round(max(durs), 3)}), flush=True)


if __name__ == "__main__":
    main()
