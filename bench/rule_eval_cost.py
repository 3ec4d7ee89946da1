#!/usr/bin/env python3
"""What each generated rule group costs a real Prometheus per evaluation, at the sample regency's size.

Usage: .venv/bin/python bench/rule_eval_cost.py [--inventory inventory] [--seconds 60] [--interval 2]

Generates the rules for the inventory (``--interval``: the scrape interval the groups' evaluation intervals
follow), serves a static ``/metrics`` on loopback with the series the rules read (every watched link and
device, the first kecamatan uplink down so the root-cause joins have something to join), starts Prometheus
2.42 (Debian) on it with the generated rule files and reads Prometheus's own
``prometheus_rule_group_last_duration_seconds`` per group every 0.5 s. Prints per group: its interval,
rules, the evaluation time (median and max of the readings), the share of one core it takes (median / interval)
and missed iterations. The window rules' cost grows with the history their windows hold (up to 6 h); a run of
a minute holds little of it, so their figure here is a floor (their interval did not change).
"""

from __future__ import annotations

import argparse
import http.server
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from netops.inventory import load_inventory  # noqa: E402
from netops.inventory.topology import WATCHED  # noqa: E402
from netops.monitor.generate import RULE_FILES, Thresholds, generate  # noqa: E402
from netops.monitor.snapshot import device_labels, link_labels  # noqa: E402
from tests.monitor.promserver import free_tcp_port, http_get, prometheus  # noqa: E402


def _labels(d: dict[str, str]) -> str:
    return ",".join(f'{k}="{v}"' for k, v in d.items())


def metrics_body(inv_dir: Path) -> tuple[str, int, int]:
    inv = load_inventory(inv_dir)
    links = sorted((lk for lk in inv.links.values() if lk.status in WATCHED), key=lambda lk: lk.id)
    cut = next((lk.id for lk in links if inv.sites[lk.b.site].tier.value == "kecamatan"), links[0].id)
    out = []
    for lk in links:
        lab = _labels(link_labels(inv, lk))
        out += [f"netops_link_up{{{lab}}} {0 if lk.id == cut else 1}", f"netops_link_loss_ratio{{{lab}}} 0",
                f"netops_link_rtt_seconds{{{lab}}} 0.01", f"netops_link_utilisation_ratio{{{lab}}} 0.3",
                f"netops_link_sla_target_ratio{{{lab}}} 0.99"]
    devices = [d for d in inv.devices.values() if d.monitor != "off"]
    out += [f"netops_device_up{{{_labels(device_labels(inv, d))}}} 1" for d in devices]
    out += ["netops_inventory_reload_success 1"]
    return "\n".join(out) + "\n", len(links), len(devices)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--inventory", type=Path, default=Path(__file__).resolve().parent.parent / "inventory")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--interval", type=int, default=2, help="scrape interval the groups' intervals follow")
    a = ap.parse_args()
    body, n_links, n_devices = metrics_body(a.inventory)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            now = f"netops_poll_last_cycle_timestamp_seconds {time.time():.3f}\n"
            data = (body + now).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    port = free_tcp_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "gen"
        generate(load_inventory(a.inventory), out, th=Thresholds(interval_s=a.interval))
        rules = [str(out / "prometheus" / f) for f in RULE_FILES]
        job = {"job_name": "netops", "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}
        print(f"load average {os.getloadavg()[0]:.1f}; {n_links} links, {n_devices} devices, scrape every "
              f"{a.interval} s, {a.seconds:g} s")
        with prometheus(Path(tmp) / "prom", [job], rules, interval=f"{a.interval}s") as prom:
            readings: dict[str, list[float]] = {}
            meta: dict[str, dict[str, float]] = {}
            end = time.monotonic() + a.seconds
            while time.monotonic() < end:
                time.sleep(0.5)
                for line in http_get(f"{prom.url}/metrics")[1].splitlines():
                    if not line.startswith("prometheus_rule_group_") or "rule_group=" not in line:
                        continue
                    name, value = line.rsplit(" ", 1)
                    group = name.split('rule_group="', 1)[1].split('"', 1)[0].split(";", 1)[1]
                    metric = name.split("{", 1)[0].removeprefix("prometheus_rule_group_")
                    if metric == "last_duration_seconds" and float(value) > 0:
                        readings.setdefault(group, []).append(float(value))
                    meta.setdefault(group, {})[metric] = float(value)
        print(f"load average {os.getloadavg()[0]:.1f} at the end")
    server.shutdown()
    for group, xs in readings.items():
        m = meta[group]
        med = statistics.median(xs)
        print(f"{group}: every {m['interval_seconds']:g} s, {m['rules']:g} rules, evaluation median "
              f"{med * 1000:.2f} ms (max {max(xs) * 1000:.2f}), {100 * med / m['interval_seconds']:.2f} % of a "
              f"core, {m.get('iterations_missed_total', 0):g} iterations missed of "
              f"{m.get('iterations_total', 0):g}")


if __name__ == "__main__":
    main()
